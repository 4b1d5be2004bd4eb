"""Who may do what with the charter: flat checks returning a boolean, or the reason why not."""

from datetime import datetime, timedelta

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from charter import selectors
from charter.models import (
    Acceptance,
    Ballot,
    CharterVersion,
    Proposal,
    ProposalState,
    RollEntry,
    VersionState,
)
from members.models import Member
from members.rules import Refused, can_participate

Person = Member | AnonymousUser


def can_draft(member: Person) -> bool:
    """Admins draft the provisional charter, and only that."""
    return bool(member.is_authenticated and member.is_staff)


def can_edit_draft(member: Person, version: CharterVersion) -> bool:
    return can_draft(member) and version.state == VersionState.PROVISIONAL


def why_not_eligible(
    member: Person, version: CharterVersion | None, *, at: datetime | None = None
) -> str | None:
    """Why `member` would not be on the roll of a ballot opening at `at`; None if they would.

    `version` is the ratified charter in force, whose parameters count. The same rule as
    `selectors.eligible_voters`, said of one member.
    """
    at = at or timezone.now()
    if not member.is_authenticated or not member.is_active:
        return _("Sign in to take part in the charter.")
    if version is None:
        return _("The charter has not been ratified yet: it cannot be amended.")
    if not member.was_verified_by(at):
        return _("Verify your email address first.")
    if suspended := why_suspended(member, at):
        return suspended
    days = version.settings["eligibility_days"]
    if member.date_joined > at - timedelta(days=days):
        eligible_on = timezone.localtime(member.date_joined + timedelta(days=days))
        return ngettext(
            "Members may take part after %(days)s day of membership: you may from %(date)s.",
            "Members may take part after %(days)s days of membership: you may from %(date)s.",
            days,
        ) % {"days": days, "date": date_format(eligible_on)}
    if not Acceptance.objects.of_a_ratified_version().filter(member=member).exists():
        return _("Accept the current version of the charter first.")
    return None


def standing_problem(
    member: Person, version: CharterVersion | None, *, at: datetime | None = None
) -> str | None:
    """Why `member` may not propose or co-sponsor an amendment; None if they may.

    They must be eligible to vote and, as for posting, have accepted `version`, the one in
    force, which the amendment changes.
    """
    if problem := why_not_eligible(member, version, at=at):
        return problem
    if not Acceptance.objects.filter(member=member, version=version).exists():
        return _("Accept the current version of the charter first.")
    return None


def why_suspended(member: Member, at: datetime) -> str | None:
    if member.suspended_until and member.suspended_until > at:
        return _("You are suspended until %(date)s.") % {
            "date": date_format(timezone.localtime(member.suspended_until))
        }
    return None


def can_propose(member: Person, version: CharterVersion | None) -> bool:
    return standing_problem(member, version) is None


def can_sponsor(
    member: Person,
    proposal: Proposal,
    version: CharterVersion | None,
    *,
    at: datetime | None = None,
) -> bool:
    if proposal.state != ProposalState.SEEKING or proposal.author_id == member.pk:
        return False
    if proposal.sponsors_due_at <= (at or timezone.now()):
        return False
    return standing_problem(member, version) is None


def can_revise(member: Person, proposal: Proposal) -> bool:
    if not can_participate(member) or proposal.author_id != member.pk:
        return False
    if proposal.state == ProposalState.DISCUSSION:
        return proposal.discussion_ends_at > timezone.now()
    return proposal.state in (ProposalState.DRAFT, ProposalState.OUTDATED)


def can_submit(member: Person, proposal: Proposal, version: CharterVersion | None) -> bool:
    if proposal.author_id != member.pk or proposal.state != ProposalState.DRAFT:
        return False
    return standing_problem(member, version) is None


def can_withdraw(member: Person, proposal: Proposal) -> bool:
    if not member.is_authenticated or proposal.author_id != member.pk:
        return False
    return proposal.state in (
        ProposalState.DRAFT,
        ProposalState.SEEKING,
        ProposalState.DISCUSSION,
        ProposalState.FROZEN,
        ProposalState.OUTDATED,
    )


def why_cannot_vote(member: Person, ballot: Ballot, entry: RollEntry | None) -> str | None:
    """The reason shown to a member who may not vote in `ballot`; None if they may."""
    if not member.is_authenticated:
        return _("Sign in to vote.")
    if entry is not None and entry.voted:
        return _("You have voted. A secret vote is final.")
    if ballot.is_preparing:
        return _("Voting opens when the ballot's trustees have made its key.")
    if not ballot.is_open:
        return _("This ballot is closed.")
    if entry is not None:
        return why_suspended(member, timezone.now())
    if member.date_joined > ballot.opened_at:
        return _("You joined after this ballot opened: its roll was frozen at the opening.")
    if member.date_joined > ballot.opened_at - timedelta(days=ballot.eligibility_days):
        return ngettext(
            "You had been a member for less than %(days)s day when this ballot opened.",
            "You had been a member for less than %(days)s days when this ballot opened.",
            ballot.eligibility_days,
        ) % {"days": ballot.eligibility_days}
    if not member.was_verified_by(ballot.opened_at):
        return _("Your email address was not verified when this ballot opened.")
    if ballot.is_founding:
        return _("Your account was inactive when this ballot opened.")
    # Suspensions keep no history here (moderation holds it), acceptances do.
    accepted = Acceptance.objects.of_a_ratified_version().filter(
        member=member,
        accepted_at__lte=ballot.opened_at,
        version__ratified_at__lte=ballot.opened_at,
    )
    if not accepted.exists():
        return _(
            "You had not accepted any ratified version of the charter when this ballot opened."
        )
    return _("You were suspended, or your account was inactive, when this ballot opened.")


# How far from the clock a run of the deadlines may be on a live site: a run passes on the
# time it read as it started.
CLOCK_SLACK = timedelta(minutes=1)


def why_deadlines_cannot_run_as_of(now: datetime) -> str | None:
    """Why the deadlines may not run as of `now` on this database; None if they may.

    At the clock's time, always. At another time (`run_charter_deadlines --days-ahead` or
    `--at`, which rehearse a cycle), only on a rehearsal database, one where no member has an
    address at a real mail domain: on a live site that time would close ballots, end
    discussions and lapse proposals before their time, or open ballots already past their
    close. Said to the operator, in English like the management commands' messages.
    """
    if abs(now - timezone.now()) <= CLOCK_SLACK:
        return None
    someone = selectors.members_at_real_addresses().values_list("username", flat=True).first()
    if someone is None:
        return None
    return (
        "The charter's deadlines run as of another time than now only on a rehearsal "
        "database, where every member's email address is at a domain reserved for tests "
        "(.test, .example, .invalid, .localhost, example.com, .net or .org), as the demo's and "
        f"the generator's are. This database has members at other addresses (such as "
        f"{someone}): it may be a live site, whose ballots, discussions and co-sponsoring "
        "windows would end before their time."
    )


class NotARehearsal(Refused):
    """The deadlines were asked to run as of another time on a database that may hold real
    members (rules.why_deadlines_cannot_run_as_of)."""


class InvalidChange(Refused):
    """A charter edit or proposal that cannot be made as asked; the message says why."""
