from django.conf import settings
from django.http import HttpRequest

from villages.models import role_of


def portal(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    role = role_of(user) if user is not None else None
    return {
        "portal_name": settings.JINHU_SITE_NAME,
        "user_role": role,
        "user_display_name": getattr(getattr(user, "profile", None), "display_name", "")
        if user is not None and user.is_authenticated
        else "",
    }
