"""The charter's models, by subject: versions and acceptance, proposals, ballots."""

from charter.models.ballots import (
    Ballot,
    BallotState,
    Box,
    Choice,
    RollEntry,
    VoidReason,
    Vote,
    quorum_reached,
)
from charter.models.elections import Election, RecordFile, Trustee, VoterCredential
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
    "Box",
    "ChangeAction",
    "CharterVersion",
    "Choice",
    "Election",
    "Proposal",
    "ProposalState",
    "ProposedChange",
    "RecordFile",
    "RollEntry",
    "Sponsorship",
    "Trustee",
    "VersionState",
    "VoidReason",
    "Vote",
    "VoterCredential",
    "quorum_reached",
]
