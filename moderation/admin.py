from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnly, ReadOnlyAdmin
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
    list_display = ["created_at", "kind", "outcome", "action", "sanction", "moderator"]
    list_filter = ["kind", "outcome"]
    list_select_related = ["moderator"]
    inlines = [JournalCitationInline]
