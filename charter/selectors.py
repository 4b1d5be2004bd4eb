"""Reads of the charter: versions, proposals, ballots and the rolls, as the pages need them.

No selector returns how anyone voted: the only reads of the ballot box are `audit_box` (how
many papers) and `count_votes`, which the close calls, and pages show a tally only from the
closed ballot's own columns.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from charter import belenios, parameters
from charter.models import (
    LIVE_STATES,
    Acceptance,
    Ballot,
    BallotState,
    CharterVersion,
    Election,
    Proposal,
    ProposalState,
    ProposedChange,
    RecordFile,
    RollEntry,
    Sponsorship,
    VersionState,
    Vote,
)
from charter.texts import ArticleText, Change
from members.models import Member


def current_version() -> CharterVersion | None:
    """The latest ratified version, or None before the founding ballot passes."""
    return CharterVersion.objects.filter(state=VersionState.RATIFIED).order_by("-number").first()


def parameters_in_force() -> dict:
    """The procedural numbers of the ratified charter; their founding values before there is one."""
    return values_in_force(current_version())


def values_in_force(version: CharterVersion | None) -> dict:
    """The numbers `version` holds if it is ratified; a draft's are only proposed, so until a
    charter is ratified the founding values hold."""
    return (
        version.settings if version is not None and version.is_ratified else parameters.defaults()
    )


def draft() -> CharterVersion | None:
    """The provisional draft, editable or in its founding ballot."""
    return CharterVersion.objects.filter(
        state__in=[VersionState.PROVISIONAL, VersionState.BALLOT]
    ).first()


def version_in_force(*, lock: bool = False) -> CharterVersion | None:
    """The charter members accept: the ratified one, else the provisional draft.

    With `lock`, its row is locked, which serialises ratifications with acceptances and
    ballot openings.
    """
    versions = CharterVersion.objects.all()
    if lock:
        versions = versions.select_for_update()
    ratified = versions.filter(state=VersionState.RATIFIED).order_by("-number").first()
    if ratified is not None:
        return ratified
    return versions.filter(state__in=[VersionState.PROVISIONAL, VersionState.BALLOT]).first()


def version_with_articles(**lookup) -> CharterVersion:
    return (
        CharterVersion.objects.prefetch_related("articles")
        .select_related("ratified_by__proposal")
        .get(**lookup)
    )


def ratified_versions() -> QuerySet[CharterVersion]:
    """Every version, newest first, with the ballot that ratified it."""
    return (
        CharterVersion.objects.filter(state=VersionState.RATIFIED)
        .select_related("ratified_by__proposal")
        .annotate(article_count=Count("articles"))
        .order_by("-number")
    )


def article_texts(version: CharterVersion) -> list[ArticleText]:
    return [
        ArticleText(a.identity, a.number, a.title, a.body, a.entrenched)
        for a in version.articles.all()
    ]


def changes_of(proposal: Proposal) -> list[Change]:
    return [
        Change(c.action, c.identity, c.title, c.body, c.entrenched, c.position)
        for c in proposal.changes.all()
    ]


def has_accepted(member: Member, version: CharterVersion) -> bool:
    return Acceptance.objects.filter(member=member, version=version).exists()


def verified_members(*, at: datetime) -> QuerySet[Member]:
    """Active accounts whose member had confirmed an email address by `at`: the facts the site
    wrote itself, which no admin form edits."""
    return Member.objects.filter(is_active=True, email_verified_at__lte=at)


# Mail domains reserved for documentation and tests (RFC 2606, RFC 6761): no person's mailbox
# is there. The demo, the generator, the benchmarks and the tests give every member one.
RESERVED_TOP_LEVEL_DOMAINS = ("test", "example", "invalid", "localhost")
RESERVED_DOMAINS = ("example.com", "example.net", "example.org")


def _at_reserved_domain(field: str) -> Q:
    at = Q()
    for domain in RESERVED_TOP_LEVEL_DOMAINS + RESERVED_DOMAINS:
        for ending in (f"@{domain}", f".{domain}"):
            at |= Q(**{f"{field}__iendswith": ending})
    return at


def members_at_real_addresses() -> QuerySet[Member]:
    """Members with an email address outside the reserved domains: people, as far as the site
    can tell. A rehearsal database has none (see rules.may_run_deadlines_as_of)."""
    real_address = EmailAddress.objects.filter(user=OuterRef("pk")).exclude(
        _at_reserved_domain("email")
    )
    return Member.objects.filter(
        (~Q(email="") & ~_at_reserved_domain("email")) | Exists(real_address)
    )


def eligible_voters(version: CharterVersion, *, at: datetime) -> QuerySet[Member]:
    """Verified, a member for the charter's number of days, not suspended, having accepted a
    ratified version of the charter (rules.why_not_eligible says it of one member)."""
    days = version.settings["eligibility_days"]
    accepted = Acceptance.objects.of_a_ratified_version().filter(member=OuterRef("pk"))
    return (
        verified_members(at=at)
        .filter(date_joined__lte=at - timedelta(days=days))
        .filter(Q(suspended_until__isnull=True) | Q(suspended_until__lte=at))
        .filter(Exists(accepted))
    )


# Proposals


def proposals(*, states: list[str] | None = None) -> QuerySet[Proposal]:
    listed = Proposal.objects.exclude(state=ProposalState.DRAFT)
    if states:
        listed = listed.filter(state__in=states)
    return (
        listed.select_related("author", "base")
        .prefetch_related("ballots")
        .annotate(sponsor_count=Count("sponsorships"))
    )


def drafts_of(member: Member) -> QuerySet[Proposal]:
    drafts = Proposal.objects.filter(author=member, state=ProposalState.DRAFT)
    return drafts.select_related("author", "base")


def proposal_detail(pk: int) -> Proposal:
    return (
        Proposal.objects.select_related("author", "base", "thread", "overtaken_by")
        .prefetch_related(
            "changes",
            "ballots",
            Prefetch(
                "sponsorships",
                queryset=Sponsorship.objects.select_related("member").order_by("created_at"),
            ),
        )
        .get(pk=pk)
    )


# Ballots


def open_ballots() -> QuerySet[Ballot]:
    return Ballot.objects.filter(state=BallotState.OPEN).select_related("proposal")


def founding_ballots() -> QuerySet[Ballot]:
    return Ballot.objects.filter(draft__isnull=False).select_related("draft")


def due_ballots(now: datetime) -> list[int]:
    return list(
        Ballot.objects.filter(state=BallotState.OPEN, closes_at__lte=now).values_list(
            "pk", flat=True
        )
    )


def overdue_ballots(now: datetime | None = None) -> QuerySet[Ballot]:
    """Open ballots whose close is later than the grace the beat schedule needs: a fault."""
    now = now or timezone.now()
    grace = timedelta(seconds=settings.CHARTER_CLOSE_GRACE_SECONDS)
    return Ballot.objects.filter(state=BallotState.OPEN, closes_at__lt=now - grace)


def ballot_detail(pk: int) -> Ballot:
    return Ballot.objects.select_related("proposal__author", "draft", "result", "election").get(
        pk=pk
    )


def votes_cast(ballot: Ballot) -> int:
    """How many have voted so far: public while the ballot runs, unlike what they chose."""
    return RollEntry.objects.filter(ballot=ballot, voted=True).count()


def may_still_vote(member: Member, ballot_id: int) -> bool:
    """Whether `member` is on the ballot's roll and has not voted: their one vote, which no site
    limit may refuse (core/rate_limits.py)."""
    # ballot__pk, not ballot_id: an id past the column's range (the URL takes any number) finds
    # nothing through the primary key's lookup, where the foreign key's sends it to the
    # database, which fails (SQLite).
    return RollEntry.objects.filter(ballot__pk=ballot_id, member=member, voted=False).exists()


def may_still_sponsor(member: Member, proposal_id: int) -> bool:
    """Whether the proposal seeks co-sponsors and `member` has yet to co-sponsor it."""
    seeking = Proposal.objects.filter(pk=proposal_id, state=ProposalState.SEEKING)
    sponsored = Sponsorship.objects.filter(proposal_id=proposal_id, member=member)
    return seeking.exists() and not sponsored.exists()


def roll_entry(ballot: Ballot, member: Member) -> RollEntry | None:
    if not member.is_authenticated:
        return None
    return RollEntry.objects.filter(ballot=ballot, member=member).first()


def roll(ballot: Ballot) -> QuerySet[RollEntry]:
    """Who was on the roll and who voted: published at the close."""
    return (
        RollEntry.objects.filter(ballot=ballot)
        .select_related("member")
        .order_by("member__username")
    )


@dataclass(frozen=True)
class BoxAudit:
    papers: int  # in the box
    ticks: int  # on the roll: members who voted

    @property
    def matches(self) -> bool:
        return self.papers == self.ticks


def audit_box(ballot: Ballot) -> BoxAudit:
    """The papers in the box against the ticks on the roll. A vote adds one of each in one
    transaction, so they differ only if someone wrote to the box or the roll otherwise: the
    close counts a box only when they match."""
    if ballot.is_encrypted:
        papers = RecordFile.objects.filter(election__ballot=ballot, event="Ballot").count()
    else:
        papers = Vote.objects.filter(ballot=ballot).count()
    return BoxAudit(
        papers=papers,
        ticks=RollEntry.objects.filter(ballot=ballot, voted=True).count(),
    )


# Elections: an encrypted ballot's public record, which anyone may read and check.


def election_of(ballot: Ballot) -> Election | None:
    """The election of an encrypted ballot (read with it by `ballot_detail`); None for a
    clear box."""
    if not ballot.is_encrypted:
        return None
    try:
        return ballot.election
    except Election.DoesNotExist:
        return None


def record_stream(election: Election) -> Iterator[belenios.File]:
    """The record's files in order, read a chunk at a time: a download of a long record never
    holds it whole in memory."""
    rows = (
        RecordFile.objects.filter(election=election)
        .order_by("position")
        .values_list("name", "content")
    )
    for name, content in rows.iterator(chunk_size=500):
        yield belenios.File(name, content.encode())


def papers(election: Election) -> QuerySet:
    """The encrypted papers in the box, in the record's order, as their contents: the ballot
    box page shows each by its tracker."""
    return (
        RecordFile.objects.filter(election=election, credential__isnull=False)
        .order_by("position")
        .values_list("content", flat=True)
    )


def paper_number(election: Election, tracker: str) -> int | None:
    """Where the paper with `tracker` is in the box, from 1; None if no paper has it."""
    contents = papers(election).iterator(chunk_size=500)
    for number, content in enumerate(contents, start=1):
        if belenios.tracker(content.encode()) == tracker:
            return number
    return None


def void_ballots() -> QuerySet[Ballot]:
    """Every ballot found void, newest first, for the history and the journal."""
    return Ballot.objects.filter(state=BallotState.VOID).select_related("proposal")


def unresolved_void_ballots() -> QuerySet[Ballot]:
    """Void ballots whose question has not been counted since: no later ballot on the same
    proposal (or, for a founding ballot, no later founding ballot) has closed with a count,
    and the proposal is still live. The health check reports them."""
    counted_since = Ballot.objects.filter(
        state=BallotState.CLOSED, opened_at__gte=OuterRef("closed_at")
    )
    awaiting = [*LIVE_STATES, ProposalState.BALLOT]
    amendment = Q(proposal__state__in=awaiting) & ~Exists(
        counted_since.filter(proposal=OuterRef("proposal"))
    )
    founding = Q(draft__isnull=False) & ~Exists(counted_since.filter(draft__isnull=False))
    return void_ballots().filter(amendment | founding).order_by("closed_at", "pk")


def count_votes(ballot: Ballot) -> dict[str, int]:
    counted = dict(
        Vote.objects.filter(ballot=ballot)
        .values("choice")
        .annotate(n=Count("id"))
        .values_list("choice", "n")
    )
    return {choice: counted.get(choice, 0) for choice in ("yes", "no", "abstain")}


def personal_data_of(member: Member) -> dict:
    """The member's part in the charter. How they voted is not here because it is nowhere."""
    proposals = Proposal.objects.filter(author=member).order_by("created_at", "pk")
    return {
        "acceptances": list(
            Acceptance.objects.filter(member=member)
            .order_by("accepted_at", "pk")
            .values("accepted_at", version_number=F("version__number"))
        ),
        "proposals": list(
            proposals.values(
                "id",
                "title",
                "rationale",
                "state",
                "revision",
                "parameters",
                "created_at",
                "submitted_at",
                "ended_at",
                amends_version=F("base__number"),
            )
        ),
        "proposed_changes": list(
            ProposedChange.objects.filter(proposal__in=proposals)
            .order_by("proposal", "position", "pk")
            .values("proposal", "action", "title", "body", "entrenched")
        ),
        "co_sponsorships": list(
            Sponsorship.objects.filter(member=member)
            .order_by("created_at", "pk")
            .values("proposal", "created_at", proposal_title=F("proposal__title"))
        ),
        "ballot_rolls": list(
            RollEntry.objects.filter(member=member)
            .order_by("ballot__opened_at", "pk")
            .values(
                "ballot",
                "voted",
                opened_at=F("ballot__opened_at"),
                closes_at=F("ballot__closes_at"),
                proposal_title=F("ballot__proposal__title"),
            )
        ),
        "how_you_voted": _(
            "Not recorded with you: the ballot box keeps each choice without its voter, its time "
            "or any order, so nobody, the site's administrators included, can tell how you voted."
        ),
    }
