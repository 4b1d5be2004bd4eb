"""A banned member cannot sign in, so the ban email carries a signed link, good for the appeal
period, that opens the decision and the appeal form without signing in; the appeal is heard
like any other, and an overturn lifts the ban."""

import re
import time
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.test import Client
from django.utils import timezone

from members.models import Member
from moderation import services
from moderation.appeal_links import SALT, ban_appeal_url
from moderation.models import Appeal, AppealState, Decision
from moderation.sanctions import SanctionKind, Step
from notifications import services as notifications
from notifications.models import EmailChoice, Kind
from tests.builders.members import PASSWORD
from tests.builders.moderation import signal, uphold

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^/\s]+(/moderation/appeal/[^/\s]+/)")
STATEMENT = {"statement": "I was quoting the advert to warn others."}


def ban(post, moderator, capture) -> Decision:
    """A moderator bans `post`'s author; the emails it makes are sent."""
    with capture(execute=True):
        return uphold(signal(post).case, moderator, sanction=Step(SanctionKind.BAN))


def appeal_link(member: Member) -> str:
    """The path of the appeal link in the last email `member` received."""
    [email] = [message for message in mail.outbox if message.to == [member.email]][-1:]
    return LINK.search(email.body)[1]


def signed_at(moment: float, decision: Decision, member: Member, monkeypatch) -> str:
    """A link to appeal `decision`, as if signed at `moment` (seconds since the epoch)."""
    with monkeypatch.context() as patched:
        patched.setattr(time, "time", lambda: moment)
        return ban_appeal_url(decision=decision, member_id=member.pk)


def test_the_ban_email_carries_a_signed_link_to_appeal_whatever_the_members_email_choices(
    post, author, moderator, django_capture_on_commit_callbacks
):
    notifications.choose_emails(member=author, choices={Kind.POST_DECISION: EmailChoice.NEVER})
    decision = ban(post, moderator, django_capture_on_commit_callbacks)
    link = appeal_link(author)
    page = Client().get(link)  # nobody signed in
    assert page.status_code == 200
    assert decision.rationale in page.text and "Ban" in page.text
    assert page.context["appeal_form"] is not None


def test_a_banned_member_appeals_through_the_link_and_an_overturn_lifts_the_ban(
    post, author, moderator, second_moderator, django_capture_on_commit_callbacks
):
    decision = ban(post, moderator, django_capture_on_commit_callbacks)
    author.refresh_from_db()
    assert author.is_banned
    link = appeal_link(author)
    visitor = Client()
    response = visitor.post(link, STATEMENT)
    assert response.status_code == 302 and response["Location"] == link
    appeal = Appeal.objects.get(decision=decision)
    assert (appeal.appellant, appeal.statement) == (author, STATEMENT["statement"])
    assert "Awaiting a hearing" in visitor.get(link).text
    assert visitor.post(link, STATEMENT).status_code == 200  # nothing more to file
    assert Appeal.objects.count() == 1
    services.hear_appeal(
        moderator=second_moderator,
        appeal=appeal,
        outcome=AppealState.OVERTURNED,
        rationale="A warning to others, not an advert.",
    )
    author.refresh_from_db()
    assert not author.is_banned
    signed_in = visitor.post("/accounts/login/", {"login": author.username, "password": PASSWORD})
    assert signed_in.status_code == 302 and "_auth_user_id" in visitor.session


def test_a_banned_member_whose_appeal_is_confirmed_is_told_by_email_with_a_link_to_read_it(
    post, author, moderator, second_moderator, django_capture_on_commit_callbacks
):
    decision = ban(post, moderator, django_capture_on_commit_callbacks)
    Client().post(appeal_link(author), STATEMENT)
    notifications.choose_emails(member=author, choices={Kind.APPEAL_OUTCOME: EmailChoice.NEVER})
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.hear_appeal(
            moderator=second_moderator,
            appeal=Appeal.objects.get(decision=decision),
            outcome=AppealState.CONFIRMED,
            rationale="Advertising it was.",
        )
    page = Client().get(appeal_link(author))
    assert "Decision confirmed" in page.text and "Advertising it was." in page.text


def test_a_forged_or_damaged_link_gets_a_clear_page_and_files_nothing(
    post, author, moderator, other_member, django_capture_on_commit_callbacks
):
    decision = ban(post, moderator, django_capture_on_commit_callbacks)
    link = appeal_link(author)
    token = link.split("/")[-2]
    someone_else = signing.dumps([decision.pk, other_member.pk], salt=SALT)
    wrong_salt = signing.dumps([decision.pk, author.pk], salt="forum.stop-watching")
    for forged in (token[:-3] + "abc", token[:20], someone_else, wrong_salt, "x", "1:2:3"):
        for method in ("get", "post"):
            response = getattr(Client(), method)(f"/moderation/appeal/{forged}/", STATEMENT)
            assert response.status_code == 404, (forged, method)
            assert "This link does not work" in response.text
    assert not Appeal.objects.exists()


@pytest.mark.parametrize(("days_ago", "works"), [(13.9, True), (14.1, False)])
def test_the_link_is_good_for_the_appeal_period(
    post, author, moderator, django_capture_on_commit_callbacks, monkeypatch, days_ago, works
):
    decision = ban(post, moderator, django_capture_on_commit_callbacks)
    Decision.objects.filter(pk=decision.pk).update(
        created_at=timezone.now() - timedelta(days=days_ago),
        appeal_until=timezone.now() - timedelta(days=days_ago - 14),
    )
    moment = time.time() - days_ago * 86_400
    link = signed_at(moment, decision, author, monkeypatch)
    response = Client().post(link, STATEMENT)
    if works:
        assert response.status_code == 302 and Appeal.objects.filter(decision=decision).exists()
    else:
        assert response.status_code == 404 and "time to appeal" in response.text
        assert not Appeal.objects.exists()


def test_the_public_appeal_form_keeps_its_csrf_protection(
    post, author, moderator, django_capture_on_commit_callbacks
):
    ban(post, moderator, django_capture_on_commit_callbacks)
    response = Client(enforce_csrf_checks=True).post(appeal_link(author), STATEMENT)
    assert response.status_code == 403
    assert not Appeal.objects.exists()


def test_the_public_appeal_form_is_rate_limited_per_address_but_never_stops_a_members_appeal(
    settings, post, author, moderator, django_capture_on_commit_callbacks
):
    settings.MEMBER_RATE_LIMITS = settings.MEMBER_RATE_LIMITS | {"appealing-by-link": "2/h"}
    ban(post, moderator, django_capture_on_commit_callbacks)
    same_address = Client()
    for _attempt in range(2):
        assert same_address.post("/moderation/appeal/forged/", STATEMENT).status_code == 404
    assert same_address.post("/moderation/appeal/forged/", STATEMENT).status_code == 429
    assert same_address.post(appeal_link(author), STATEMENT).status_code == 302
    assert Appeal.objects.count() == 1
