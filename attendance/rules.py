"""Who may do what in the duty system: every check is a predicate here, reached with
``user.has_perm("attendance.<action>", obj)`` from views, templates and services.

Separation of duties (``decide_absence``, ``decide_correction``: never the person who
asked, never two tiers by one person) is tested with ``jinhu.core.perms.rule_allows``,
which asks the rule itself: Django's ``user.has_perm`` says yes to any superuser first.
"""

import rules

from villages.rules import guides, is_reviewer, is_secretary_of, is_staff_role, works_in


@rules.predicate
def submitted_it(user, report) -> bool:
    return report is not None and report.submitted_by_id == user.pk


@rules.predicate
def asked_for_it(user, correction) -> bool:
    return correction is not None and correction.requested_by_id == user.pk


@rules.predicate
def decides_next_tier(user, report) -> bool:
    """The person the report waits for: pending, a tier left, never the cadre on leave nor
    whoever decided another tier; staff decide any tier, a secretary the secretary's, the
    village's instructor or liaison the instructor's."""
    from attendance.models.absences import AbsenceReport, ApprovalLevel

    if report is None or report.status != AbsenceReport.Status.PENDING:
        return False
    level = report.next_level()
    if level is None:
        return False
    own = getattr(getattr(user, "profile", None), "cadre_id", None) == report.cadre_id
    if own or report.decided_by(user):
        return False
    if is_staff_role(user):
        return True
    if level == ApprovalLevel.SECRETARY:
        return is_secretary_of(user, report)
    if level == ApprovalLevel.INSTRUCTOR:
        return guides(user, report)
    return False


rules.add_perm("attendance.manage_roster", is_staff_role | is_secretary_of)
rules.add_perm("attendance.submit_absence", is_staff_role | works_in)
rules.add_perm("attendance.view_absences", is_reviewer | works_in)
rules.add_perm("attendance.decide_absence", decides_next_tier)
rules.add_perm("attendance.cancel_absence", is_staff_role | submitted_it)
rules.add_perm("attendance.record_dutylog", is_staff_role | works_in)
rules.add_perm("attendance.record_patrol", is_staff_role | guides)
rules.add_perm("attendance.confirm_finding", is_staff_role)
rules.add_perm("attendance.correct_past_roster", is_staff_role)
rules.add_perm("attendance.manage_holidays", is_staff_role)
rules.add_perm("attendance.manage_devices", is_staff_role)
rules.add_perm("attendance.request_correction", is_staff_role | is_secretary_of)
# Two people, always: staff other than the person who asked.
rules.add_perm("attendance.decide_correction", is_staff_role & ~asked_for_it)
