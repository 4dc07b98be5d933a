from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from hearth.accounts import services
from hearth.accounts.models import (
    CodeOfConduct,
    ConductAcceptance,
    ExpertiseTag,
    Member,
    Organization,
)


@admin.register(Member)
class MemberAdmin(UserAdmin):
    list_display = ["username", "display_name", "email", "affiliation", "role", "organization"]
    list_filter = ["affiliation", "role", "journey_stage", "is_active"]
    search_fields = ["username", "display_name", "email", "organization__name"]
    list_select_related = ["organization"]
    fieldsets = [
        *UserAdmin.fieldsets,
        (
            "Community",
            {
                "fields": [
                    "display_name",
                    "bio",
                    "avatar",
                    "affiliation",
                    "role",
                    "organization",
                    "journey_stage",
                    "expertise",
                ]
            },
        ),
    ]
    filter_horizontal = ["expertise", "groups", "user_permissions"]

    def save_model(self, request, obj, form, change):
        # Staff-ness follows the role; a role change goes through the service and the log.
        if change and "role" in form.changed_data:
            role = obj.role
            obj.role = form.initial.get("role", obj.role)
            super().save_model(request, obj, form, change)
            services.change_member_role(actor=request.user, member=obj, role=role)
        else:
            super().save_model(request, obj, form, change)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "annual_value", "website", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(ExpertiseTag)
class ExpertiseTagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(CodeOfConduct)
class CodeOfConductAdmin(admin.ModelAdmin):
    """Each save publishes a new version, so acceptances always point at what was read."""

    list_display = ["version", "title", "published_at", "published_by"]
    fields = ["title", "body"]

    def save_model(self, request, obj, form, change):
        conduct = services.publish_code_of_conduct(
            actor=request.user, body=obj.body, title=obj.title
        )
        obj.pk = conduct.pk
        obj.version = conduct.version

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ConductAcceptance)
class ConductAcceptanceAdmin(admin.ModelAdmin):
    list_display = ["member", "conduct", "accepted_at"]
    list_select_related = ["member", "conduct"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
