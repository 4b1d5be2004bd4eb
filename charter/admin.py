"""The charter in Django's admin: to look, never to change.

A ratified version changes only by the members' vote, so every charter model is read-only
here, and the ballot box, the elections' trustees, the voters' credentials and the public
record are not registered at all.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from charter.models import Acceptance, Article, Ballot, CharterVersion, Proposal
from core.admin import ReadOnly, ReadOnlyAdmin


class ArticleInline(ReadOnly, admin.TabularInline):
    model = Article
    fields = ["number", "title", "body", "entrenched"]
    extra = 0


@admin.register(CharterVersion)
class CharterVersionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "state", "number", "ratified_at", "created_at"]
    list_filter = ["state"]
    inlines = [ArticleInline]


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    list_display = ["title", "author", "state", "base", "submitted_at", "ended_at"]
    list_filter = ["state"]
    search_fields = ["title", "author__username"]
    list_select_related = ["author", "base"]


@admin.register(Ballot)
class BallotAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "state", "opened_at", "closes_at", "eligible_count", "passed"]
    list_filter = ["state"]
    list_select_related = ["proposal"]
    exclude = ["yes", "no", "abstain"]
    readonly_fields = ["tally"]

    @admin.display(description=_("yes / no / abstain"))
    def tally(self, ballot: Ballot) -> str:
        if ballot.yes is None:  # not counted yet, or void
            return "—"
        return f"{ballot.yes} / {ballot.no} / {ballot.abstain}"


@admin.register(Acceptance)
class AcceptanceAdmin(ReadOnlyAdmin):
    list_display = ["member", "version", "accepted_at"]
    list_select_related = ["member", "version"]
    search_fields = ["member__username"]
