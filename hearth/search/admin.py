from django.contrib import admin

from hearth.search.models import IndexRebuild, SuggestionOpening


@admin.register(IndexRebuild)
class IndexRebuildAdmin(admin.ModelAdmin):
    """Runs of `hearth reindex`, to see how far one got; they are started from the shell."""

    list_display = ["started_at", "finished_at", "vendor", "done_posts", "total_posts"]
    readonly_fields = [field.name for field in IndexRebuild._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SuggestionOpening)
class SuggestionOpeningAdmin(admin.ModelAdmin):
    """Suggested questions members opened from the composer, and what came of it."""

    list_display = ["opened_at", "member", "topic", "outcome", "settled_at"]
    list_filter = ["outcome"]
    list_select_related = ["member", "topic"]
    raw_id_fields = ["member", "topic"]
    readonly_fields = [field.name for field in SuggestionOpening._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
