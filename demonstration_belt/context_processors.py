from django.http import HttpRequest


def todo(request: HttpRequest) -> dict:
    """The count of things waiting for the user, for the navigation bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from demonstration_belt.selectors import todo_for

    return {"todo_count": todo_for(user).count}
