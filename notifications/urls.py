from django.urls import path

from notifications.views import channels, inbox, rules

app_name = "notifications"

urlpatterns = [
    path("", inbox.inbox, name="inbox"),
    path("<int:pk>/open/", inbox.notice_open, name="open"),
    path("read/", inbox.read_all, name="read_all"),
    path("settings/", channels.channel_list, name="settings"),
    path("settings/<int:pk>/", channels.channel_action, name="channel"),
    path("deliveries/", channels.deliveries, name="deliveries"),
    path("rules/", rules.rule_list, name="rules"),
    path("rules/<int:pk>/", rules.rule_edit, name="rule"),
]
