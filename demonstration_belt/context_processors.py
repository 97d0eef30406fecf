from django.http import HttpRequest


def todo(request: HttpRequest) -> dict:
    """The number on 月度进度 in the navigation bar: the reports waiting for this person
    (to write, to fix after a return, to review), not every to-do."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from demonstration_belt.selectors import todo_for

    reports = [i for i in todo_for(user).items if i.kind in ("report", "returned", "review")]
    return {"todo_count": len(reports)}
