"""The provisional charter, which admins draft until its founding ballot; and acceptance.

No function in this package writes a ratified version: after the founding ballot, the text
changes only when an amendment's ballot passes, which writes a new version.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from charter import parameters, rules, selectors
from charter.models import (
    Acceptance,
    Ballot,
    CharterVersion,
    VersionState,
)
from charter.rules import InvalidChange
from charter.services import trustees
from charter.services.amendments import checked_parameters
from charter.services.ballots import write_articles
from charter.texts import ArticleText
from members.models import Member
from members.rules import require


@dataclass(frozen=True)
class ArticleDraft:
    title: str
    body: str
    entrenched: bool = False
    identity: uuid.UUID | None = None


def start_provisional_charter() -> CharterVersion:
    """The draft an admin edits: the existing one, or a new empty one on a fresh site."""
    with transaction.atomic():
        draft = selectors.draft()
        if draft is None:
            draft = CharterVersion.objects.create(state=VersionState.PROVISIONAL)
    return draft


def edit_provisional_charter(
    *,
    admin: Member,
    version: CharterVersion | None,
    articles: list[ArticleDraft],
    parameters: dict,
) -> CharterVersion:
    """Save the provisional draft, starting it if `version` is None (a fresh site)."""
    require(rules.can_draft(admin))
    if not articles:
        raise InvalidChange(_("A charter needs at least one article."))
    with transaction.atomic():
        version = version or start_provisional_charter()
        locked = CharterVersion.objects.select_for_update().get(pk=version.pk)
        if locked.state != VersionState.PROVISIONAL:
            raise InvalidChange(_("Only a provisional draft can be edited; this one is frozen."))
        locked.parameters = checked_parameters(parameters)
        locked.save(update_fields=["parameters"])
        locked.articles.all().delete()
        write_articles(
            locked,
            [
                ArticleText(a.identity or uuid.uuid4(), n, a.title, a.body, a.entrenched)
                for n, a in enumerate(articles, start=1)
            ],
        )
    return locked


def open_founding_ballot(
    *, admin: Member, version: CharterVersion, now: datetime | None = None
) -> Ballot:
    """Freeze the provisional draft and prepare its ballot: trustees drawn among volunteers make
    its key, then every verified member may vote."""
    require(rules.can_draft(admin))
    now = now or timezone.now()
    with transaction.atomic():
        locked = CharterVersion.objects.select_for_update().get(pk=version.pk)
        if locked.state != VersionState.PROVISIONAL:
            raise InvalidChange(_("This draft is not provisional any more."))
        if selectors.current_version() is not None:
            raise InvalidChange(_("The charter is ratified: it changes only by amendment."))
        if not locked.articles.exists():
            raise InvalidChange(_("A charter needs at least one article."))
        locked.state = VersionState.BALLOT
        locked.save(update_fields=["state"])
        # The founding ballot is held by the founding values (DESIGN.md), never by the draft's
        # own numbers, which the admin wrote and the ballot is asked to ratify.
        founding = parameters.defaults()
        ballot = Ballot.objects.create(
            draft=locked,
            quorum_percent=founding["quorum_founding"],
            majority=founding["majority_founding"],
            eligibility_days=0,
            eligible_count=0,
        )
        # Voting opens, with every verified member on its roll, when the trustees have made
        # its key (ballots.open_prepared_ballots).
        trustees.prepare_election(ballot, now=now, values=founding)
    return ballot


def accept_charter(*, member: Member, version: CharterVersion | None) -> Acceptance | None:
    """Record that `member` read and accepted `version`, the charter in force.

    On a site with no charter yet (`version` None) there is nothing to record, and nothing
    keeps the member from writing.
    """
    with transaction.atomic():
        # Locks out a ratification that would make this acceptance stale as it is recorded.
        in_force = selectors.version_in_force(lock=True)
        if getattr(in_force, "pk", None) != getattr(version, "pk", None):
            raise InvalidChange(_("A newer version of the charter is in force: accept that one."))
        acceptance = None
        if version is not None:
            acceptance, _created = Acceptance.objects.get_or_create(member=member, version=version)
        Member.objects.filter(pk=member.pk).update(must_accept_charter=False)
    member.must_accept_charter = False
    return acceptance
