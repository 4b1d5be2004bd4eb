from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnly, ReadOnlyAdmin
from members import admin as members_admin
from members.models import Member
from members.rules import Refused
from moderation import services
from moderation.forms import DEACTIVATE, GIVE, REACTIVATE, AccountChangeForm
from moderation.models import (
    Appeal,
    Case,
    CaseEvent,
    Decision,
    JournalCitation,
    JournalEntry,
    Sanction,
    Signal,
)
from moderation.selectors import NAMING_EVENTS

# Moderation is done on the site, where every step is checked, notified and journalled; the
# admin only looks. Nothing here can change or remove a journal entry, and nothing names a
# signaller: who signalled a post is the moderators' to know, on the site, where its author
# (whatever their role) never learns it.


class CaseEventInline(ReadOnly, admin.TabularInline):
    model = CaseEvent
    fields = ["at", "kind", "who", "note"]
    readonly_fields = ["who"]

    @admin.display(description=_("by"))
    def who(self, event: CaseEvent) -> str:
        if event.actor is None or event.kind in NAMING_EVENTS:
            return "—"
        return event.actor.public_name


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["pk", "post", "state", "opened_at", "settled_at", "claimed_by"]
    list_filter = ["state"]
    list_select_related = ["post", "claimed_by"]
    inlines = [CaseEventInline]


@admin.register(Signal)
class SignalAdmin(ReadOnlyAdmin):
    list_display = ["pk", "post", "created_at", "outcome"]
    list_filter = ["outcome"]
    list_select_related = ["post"]
    exclude = ["signaller"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["pk", "case", "moderator", "outcome", "action", "created_at"]
    list_filter = ["outcome", "action"]
    list_select_related = ["case", "moderator"]


@admin.register(Sanction)
class SanctionAdmin(ReadOnlyAdmin):
    list_display = ["pk", "member", "kind", "days", "starts_at", "ends_at", "lifted_at"]
    list_filter = ["kind"]
    list_select_related = ["member"]


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ["pk", "decision", "appellant", "state", "created_at", "heard_by"]
    list_filter = ["state"]
    list_select_related = ["decision", "appellant", "heard_by"]


class JournalCitationInline(ReadOnly, admin.TabularInline):
    model = JournalCitation
    fields = ["article"]


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "outcome", "action", "sanction", "member", "moderator"]
    list_filter = ["kind", "outcome"]
    list_select_related = ["moderator", "member"]
    inlines = [JournalCitationInline]


# An account's standing and roles change on a page of their own, through moderation's services,
# each in the journal. Members cannot use moderation, so moderation extends their admin.
admin.site.unregister(Member)


@admin.register(Member)
class MemberAdmin(members_admin.MemberAdmin):
    change_form_template = "moderation/admin/member_change_form.html"

    def get_urls(self):
        account = self.admin_site.admin_view(self.account_view)
        return [
            path("<path:object_id>/account/", account, name="members_member_account"),
            *super().get_urls(),
        ]

    def account_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        member = self.get_object(request, unquote(object_id))
        if member is None:
            raise Http404
        if not self.has_change_permission(request, member):
            raise PermissionDenied
        form = AccountChangeForm(request.POST or None, member=member)
        if form.is_valid():
            try:
                _change_account(request.user, member, form)
            except Refused as refusal:
                form.add_error(None, str(refusal) or _("You may not change this account."))
            else:
                messages.success(request, _("Done, and published in the journal."))
                return redirect(reverse("admin:members_member_change", args=[member.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Standing and roles of %(name)s") % {"name": member.username},
            "opts": self.opts,
            "original": member,
            "form": form,
        }
        return TemplateResponse(request, "moderation/admin/member_account.html", context)


def _change_account(admin_member: Member, member: Member, form: AccountChangeForm) -> None:
    action, role = form.chosen()
    common = {"admin": admin_member, "member": member, "rationale": form.cleaned_data["rationale"]}
    if action == DEACTIVATE:
        services.deactivate_account(**common)
    elif action == REACTIVATE:
        services.reactivate_account(**common)
    else:
        services.change_role(role=role, held=action == GIVE, **common)
