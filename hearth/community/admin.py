from django import forms
from django.contrib import admin

from hearth.accounts.models import Affiliation
from hearth.community.models import Post, PostRevision, Reaction, Space, Topic


class SpaceAdminForm(forms.ModelForm):
    allowed_affiliations = forms.MultipleChoiceField(
        choices=Affiliation.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Who may see the space when its visibility is 'Only chosen affiliations'. "
        "Moderators and community managers see every space.",
    )

    class Meta:
        model = Space
        fields = [
            "name",
            "slug",
            "description",
            "position",
            "visibility",
            "allowed_affiliations",
            "topic_starters",
        ]

    def clean(self):
        data = super().clean()
        if data.get("visibility") == Space.Visibility.AFFILIATIONS:
            if not data.get("allowed_affiliations"):
                self.add_error("allowed_affiliations", "Choose at least one affiliation.")
        else:
            data["allowed_affiliations"] = []
        return data


@admin.register(Space)
class SpaceAdmin(admin.ModelAdmin):
    form = SpaceAdminForm
    list_display = ["name", "slug", "visibility", "topic_starters", "position", "topic_count"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["topic_count", "post_count", "last_activity_at"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["title", "space", "author", "kind", "reply_count", "last_activity_at"]
    list_filter = ["space", "kind", "is_pinned", "is_locked"]
    search_fields = ["title"]
    list_select_related = ["space", "author"]
    raw_id_fields = ["author", "last_poster"]
    readonly_fields = ["reply_count", "view_count", "like_count", "created_at"]


class RevisionInline(admin.TabularInline):
    model = PostRevision
    extra = 0
    fields = ["number", "editor", "created_at", "body"]
    readonly_fields = fields
    can_delete = False


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["__str__", "author", "created_at", "deleted_at"]
    list_select_related = ["author"]
    raw_id_fields = ["topic", "author", "deleted_by"]
    readonly_fields = ["body_html", "like_count", "helpful_count", "revision_count"]
    inlines = [RevisionInline]


@admin.register(Reaction)
class ReactionAdmin(admin.ModelAdmin):
    list_display = ["post", "member", "kind", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["post", "member"]
