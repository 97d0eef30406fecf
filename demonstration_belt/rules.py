"""Who may do what with the belt's records (objects carry ``village_id``)."""

import rules

from villages.rules import guides, is_reviewer, is_staff_role, works_in

rules.add_perm("demonstration_belt.fill_report", works_in)
rules.add_perm("demonstration_belt.review_report", is_staff_role | guides)
rules.add_perm("demonstration_belt.reopen_report", is_staff_role)
rules.add_perm("demonstration_belt.rectify", is_staff_role | works_in)
rules.add_perm("demonstration_belt.recheck", is_staff_role | guides)
rules.add_perm("demonstration_belt.handle_suggestion", is_staff_role | works_in)
rules.add_perm("demonstration_belt.manage_plans", is_staff_role)
rules.add_perm("demonstration_belt.view_belt", is_reviewer | works_in)
rules.add_perm("demonstration_belt.add_meeting", is_staff_role)
rules.add_perm("demonstration_belt.decide_proposal", is_staff_role)  # awards and 约谈
rules.add_perm("demonstration_belt.approve_reviewer_score", is_staff_role)
rules.add_perm("demonstration_belt.follow_up_reports", is_reviewer)  # the late-report list
