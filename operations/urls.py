from django.urls import path

from operations.views import status

app_name = "operations"

urlpatterns = [
    path("", status.status, name="status"),
]
