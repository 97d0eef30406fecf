"""The admin's list of any village-owned model starts from the same scoped queryset as
every other page."""

from django.contrib import admin


class ScopedAdmin(admin.ModelAdmin):
    """Admin lists start from the same scoped queryset as every other page."""

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        for_user = getattr(qs, "for_user", None)
        return for_user(request.user) if for_user else qs
