"""The clear ballot box of ballots opened before encrypted ballots existed (`Box.CLEAR`): a
ballot open during the upgrade finishes with it. Its papers hold the choice in clear, so the
box is resealed to keep the database's bookkeeping from pairing a paper with its voter; an
encrypted ballot needs none of this.
"""

from django.db import connection, transaction
from django.db.models import Count, F, Q

from charter.models import Ballot, BallotState, Box, RollEntry, Vote


def reseal_ballot_box(ballot: Ballot) -> None:
    """Rewrite the box and the roll of `ballot` so that the database's own bookkeeping no
    longer pairs a paper with its voter. Call with the ballot row locked.

    A vote ticks the roll and drops its paper in one transaction, so on PostgreSQL both rows
    carry that transaction's id (xmin) and sit at matching places on disk (ctid). Rewriting
    every paper, sorted by choice, and every roll row in one transaction gives them all the
    same id and an order that says nothing of who voted first.
    """
    if connection.vendor == "postgresql":
        # One statement rather than a Python object per paper: 10,000 papers in a tenth of
        # the time.
        with connection.cursor() as cursor:
            cursor.execute(
                "WITH old AS (DELETE FROM charter_vote WHERE ballot_id = %s RETURNING choice)"
                " INSERT INTO charter_vote (id, ballot_id, choice)"
                " SELECT gen_random_uuid(), %s, choice FROM old ORDER BY choice",
                [ballot.pk, ballot.pk],
            )
            papers = cursor.rowcount
    else:
        choices = sorted(Vote.objects.filter(ballot=ballot).values_list("choice", flat=True))
        Vote.objects.filter(ballot=ballot).delete()
        Vote.objects.bulk_create([Vote(ballot=ballot, choice=choice) for choice in choices])
        papers = len(choices)
    RollEntry.objects.filter(ballot=ballot).update(voted=F("voted"))
    Ballot.objects.filter(pk=ballot.pk).update(papers_resealed=papers)
    ballot.papers_resealed = papers


def reseal_open_ballot_boxes() -> int:
    """Reseal the boxes that received papers since their last reseal (each deadline run)."""
    resealed = 0
    fresh = (
        Ballot.objects.filter(state=BallotState.OPEN, box=Box.CLEAR)
        .annotate(voted=Count("roll", filter=Q(roll__voted=True)))
        .filter(voted__gt=F("papers_resealed"))
        .values_list("pk", flat=True)
    )
    for pk in fresh:
        with transaction.atomic():
            ballot = Ballot.objects.select_for_update().get(pk=pk)
            reseal_ballot_box(ballot)
            resealed += 1
    if resealed:
        vacuum_ballot_boxes()
    return resealed


def vacuum_ballot_boxes() -> None:
    """Let PostgreSQL reclaim the old row versions, which still hold the pairing until then."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {Vote._meta.db_table}, {RollEntry._meta.db_table}")
