from django.contrib import admin

from hearth.core.models import Activity, VisitDay


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    """The log is append-only: staff can read and filter it, never change it."""

    list_display = ["occurred_at", "actor", "verb", "target_type", "target_id", "space_id"]
    list_filter = ["verb", "target_type"]
    search_fields = ["verb", "actor__username"]
    date_hierarchy = "occurred_at"
    list_select_related = ["actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(VisitDay)
class VisitDayAdmin(admin.ModelAdmin):
    list_display = ["day", "member"]
    date_hierarchy = "day"
    list_select_related = ["member"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
