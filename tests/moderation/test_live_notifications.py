"""A moderator's decision reaches the author by email through the real stack: the decision is
made over HTTP on gunicorn, queued in Redis, and sent by a Celery worker to a mail server.

The author keeps the default choice for decisions on their posts (emailed at once). The email
cites the article and gives the rationale, and names neither the signaller nor, by default,
the moderator.
"""

import pytest

from moderation.models import Case, Decision
from notifications.models import Kind, Preference
from tests.builders.charter import article
from tests.builders.members import MemberFactory
from tests.builders.moderation import signal
from tests.live_stack import wait_until

pytestmark = [
    pytest.mark.integration,
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True),
]

RATIONALE = "Advertising is off topic here: the thread is about growing tomatoes."
SUBJECT = "[Palabre] The moderators decided on your post in “Gardening tips”"


def test_an_upheld_decision_is_emailed_to_the_author_by_the_worker(
    live_stack, charter, post, author, moderator
):
    assert not Preference.objects.filter(member=author, kind=Kind.POST_DECISION).exists()
    signaller = MemberFactory(username="tattler", display_name="Tess Tattler")
    signal(post, signaller)
    case = Case.objects.get(post=post)

    client = live_stack.signed_in(moderator)
    status, page, _ = client.post_form(
        f"/moderation/cases/{case.pk}/",
        f"/moderation/cases/{case.pk}/decide/",
        {
            "outcome": "upheld",
            "articles": article(charter, 2).pk,
            "action": "hide",
            "sanction": "",
            "rationale": RATIONALE,
        },
    )
    assert status == 302, page

    def decisions_to_author() -> list:
        return [
            message
            for address, message in live_stack.mail.received
            if address == author.email and message["Subject"] == SUBJECT
        ]

    wait_until(decisions_to_author, timeout=15, what="the worker to email the author")
    [message] = decisions_to_author()
    text = message.get_body(("plain",)).get_content()
    assert "Upheld. Article 2: On topic" in text
    assert RATIONALE in text
    decision = Decision.objects.get(case=case)
    assert f"/moderation/decisions/{decision.pk}/" in text  # where the author may appeal
    html = message.get_body(("html",)).get_content()
    whole = "\n".join([message["Subject"], text, html])
    for name in (signaller.username, signaller.display_name, signaller.email):
        assert name not in whole
    assert moderator.display_name not in whole  # moderator names are for moderators only
