"""Reads of moderation data, as the pages and the services need them.

Every list (queue, journal, my signals, a thread page's posts) is read in a fixed number of
queries whatever its length: related rows are joined or prefetched, never fetched per row.
"""

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from charter import selectors as charter
from charter.models import Article, CharterVersion
from forum.models import Post
from members.models import Member
from members.rules import is_moderator
from moderation import rules
from moderation.models import (
    Appeal,
    AppealState,
    Case,
    CaseEvent,
    CaseState,
    Decision,
    EventKind,
    JournalCitation,
    JournalEntry,
    JournalKind,
    Outcome,
    Signal,
)
from moderation.sanctions import Step, ladder, step_after


def citable_articles() -> QuerySet[Article]:
    """Signals and decisions cite the ratified charter: its words never change afterwards."""
    return _articles_of(charter.current_version())


def _articles_of(version: CharterVersion | None) -> QuerySet[Article]:
    if version is None:
        return Article.objects.none()
    return Article.objects.filter(version=version).select_related("version").order_by("number")


@dataclass(frozen=True)
class DecisionChoices:
    """What a decision may cite and give, from one read of the ratified charter in force."""

    articles: QuerySet[Article]
    ladder: tuple[Step, ...]


def decision_choices() -> DecisionChoices:
    version = charter.current_version()
    steps = ladder(charter.values_in_force(version)["sanction_ladder"])
    return DecisionChoices(articles=_articles_of(version), ladder=steps)


def moderators() -> QuerySet[Member]:
    return Member.objects.filter(is_moderator=True, is_active=True)


def signaller_ids(case: Case) -> set[int]:
    return set(case.signals.values_list("signaller_id", flat=True))


def my_signals_url() -> str:
    return reverse("moderation:my_signals")


# Signallers


def signals_in_last_day(member: Member, *, now: datetime) -> int:
    return Signal.objects.filter(signaller=member, created_at__gt=now - timedelta(days=1)).count()


@dataclass(frozen=True)
class Record:
    upheld: int = 0
    dismissed: int = 0
    overturned: int = 0

    @property
    def settled(self) -> int:
        return self.upheld + self.dismissed + self.overturned


def signaller_records(member_ids: set[int]) -> dict[int, Record]:
    rows = (
        Signal.objects.filter(signaller_id__in=member_ids, decision__isnull=False)
        .values("signaller_id")
        .annotate(
            upheld=Count("pk", filter=Q(outcome=Outcome.UPHELD)),
            dismissed=Count("pk", filter=Q(outcome=Outcome.DISMISSED)),
            overturned=Count("pk", filter=Q(outcome=Outcome.OVERTURNED)),
        )
        .order_by()
    )
    return {
        row["signaller_id"]: Record(row["upheld"], row["dismissed"], row["overturned"])
        for row in rows
    }


def signalled_posts(member, post_ids: list[int]) -> set[int]:
    """Which of these posts `member` has signalled."""
    if not member.is_authenticated:
        return set()
    return set(
        Signal.objects.filter(signaller=member, post_id__in=post_ids).values_list(
            "post_id", flat=True
        )
    )


def my_signals(member: Member) -> list[Signal]:
    return list(
        Signal.objects.filter(signaller=member)
        .select_related("post__thread__category", "decision__appeal")
        .prefetch_related("articles")
        .order_by("-created_at", "-pk")
    )


# The queue and cases


@dataclass(frozen=True)
class QueueFilters:
    category: str = ""  # a category slug
    article: uuid.UUID | None = None  # an article identity
    claimed: str = ""  # "", "mine", "claimed" or "unclaimed"


def queue(member: Member, filters: QueueFilters) -> list[Case]:
    """Open cases, oldest first, each with its pending signals, the articles they cite and
    their counts, and each signaller's record."""
    cases = (
        Case.objects.filter(state=CaseState.OPEN)
        .select_related("post__thread__category", "post__author", "claimed_by")
        .prefetch_related(
            Prefetch(
                "signals",
                queryset=Signal.objects.filter(decision__isnull=True)
                .select_related("signaller")
                .prefetch_related(Prefetch("articles", queryset=Article.objects.order_by("number")))
                .order_by("created_at", "pk"),
                to_attr="pending_signals",
            )
        )
        .order_by("opened_at", "pk")
    )
    if filters.category:
        cases = cases.filter(post__thread__category__slug=filters.category)
    if filters.article:
        cases = cases.filter(
            pk__in=Signal.objects.filter(
                decision__isnull=True, articles__identity=filters.article
            ).values("case")
        )
    held = Q(claim_lapses_at__gt=timezone.now())  # a lapsed claim holds nothing
    if filters.claimed == "mine":
        cases = cases.filter(held, claimed_by=member)
    elif filters.claimed == "claimed":
        cases = cases.filter(held)
    elif filters.claimed == "unclaimed":
        cases = cases.exclude(held)
    cases = list(cases)
    _describe_signals(cases, member)
    return cases


