"""Cross-cutting request handling that imports no app."""

from __future__ import annotations

from django.shortcuts import render

from jinhu.core.params import BadParameter


class BadParameterMiddleware:
    """A malformed or out-of-range parameter is a 400 that says which and why."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, BadParameter):
            return render(
                request,
                "400.html",
                {"parameter": exception.name, "message": exception.message},
                status=400,
            )
        return None
