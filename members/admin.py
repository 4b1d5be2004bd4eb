from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from members import services
from members.models import Member


@admin.register(Member)
class MemberAdmin(UserAdmin):
    list_display = ["username", "email", "display_name", "is_moderator", "is_staff", "is_active",
                    "date_joined"]  # fmt: skip
    list_filter = ["is_moderator", "is_staff", "is_active"]
    search_fields = ["username", "email", "display_name"]
    fieldsets = [
        *UserAdmin.fieldsets,
        (_("Community"), {"fields": ["display_name", "bio", "is_moderator"]}),
        (_("Preferences"), {"fields": ["language", "time_zone", "theme"]}),
        # Set by the charter and by moderation decisions (which the journal records), never here.
        (
            _("Standing"),
            {"fields": ["must_accept_charter", "suspended_until", "banned_at", "deleted_at"]},
        ),
    ]
    readonly_fields = ["must_accept_charter", "suspended_until", "banned_at", "deleted_at"]

    def save_model(self, request, obj: Member, form, change: bool) -> None:
        services.save_from_admin(member=obj, changed=form.changed_data)
