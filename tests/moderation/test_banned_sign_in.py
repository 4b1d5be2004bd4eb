"""A banned account's right password gets the answer a wrong one gets, so that the sign-in page
confirms no password to whoever tries it; the member learns why by email, at most once an hour,
and appeals through the link it carries."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from members import services as members
from moderation.models import Appeal
from moderation.sanctions import SanctionKind, Step
from tests.builders.members import PASSWORD
from tests.builders.moderation import signal, uphold

pytestmark = pytest.mark.django_db

LINK = re.compile(r"(https?://[^/\s]+)(/moderation/appeal/[^/\s]+/)")


@pytest.fixture
def banned(post, moderator, author, django_capture_on_commit_callbacks):
    """`author`, banned; the ban email already sent and set aside."""
    with django_capture_on_commit_callbacks(execute=True):
        uphold(signal(post).case, moderator, sanction=Step(SanctionKind.BAN))
    author.refresh_from_db()
    assert author.is_banned
    mail.outbox.clear()
    return author


def sign_in(password: str, capture, *, login: str = "author"):
    with capture(execute=True):
        return Client().post("/accounts/login/", {"login": login, "password": password})


def as_seen(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.text)


def sign_in_notices(member) -> list:
    return [message for message in mail.outbox if message.to == [member.email]]


@pytest.mark.parametrize("login", ["author", "author@example.org"])
def test_a_banned_accounts_right_password_is_answered_as_a_wrong_one(
    banned, django_capture_on_commit_callbacks, login
):
    right = sign_in(PASSWORD, django_capture_on_commit_callbacks, login=login)
    wrong = sign_in("not-the-password", django_capture_on_commit_callbacks, login=login)
    assert right.status_code == wrong.status_code == 200
    assert [t.name for t in right.templates] == [t.name for t in wrong.templates]
    assert as_seen(right) == as_seen(wrong)
    assert "Account banned" not in right.text
    assert "_auth_user_id" not in right.wsgi_request.session


def test_it_counts_as_a_failed_sign_in(settings, banned, django_capture_on_commit_callbacks):
    settings.ACCOUNT_RATE_LIMITS = settings.ACCOUNT_RATE_LIMITS | {"login_failed": "2/5m/key"}
    for _attempt in range(2):
        sign_in(PASSWORD, django_capture_on_commit_callbacks)
    refused = sign_in(PASSWORD, django_capture_on_commit_callbacks)
    assert "Too many failed login attempts" in refused.text


def test_the_member_is_told_by_email_once_an_hour_in_their_language(
    banned, settings, django_capture_on_commit_callbacks
):
    banned.language = "fr"
    banned.save(update_fields=["language"])
    for _attempt in range(3):
        sign_in(PASSWORD, django_capture_on_commit_callbacks)
    [notice] = sign_in_notices(banned)
    assert settings.SITE_NAME in notice.subject and banned.username in notice.body
    # Its new sentences await their translation; the signature has one already.
    assert "un forum dont les règles appartiennent à ses membres" in notice.body
    assert LINK.search(notice.body)[1] == settings.SITE_URL
    # An hour later (the counter gone from the cache), the next attempt is told again.
    cache.delete(f"members:banned-sign-in:{banned.pk}")
    sign_in(PASSWORD, django_capture_on_commit_callbacks)
    assert len(sign_in_notices(banned)) == 2
    assert members.BANNED_SIGN_IN_NOTICE_SECONDS == 3600


def test_a_wrong_password_tells_the_banned_member_nothing(
    banned, django_capture_on_commit_callbacks
):
    sign_in("not-the-password", django_capture_on_commit_callbacks)
    assert sign_in_notices(banned) == []


def test_the_member_appeals_through_the_emails_link(banned, django_capture_on_commit_callbacks):
    sign_in(PASSWORD, django_capture_on_commit_callbacks)
    [notice] = sign_in_notices(banned)
    assert "appeal" in notice.body
    link = LINK.search(notice.body)[2]
    visitor = Client()
    assert visitor.get(link).context["appeal_form"] is not None
    response = visitor.post(link, {"statement": "I was quoting the advert to warn others."})
    assert response.status_code == 302
    assert Appeal.objects.get().appellant == banned
