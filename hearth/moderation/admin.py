from django.contrib import admin

from hearth.moderation.models import Flag, ModerationAction, ReviewItem, ScreeningWord


@admin.register(ModerationAction)
class ModerationActionAdmin(admin.ModelAdmin):
    """The moderation log is append-only: staff read and filter it, never change it."""

    list_display = ["created_at", "kind", "actor", "member", "post", "reason"]
    list_filter = ["kind"]
    search_fields = ["reason", "actor__username", "member__username"]
    date_hierarchy = "created_at"
    list_select_related = ["actor", "member", "post"]
    raw_id_fields = ["post", "member", "actor", "review", "reverts"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ["created_at", "reason", "flagger", "member", "post", "status", "weight"]
    list_filter = ["reason", "status"]
    list_select_related = ["flagger", "member", "post"]
    raw_id_fields = ["flagger", "member", "post", "review"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReviewItem)
class ReviewItemAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "member", "post", "status", "flag_count", "held"]
    list_filter = ["status", "kind", "held"]
    list_select_related = ["member", "post"]
    raw_id_fields = ["member", "post", "resolved_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ScreeningWord)
class ScreeningWordAdmin(admin.ModelAdmin):
    """The same list as /moderation/screening/ (held posts wait for review)."""

    list_display = ["word", "added_by", "created_at"]
    search_fields = ["word"]
    readonly_fields = ["added_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.added_by = request.user
        super().save_model(request, obj, form, change)
