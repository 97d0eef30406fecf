from django.urls import path

from collective_economy import views

app_name = "economy"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("alerts/", views.alerts, name="alerts"),
    path("import/", views.import_accounts, name="import"),
    path("import/<int:pk>/", views.import_job, name="import_job"),
    path("export/<str:kind>.<str:fmt>", views.export_accounts, name="export"),
    path("<slug:code>/", views.village, name="village"),
]
