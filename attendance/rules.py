"""Object-level permissions for the duty system (objects carry ``village_id``)."""

import rules

from villages.rules import guides, is_reviewer, is_secretary_of, is_staff_role, works_in

rules.add_perm("attendance.manage_roster", is_staff_role | is_secretary_of)
rules.add_perm("attendance.submit_absence", is_staff_role | works_in)
rules.add_perm("attendance.view_absences", is_reviewer | works_in)
rules.add_perm("attendance.record_dutylog", is_staff_role | works_in)
rules.add_perm("attendance.record_patrol", is_staff_role | guides)
rules.add_perm("attendance.confirm_finding", is_staff_role)
rules.add_perm("attendance.correct_past_roster", is_staff_role)
