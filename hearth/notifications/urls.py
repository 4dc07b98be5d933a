from django.urls import path

from hearth.notifications import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.inbox, name="inbox"),
    path("notifications/badge/", views.badge, name="badge"),
    path("notifications/read-all/", views.mark_all_read, name="mark_all_read"),
    path("notifications/<int:notification_id>/", views.open_notification, name="open"),
    path("notifications/<int:notification_id>/read/", views.mark_read, name="mark_read"),
    path("settings/notifications/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
