from allauth.account.models import EmailAddress
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin
from members import services
from members.forms import NamesMixin, check_new_name
from members.models import Member

# The facts that make a voter (joined, verified, accepted, last sign-in, active) and the roles
# are written by the site itself: shown here, never edited. Moderation's admin adds the page
# that deactivates, reactivates or changes the role of an account, each in the journal.
WRITTEN_BY_THE_SITE = [
    "date_joined",
    "email_verified_at",
    "last_login",
    "is_active",
    "is_moderator",
    "is_staff",
    "is_superuser",
]
STANDING = ["must_accept_charter", "suspended_until", "banned_at", "deleted_at"]


class MemberChangeForm(NamesMixin, UserChangeForm):
    def clean_username(self) -> str:
        return self._check_changed("username")


class MemberCreationForm(AdminUserCreationForm):
    def clean_username(self) -> str:
        return check_new_name(super().clean_username())


class MemberAdmin(UserAdmin):
    # An admin's names follow the members' rules (members.names), as a sign-up's do.
    form = MemberChangeForm
    add_form = MemberCreationForm
    list_display = ["username", "email", "display_name", "is_moderator", "is_staff", "is_active",
                    "date_joined"]  # fmt: skip
    list_filter = ["is_moderator", "is_staff", "is_active"]
    search_fields = ["username", "email", "display_name"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "email"]}),
        (_("Community"), {"fields": ["display_name", "bio"]}),
        (_("Preferences"), {"fields": ["language", "time_zone", "theme"]}),
        (
            _("Written by the site"),
            {
                "fields": WRITTEN_BY_THE_SITE,
                "description": _(
                    "Joining, confirming an email address and signing in are the member's own "
                    "acts; roles and deactivation change only through a page that publishes "
                    "each change in the moderation journal."
                ),
            },
        ),
        # What an admin may do in this admin site; not a role the members see.
        (_("Permissions"), {"fields": ["groups", "user_permissions"]}),
        # Set by the charter and by moderation decisions (which the journal records), never here.
        (_("Standing"), {"fields": STANDING}),
    ]
    readonly_fields = [*WRITTEN_BY_THE_SITE, *STANDING]

    def has_delete_permission(self, request, obj=None) -> bool:
        # An account leaves the rolls only by its member's deletion or a journalled deactivation.
        return False

    def save_model(self, request, obj: Member, form, change: bool) -> None:
        services.save_from_admin(member=obj, changed=form.changed_data)


admin.site.register(Member, MemberAdmin)

# allauth's own admin ticks an address as verified; here addresses are only shown.
admin.site.unregister(EmailAddress)


@admin.register(EmailAddress)
class EmailAddressAdmin(ReadOnlyAdmin):
    list_display = ["email", "user", "primary", "verified"]
    list_filter = ["primary", "verified"]
    list_select_related = ["user"]
    search_fields = ["email", "user__username"]
