"""Admin for what staff configure (boards, product areas, the status list) and read-only ideas.

Ideas, votes and their history change only through the services (the idea page or the API),
so their counts and the activity log stay true.
"""

from django import forms
from django.contrib import admin

from hearth.accounts.models import Affiliation
from hearth.ideas.models import (
    Idea,
    IdeaBoard,
    IdeaStatus,
    IdeaStatusChange,
    IdeaVote,
    ProductArea,
)


class IdeaBoardAdminForm(forms.ModelForm):
    allowed_affiliations = forms.MultipleChoiceField(
        choices=Affiliation.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Who may see the board when its visibility is 'Only chosen affiliations'. "
        "Moderators and community managers see every board.",
    )

    class Meta:
        model = IdeaBoard
        fields = ["name", "slug", "description", "position", "visibility", "allowed_affiliations"]

    def clean(self):
        data = super().clean()
        if data.get("visibility") == IdeaBoard.Visibility.AFFILIATIONS:
            if not data.get("allowed_affiliations"):
                self.add_error("allowed_affiliations", "Choose at least one affiliation.")
        else:
            data["allowed_affiliations"] = []
        return data


@admin.register(IdeaBoard)
class IdeaBoardAdmin(admin.ModelAdmin):
    form = IdeaBoardAdminForm
    list_display = ["name", "slug", "visibility", "position", "idea_count"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["idea_count"]


@admin.register(ProductArea)
class ProductAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}


class IdeaStatusAdminForm(forms.ModelForm):
    class Meta:
        model = IdeaStatus
        fields = [
            "name",
            "slug",
            "description",
            "colour",
            "position",
            "meaning",
            "on_roadmap",
            "is_default",
        ]

    def clean_is_default(self):
        is_default = self.cleaned_data["is_default"]
        others = IdeaStatus.objects.filter(is_default=True).exclude(pk=self.instance.pk)
        if is_default and others.exists():
            raise forms.ValidationError(
                f"“{others.first().name}” is the default already; untick it there first."
            )
        if not is_default and self.instance.is_default:
            raise forms.ValidationError(
                "New ideas need a status to start in: make another status the default instead."
            )
        return is_default


@admin.register(IdeaStatus)
class IdeaStatusAdmin(admin.ModelAdmin):
    form = IdeaStatusAdminForm
    list_display = ["name", "slug", "colour", "meaning", "on_roadmap", "is_default", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}

    def has_delete_permission(self, request, obj=None):
        # A status with ideas or history is kept (the database refuses too); others may go.
        if obj is not None and (obj.is_default or obj.ideas.exists()):
            return False
        return super().has_delete_permission(request, obj)


class StatusChangeInline(admin.TabularInline):
    model = IdeaStatusChange
    extra = 0
    fields = ["created_at", "from_status", "to_status", "changed_by", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Idea)
class IdeaAdmin(admin.ModelAdmin):
    list_display = ["title", "board", "status", "area", "vote_count", "created_at", "merged_into"]
    list_filter = ["board", "status", "area"]
    search_fields = ["title"]
    list_select_related = ["board", "status", "area", "merged_into"]
    fields = [
        "title",
        "board",
        "author",
        "area",
        "status",
        "vote_count",
        "comment_count",
        "created_at",
        "updated_at",
        "tracker_ref",
        "announcement_url",
        "announcement_title",
        "merged_into",
        "description",
    ]
    readonly_fields = fields
    inlines = [StatusChangeInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IdeaVote)
class IdeaVoteAdmin(admin.ModelAdmin):
    list_display = ["idea", "voter", "created_at", "recorded_by", "channel"]
    list_filter = ["channel"]
    list_select_related = ["idea", "voter", "recorded_by"]
    raw_id_fields = ["idea", "voter", "recorded_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