def _describe_signals(cases: list[Case], viewer: Member) -> None:
    """Count each case's cited articles and, where `viewer` may know who signalled
    (`signallers_shown`), attach every signaller's record, in one query; and say who holds
    each case (`holder`: nobody once a claim has lapsed)."""
    for case in cases:
        case.signallers_shown = rules.can_see_signallers(viewer, case)
        case.holder = case.claimed_by if rules.is_held(case) else None
    records = signaller_records(
        {
            signal.signaller_id
            for case in cases
            if case.signallers_shown
            for signal in case.pending_signals
        }
    )
    for case in cases:
        cited: Counter = Counter()
        others = 0
        for signal in case.pending_signals:
            if case.signallers_shown:
                signal.record = records.get(signal.signaller_id, Record())
            cited.update(signal.articles.all())
            others += signal.other
        case.cited = sorted(cited.items(), key=lambda pair: pair[0].number)
        case.other_count = others
        case.signaller_count = len(case.pending_signals)


# Events whose actor would name a signaller to the author (the only conflicts of interest that
# make a moderator step aside are writing the post and signalling it), and whose note is the
# moderators' own.
NAMING_EVENTS = {EventKind.SIGNALLED, EventKind.STEPPED_ASIDE}
MODERATORS_NOTES = {EventKind.DEFERRED}


def case_detail(pk: int, viewer: Member) -> Case:
    """The case with its signals, history and decisions, as `viewer` may see them: for the
    post's author, the signals and history without who signalled (see `_describe_signals`)."""
    try:
        case = (
            Case.objects.select_related("post__thread__category", "post__author", "claimed_by")
            .prefetch_related(
                Prefetch(
                    "signals",
                    queryset=Signal.objects.select_related("signaller", "decision")
                    .prefetch_related("articles")
                    .order_by("created_at", "pk"),
                    to_attr="all_signals",
                ),
                Prefetch(
                    "events", queryset=CaseEvent.objects.select_related("actor"), to_attr="history"
                ),
                Prefetch("decisions", queryset=_decisions().order_by("-created_at", "-pk")),
            )
            .get(pk=pk)
        )
    except Case.DoesNotExist:
        raise Http404 from None
    case.pending_signals = [s for s in case.all_signals if s.decision_id is None]
    _describe_signals([case], viewer)
    for event in case.history:
        hidden = not case.signallers_shown
        event.shown_actor = None if hidden and event.kind in NAMING_EVENTS else event.actor
        event.shown_note = "" if hidden and event.kind in MODERATORS_NOTES else event.note
    return case


def _decisions() -> QuerySet[Decision]:
    return Decision.objects.select_related(
        "moderator", "sanction", "appeal__heard_by", "case__post__thread"
    ).prefetch_related(Prefetch("articles", queryset=Article.objects.select_related("version")))


def snapshots(case: Case) -> list[tuple[str, list[Signal]]]:
    """The distinct texts signalled (as rendered then), each with the signals that saw it."""
    seen: dict[str, list[Signal]] = {}
    for signal in case.pending_signals or case.all_signals:
        seen.setdefault(signal.snapshot_html, []).append(signal)
    return list(seen.items())


def previous_upheld_decisions(author: Member | None) -> list[Decision]:
    if author is None:
        return []
    decisions = _decisions().filter(case__post__author=author, outcome=Outcome.UPHELD)
    return list(decisions.order_by("-created_at", "-pk"))


def ladder_in_force() -> tuple[Step, ...]:
    """The sanctions a decision may give: the steps of the charter's ladder in force."""
    return ladder(charter.parameters_in_force()["sanction_ladder"])


def suggested_sanction(previous: list[Decision], steps: tuple[Step, ...]) -> Step:
    """The step of `steps` after the heaviest sanction the author received and kept (not
    overturned), whatever ladder it was given on."""
    return step_after(
        (
            decision.sanction.step
            for decision in previous
            if has_sanction(decision) and not is_overturned(decision)
        ),
        steps,
    )


def has_sanction(decision: Decision) -> bool:
    try:
        decision.sanction  # noqa: B018 — the reverse one-to-one raises when absent
    except Decision.sanction.RelatedObjectDoesNotExist:
        return False
    return True


def appeal_of(decision: Decision) -> Appeal | None:
    try:
        return decision.appeal
    except Decision.appeal.RelatedObjectDoesNotExist:
        return None


def is_overturned(decision: Decision) -> bool:
    appeal = appeal_of(decision)
    return appeal is not None and appeal.state == AppealState.OVERTURNED


def decision_detail(pk: int) -> Decision:
    try:
        return _decisions().select_related("case__post__author").get(pk=pk)
    except Decision.DoesNotExist:
        raise Http404 from None


def pending_appeals() -> list[Appeal]:
    return list(
        Appeal.objects.filter(state=AppealState.PENDING)
        .select_related("decision__moderator", "decision__case__post__thread", "appellant")
        .order_by("created_at", "pk")
    )


def pending_appeal_count() -> int:
    return Appeal.objects.filter(state=AppealState.PENDING).count()


