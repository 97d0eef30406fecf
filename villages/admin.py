from django.contrib import admin

from villages import models as m


class ScopedAdmin(admin.ModelAdmin):
    """Admin lists start from the same scoped queryset as every other page."""

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        for_user = getattr(qs, "for_user", None)
        return for_user(request.user) if for_user else qs


@admin.register(m.SubDistrict)
class SubDistrictAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "party_secretary_name")


class PartyOrganizationInline(admin.StackedInline):
    model = m.PartyOrganization
    extra = 0


@admin.register(m.Village)
class VillageAdmin(ScopedAdmin):
    list_display = ("name", "code", "kind", "population", "households", "duty_phone", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "code")
    inlines = [PartyOrganizationInline]


@admin.register(m.Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ("name", "number", "starts_on", "ends_on")


class CadrePositionInline(admin.TabularInline):
    model = m.CadrePosition
    extra = 0
    autocomplete_fields = ("village",)


@admin.register(m.Cadre)
class CadreAdmin(ScopedAdmin):
    list_display = ("name", "village", "gender", "birth_date", "education", "is_active")
    list_filter = ("village", "education", "is_active", "is_demo")
    search_fields = ("name",)
    inlines = [CadrePositionInline]


@admin.register(m.CadrePosition)
class CadrePositionAdmin(ScopedAdmin):
    list_display = ("cadre", "village", "term", "title", "starts_on", "ends_on")
    list_filter = ("term", "title", "village")


@admin.register(m.VillageAssignment)
class VillageAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "village", "role", "is_active", "assigned_on")
    list_filter = ("role", "is_active", "village")


@admin.register(m.Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("display_name", "user", "role", "cadre")
    list_filter = ("role",)
