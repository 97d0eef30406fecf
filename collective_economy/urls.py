from django.urls import path

from collective_economy.views import accounts, imports

app_name = "economy"

urlpatterns = [
    path("", accounts.overview, name="overview"),
    path("alerts/", accounts.alerts, name="alerts"),
    path("import/", imports.import_accounts, name="import"),
    path("import/<int:pk>/", imports.import_job, name="import_job"),
    path("export/<str:kind>.<str:fmt>", accounts.export_accounts, name="export"),
    path("<slug:code>/", accounts.village, name="village"),
]
