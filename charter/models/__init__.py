"""The charter's models, by subject: versions and acceptance, proposals, ballots."""

from charter.models.ballots import (
    Ballot,
    BallotState,
    Choice,
    RollEntry,
    VoidReason,
    Vote,
    quorum_reached,
)
from charter.models.proposals import (
    LIVE_STATES,
    ChangeAction,
    Proposal,
    ProposalState,
    ProposedChange,
    Sponsorship,
)
from charter.models.versions import (
    Acceptance,
    AcceptanceQuerySet,
    Article,
    CharterVersion,
    VersionState,
)

__all__ = [
    "LIVE_STATES",
    "Acceptance",
    "AcceptanceQuerySet",
    "Article",
    "Ballot",
    "BallotState",
    "ChangeAction",
    "CharterVersion",
    "Choice",
    "Proposal",
    "ProposalState",
    "ProposedChange",
    "RollEntry",
    "Sponsorship",
    "VersionState",
    "VoidReason",
    "Vote",
    "quorum_reached",
]
