from django.http import HttpRequest

from attendance.selectors import missing_next_year
from jinhu.core import clock


def holiday_banner(request: HttpRequest) -> dict:
    """From December, staff see a banner while next year's holiday schedule is missing."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_perm("attendance.manage_holidays"):
        return {}
    year = missing_next_year(clock.today())
    return {"holiday_year_missing": year} if year else {}
