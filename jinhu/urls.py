from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from attendance import urls as attendance_urls
from jinhu import views
from operations.views import metrics as metrics_views
from villages.views import accounts as account_views
from villages.views import audit as audit_views

admin.site.site_header = "锦湖街道党建示范带平台 · 管理后台"
admin.site.site_title = "锦湖街道管理后台"
admin.site.index_title = "后台管理"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    # Prometheus: configured addresses (JINHU_METRICS_ALLOWED) or a bearer token only.
    path("metrics", metrics_views.metrics, name="metrics"),
    path("system/status/", include("operations.urls")),
    path("notifications/", include("notifications.urls")),
    path("robots.txt", views.robots_txt, name="robots"),
    # Browsers ask for /favicon.ico before reading the page's <link rel="icon">.
    path("favicon.ico", views.favicon, name="favicon"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", account_views.account, name="account"),
    path("accounts/password/", account_views.PasswordChange.as_view(), name="password_change"),
    path("accounts/two-factor/setup/", account_views.otp_setup, name="otp_setup"),
    path("accounts/two-factor/verify/", account_views.otp_verify, name="otp_verify"),
    path(
        "accounts/two-factor/backup-codes/",
        account_views.otp_backup_codes,
        name="otp_backup_codes",
    ),
    path("accounts/two-factor/disable/", account_views.otp_disable, name="otp_disable"),
    # One sign-in for everyone: the admin's own (password-only) form is not offered.
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="login", query_string=True),
        name="admin_login_redirect",
    ),
    path("admin/", admin.site.urls),
    path("audit/", audit_views.audit_log, name="audit_log"),
    path("villages/", include("villages.urls")),
    path("attendance/", include("attendance.urls")),
    path("economy/", include("collective_economy.urls")),
    path("belt/", include("demonstration_belt.urls")),
    path("duty/", include((attendance_urls.public_urlpatterns, "duty"))),
    path("", include(attendance_urls.device_urlpatterns)),
]
