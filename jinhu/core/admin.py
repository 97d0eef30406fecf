"""The admin's list of any village-owned model starts from the same scoped queryset as
every other page."""

from django.contrib import admin


class ScopedAdmin(admin.ModelAdmin):
    """Admin lists start from the same scoped queryset as every other page."""

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        for_user = getattr(qs, "for_user", None)
        return for_user(request.user) if for_user else qs


class ReadOnlyAdmin(ScopedAdmin):
    """The admin shows these rows and never changes them: their invariants (slots
    materialised from a rotation, a report's workflow, verdicts re-judged, the public
    page's cache) are kept by services, which the portal's own pages call."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
