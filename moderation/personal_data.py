"""What moderation keeps about a member, as their data download shows it (registered with
`members.personal_data` in the app's `ready`; `services.forget_member` is its erasing side)."""

from django.db.models import Prefetch

from charter.models import Article
from members.models import Member
from moderation.models import Appeal, Decision, JournalEntry, Signal
from moderation.selectors import has_sanction


def personal_data_of(member: Member) -> dict:
    """The member's signals, appeals, and the decisions on their posts: never who else
    signalled, nor which moderator decided."""
    cited = Prefetch("articles", queryset=Article.objects.select_related("version"))
    signals = (
        Signal.objects.filter(signaller=member).prefetch_related(cited).order_by("created_at", "pk")
    )
    decisions = (
        Decision.objects.filter(case__post__author=member)
        .select_related("case", "sanction")
        .prefetch_related(cited)
        .order_by("created_at", "pk")
    )
    return {
        "signals": [
            {
                "post": signal.post_id,
                "created_at": signal.created_at,
                "articles": _citations(signal.articles.all()),
                "other": signal.other,
                "note": signal.note,
                "outcome": signal.outcome,
            }
            for signal in signals
        ],
        "decisions_on_my_posts": [
            {
                "id": decision.pk,
                "post": decision.case.post_id,
                "created_at": decision.created_at,
                "outcome": decision.outcome,
                "action": decision.action,
                "articles": _citations(decision.articles.all()),
                "rationale": decision.rationale,
                "appeal_until": decision.appeal_until,
                "sanction": _sanction_data(decision),
            }
            for decision in decisions
        ],
        "appeals": list(
            Appeal.objects.filter(appellant=member)
            .order_by("created_at", "pk")
            .values("decision", "statement", "created_at", "state", "heard_at", "rationale")
        ),
        "decisions_made_as_moderator": list(
            Decision.objects.filter(moderator=member)
            .order_by("created_at", "pk")
            .values("id", "created_at", "outcome", "action", "rationale")
        ),
        # What admins did to the account, as the journal publishes it (without the admin).
        "account_changes": list(
            JournalEntry.objects.filter(member=member)
            .order_by("created_at", "pk")
            .values("created_at", "kind", "role", "rationale")
        ),
    }


def _citations(articles) -> list[dict]:
    return [{"number": a.number, "title": a.title, "version": a.version.number} for a in articles]


def _sanction_data(decision: Decision) -> dict | None:
    if not has_sanction(decision):
        return None
    sanction = decision.sanction
    return {
        "kind": sanction.kind,
        "days": sanction.days,
        "starts_at": sanction.starts_at,
        "ends_at": sanction.ends_at,
        "lifted_at": sanction.lifted_at,
    }
