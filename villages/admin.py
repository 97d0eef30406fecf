from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm

from jinhu.core.admin import ScopedAdmin
from villages import models as m
from villages.services import accounts


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


# ---------------------------------------------------------------------------
# Users: a password an administrator sets must be changed by its owner; a lost phone
# is handled by resetting two-factor (the person enrols again at the next sign-in).
# ---------------------------------------------------------------------------


class _MarksPasswordSetByAdmin:
    """Mixed into the admin's two password forms (which save the user)."""

    def save(self, commit: bool = True) -> Any:
        user = super().save(commit=commit)  # type: ignore[misc]
        if commit and user.has_usable_password():
            accounts.password_set_by_admin(user)
        return user


class PasswordSetByAdminForm(_MarksPasswordSetByAdmin, AdminPasswordChangeForm):
    pass


class UserCreatedByAdminForm(_MarksPasswordSetByAdmin, AdminUserCreationForm):
    pass


class ProfileInline(admin.StackedInline):
    model = m.Profile
    can_delete = False
    fk_name = "user"
    extra = 0


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    add_form = UserCreatedByAdminForm
    change_password_form = PasswordSetByAdminForm
    inlines = [ProfileInline]
    actions = ["reset_two_factor", "require_password_change"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change and obj.has_usable_password():
            accounts.password_set_by_admin(obj)

    @admin.action(description="重置两步验证（手机丢失或更换时）")
    def reset_two_factor(self, request, queryset):
        for user in queryset:
            accounts.two_factor_remove(user)
        self.message_user(
            request, f"已重置 {queryset.count()} 个账号的两步验证，下次登录时重新绑定。"
        )

    @admin.action(description="要求下次登录时修改密码")
    def require_password_change(self, request, queryset):
        for user in queryset:
            accounts.password_set_by_admin(user)
        self.message_user(request, f"{queryset.count()} 个账号下次登录时须修改密码。")
