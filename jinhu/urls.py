from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from jinhu import views
from villages import views as villages_views

admin.site.site_header = "锦湖街道党建示范带平台 · 管理后台"
admin.site.site_title = "锦湖街道管理后台"
admin.site.index_title = "后台管理"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("audit/", villages_views.audit_log, name="audit_log"),
    path("villages/", include("villages.urls")),
    path("attendance/", include("attendance.urls")),
    path("economy/", include("collective_economy.urls")),
    path("belt/", include("demonstration_belt.urls")),
    path("duty/", include("attendance.urls_public")),
    path("", include("attendance.endpoints.urls")),
]
