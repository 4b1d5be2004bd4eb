"""The journal as an Atom feed: public like the journal, each entry with its digest in the
record, so that readers keep copies the site cannot take back."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from moderation import record, selectors
from moderation.models import JournalEntry, JournalKind

FEED_SIZE = 50


class JournalFeed(Feed):
    feed_type = Atom1Feed
    description_template = "moderation/journal_feed_entry.html"

    def title(self) -> str:
        return _("Moderation journal of %(site)s") % {"site": settings.SITE_NAME}

    def link(self) -> str:
        return reverse("moderation:journal")

    def subtitle(self) -> str:
        about = _(
            "Every decision and every appeal, newest first, each with its digest in the record."
        )
        if head := record.head():
            return f"{about} {_('Digest of the latest entry:')} {head}"
        return about

    def items(self) -> QuerySet[JournalEntry]:
        return selectors.journal(selectors.JournalFilters())[:FEED_SIZE]

    def item_title(self, entry: JournalEntry) -> str:
        outcome = entry.get_outcome_display()
        if entry.kind == JournalKind.APPEAL:
            outcome = _("Appeal: %(outcome)s") % {"outcome": outcome}
        when = date_format(timezone.localtime(entry.created_at), "DATETIME_FORMAT")
        return _("%(outcome)s, %(date)s") % {"outcome": outcome, "date": when}

    def item_link(self, entry: JournalEntry) -> str:
        return f"{reverse('moderation:journal')}#entry-{entry.pk}"

    def item_pubdate(self, entry: JournalEntry):
        return entry.created_at
