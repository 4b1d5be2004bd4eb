"""Members as tests need them: verified, past their first week, with one known password;
elders, old enough to vote; and a test client signed in as one."""

import io
import json
import zipfile
from datetime import datetime, timedelta

import factory
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from faker import Faker

from members.models import Member

PASSWORD = "correct-horse-battery"
# No two members' names may look alike (members.names): each built member gets a name of its own.
_names = Faker().unique


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"member{n}")
    email = factory.LazyAttribute(lambda m: f"{m.username}@example.org")
    display_name = factory.LazyFunction(lambda: _names.name())
    password = factory.django.Password(PASSWORD)
    must_accept_charter = False
    # Past their first day and their first week (a newcomer's posting limits, and signals that
    # hide nothing: a test of them asks for a `date_joined`), not yet 30 days to vote.
    date_joined = factory.LazyFunction(lambda: timezone.now() - timedelta(days=20))
    # Confirmed their address as they joined (members.adapter records it); None for a member
    # who never did.
    email_verified_at = factory.LazyAttribute(lambda member: member.date_joined)

    @factory.post_generation
    def verified_email(member, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(
                user=member,
                email=member.email,
                verified=member.email_verified_at is not None,
                primary=True,
            )


def elder(*, now: datetime | None = None, **fields) -> Member:
    """A member who joined 60 days before `now` (unless `date_joined` says otherwise): past the
    30 days a voter needs."""
    fields.setdefault("date_joined", (now or timezone.now()) - timedelta(days=60))
    return MemberFactory(**fields)


def elders(count: int = 4, *, now: datetime | None = None) -> list[Member]:
    return [elder(now=now) for _ in range(count)]


def signed_in(member: Member) -> Client:
    """A test client with `member`'s session."""
    client = Client()
    client.force_login(member)
    return client


def password_confirmed(member: Member) -> Client:
    """A test client with `member`'s session, in which they gave their password again a moment
    ago: what a sensitive account change asks (allauth's reauthentication)."""
    client = signed_in(member)
    response = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 302, response
    return client


def downloaded_archive(client: Client) -> zipfile.ZipFile:
    """The member's download of their data (members.personal_data.archive), as received."""
    response = client.get(reverse("members:my_data_export"))
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def downloaded_data(client: Client) -> dict:
    return json.loads(downloaded_archive(client).read("data.json"))
