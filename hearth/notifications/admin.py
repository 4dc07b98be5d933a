from django.contrib import admin

from hearth.notifications.models import Notification, Preferences, Watch


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Staff see here which e-mails failed and why (filter by e-mail state)."""

    list_display = ["updated_at", "recipient", "verb", "title", "email_state", "email_attempts"]
    list_filter = ["email_state", "verb", "channel"]
    search_fields = ["recipient__username", "title", "email_error"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient", "actor"]
    readonly_fields = ["email_error", "email_attempts", "created_at", "updated_at"]


@admin.register(Watch)
class WatchAdmin(admin.ModelAdmin):
    list_display = ["member", "level", "space", "topic", "updated_at"]
    list_filter = ["level"]
    raw_id_fields = ["member", "space", "topic"]


@admin.register(Preferences)
class PreferencesAdmin(admin.ModelAdmin):
    list_display = ["member", "digest_frequency", "reply", "mention", "last_digest_at"]
    list_filter = ["digest_frequency"]
    raw_id_fields = ["member"]