def appeal_detail(pk: int) -> Appeal:
    try:
        return Appeal.objects.select_related(
            "appellant", "heard_by", "decision__moderator", "decision__sanction"
        ).get(pk=pk)
    except Appeal.DoesNotExist:
        raise Http404 from None


# The journal


@dataclass(frozen=True)
class JournalFilters:
    article: uuid.UUID | None = None  # an article identity
    outcome: str = ""


def journal(filters: JournalFilters) -> QuerySet[JournalEntry]:
    entries = JournalEntry.objects.select_related(
        "post__thread__category", "moderator", "member"
    ).prefetch_related(
        Prefetch(
            "citations",
            queryset=JournalCitation.objects.select_related("article__version").order_by(
                "article__number"
            ),
        )
    )
    if filters.article:
        entries = entries.filter(
            pk__in=JournalCitation.objects.filter(article__identity=filters.article).values("entry")
        )
    if filters.outcome:
        entries = entries.filter(outcome=filters.outcome)
    return entries


@dataclass
class ArticleStatistics:
    identity: uuid.UUID
    article: Article  # as now worded, or as last cited if the article was since removed
    cited: int
    upheld: int
    dismissed: int
    overturned: int


def article_statistics() -> list[ArticleStatistics]:
    """Per article (followed across versions): decisions citing it, upheld, dismissed, and
    overturned on appeal."""
    decisions = Q(entry__kind=JournalKind.DECISION)
    rows = list(
        JournalCitation.objects.values("article__identity")
        .annotate(
            cited=Count("pk", filter=decisions),
            upheld=Count("pk", filter=decisions & Q(entry__outcome=Outcome.UPHELD)),
            dismissed=Count("pk", filter=decisions & Q(entry__outcome=Outcome.DISMISSED)),
            overturned=Count(
                "pk",
                filter=Q(entry__kind=JournalKind.APPEAL, entry__outcome=AppealState.OVERTURNED),
            ),
        )
        .order_by()
    )
    identities = [row["article__identity"] for row in rows]
    latest: dict[uuid.UUID, Article] = {}
    for article in Article.objects.filter(identity__in=identities).order_by(
        "identity", "-version__number", "-version_id"
    ):
        latest.setdefault(article.identity, article)
    statistics = [
        ArticleStatistics(
            identity=row["article__identity"],
            article=latest[row["article__identity"]],
            cited=row["cited"],
            upheld=row["upheld"],
            dismissed=row["dismissed"],
            overturned=row["overturned"],
        )
        for row in rows
    ]
    return sorted(statistics, key=lambda s: (s.article.number, str(s.identity)))


def journal_articles() -> list[Article]:
    """One article per identity cited in the journal or in the charter in force, worded as
    now (or as last cited, if an amendment removed it)."""
    latest: dict[uuid.UUID, Article] = {}
    cited = Article.objects.filter(pk__in=JournalCitation.objects.values("article")).select_related(
        "version"
    )
    for article in sorted(cited, key=lambda a: a.version.number or 0):
        latest[article.identity] = article
    for article in citable_articles():
        latest[article.identity] = article
    return sorted(latest.values(), key=lambda a: (a.number, str(a.identity)))


# A thread page's posts (the forum's extension)


def annotate_posts(posts: list[Post], member) -> None:
    """What moderation shows on each post: the "Signal" action, and the decision in force on
    it (a note kept on the post, or why it is hidden) for those who may read it."""
    by_id = {post.pk: post for post in posts}
    signalled = signalled_posts(member, list(by_id))
    cases = {}
    if is_moderator(member):
        cases = dict(Case.objects.filter(post_id__in=by_id).values_list("post_id", "pk"))
    decisions: dict[int, Decision] = {}
    for decision in (
        Decision.objects.filter(case__post_id__in=by_id, outcome=Outcome.UPHELD)
        .select_related("case", "appeal")
        .prefetch_related("articles")
        .order_by("created_at", "pk")
    ):
        decisions[decision.case.post_id] = decision  # the latest wins
    for post in posts:
        post.signalled_by_me = post.pk in signalled
        post.can_signal = not post.signalled_by_me and rules.can_signal(member, post)
        post.moderation_case_id = cases.get(post.pk)
        decision = decisions.get(post.pk)
        if decision is not None and is_overturned(decision):
            decision = None
        post.moderation_decision = decision
        post.moderation_note_public = (
            decision is not None and decision.action in rules.KEPT_WITH_A_NOTE
        )
        post.moderation_reason_visible = decision is not None and rules.can_read_post_decision(
            member, post, decision
        )


def post_annotations_key(post: Post) -> tuple:
    """Everything `annotate_posts` set on `post` that its templates show (a decision's
    articles and rationale never change)."""
    decision = post.moderation_decision
    return (
        post.signalled_by_me,
        post.can_signal,
        post.moderation_case_id,
        decision.pk if decision is not None else None,
        post.moderation_note_public,
        post.moderation_reason_visible,
    )
