from django.http import HttpRequest


def bell(request: HttpRequest) -> dict:
    """The unread count on the bell in the navigation bar (one indexed count)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from notifications.selectors import unread_count

    return {"bell_count": unread_count(user)}
