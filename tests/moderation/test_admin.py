"""The admin shows moderation's records and changes none of them: moderation is done on the site,
where every step is checked, notified and journalled, and the journal is append-only."""

import pytest

from forum import services as forum
from moderation import services
from moderation.models import (
    Appeal,
    AppealState,
    Case,
    CaseEvent,
    Decision,
    JournalCitation,
    JournalEntry,
    Sanction,
    Signal,
)
from moderation.sanctions import SanctionKind, Step
from tests.builders.charter import charter_in_force
from tests.builders.forum import make_thread
from tests.builders.members import MemberFactory
from tests.builders.moderation import appeal, signal, uphold

pytestmark = pytest.mark.django_db

ADMINS = {
    Case: {"state": "settled", "claimed_by": ""},
    Signal: {"note": "Rewritten", "outcome": "upheld"},
    Decision: {"outcome": "dismissed", "action": "", "rationale": "Rewritten"},
    Sanction: {"kind": "warning", "days": "", "lifted_at_0": "2020-01-01"},
    Appeal: {"state": "confirmed", "statement": "Rewritten"},
    JournalEntry: {"outcome": "dismissed", "rationale": "Rewritten", "action": ""},
}
EVERY_MODEL = [*ADMINS, CaseEvent, JournalCitation]


@pytest.fixture(autouse=True)
def charter(db):
    return charter_in_force()


@pytest.fixture
def records(post, moderator, second_moderator) -> None:
    """A row of every moderation model: a signal, its case, a decision with a suspension, an
    appeal heard and overturned, and the journal entries they wrote."""
    signal(post)
    decision = uphold(post.moderation_case, moderator, sanction=Step(SanctionKind.SUSPENSION, 3))
    services.hear_appeal(
        moderator=second_moderator,
        appeal=appeal(decision),
        outcome=AppealState.OVERTURNED,
        rationale="It was a joke after all.",
    )
    assert all(model.objects.exists() for model in EVERY_MODEL)


def url(model, suffix: str = "") -> str:
    return f"/admin/moderation/{model._meta.model_name}/{suffix}"


def snapshot() -> dict:
    return {model: list(model.objects.order_by("pk").values()) for model in EVERY_MODEL}


@pytest.mark.parametrize("model", ADMINS, ids=lambda model: model.__name__)
def test_the_admin_lists_every_moderation_record(admin_client, records, model):
    response = admin_client.get(url(model))
    assert response.status_code == 200
    assert response.context["cl"].result_count == model.objects.count()


@pytest.mark.parametrize("model", ADMINS, ids=lambda model: model.__name__)
def test_the_admin_shows_a_record_read_only(admin_client, records, model):
    row = model.objects.first()
    response = admin_client.get(url(model, f"{row.pk}/change/"))
    assert response.status_code == 200
    assert 'name="_save"' not in response.text and "deletelink" not in response.text


@pytest.mark.parametrize("model", ADMINS, ids=lambda model: model.__name__)
def test_nothing_can_be_added_in_the_admin(admin_client, records, model, post):
    before = snapshot()
    assert admin_client.get(url(model, "add/")).status_code == 403
    assert admin_client.post(url(model, "add/"), {"post": post.pk}).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("model", ADMINS, ids=lambda model: model.__name__)
def test_nothing_can_be_changed_in_the_admin(admin_client, records, model):
    row = model.objects.first()
    before = snapshot()
    response = admin_client.post(url(model, f"{row.pk}/change/"), ADMINS[model])
    assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("model", ADMINS, ids=lambda model: model.__name__)
def test_nothing_can_be_deleted_in_the_admin(admin_client, records, model):
    row = model.objects.first()
    before = snapshot()
    assert admin_client.get(url(model, f"{row.pk}/delete/")).status_code == 403
    assert admin_client.post(url(model, f"{row.pk}/delete/"), {"post": "yes"}).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("model", ADMINS, ids=lambda model: model.__name__)
def test_no_list_offers_delete_selected(admin_client, records, model):
    response = admin_client.get(url(model))
    assert "delete_selected" not in response.text
    assert response.context["action_form"] is None or "delete_selected" not in str(
        response.context["action_form"]
    )


def test_journal_entries_cannot_be_deleted_through_the_list_action(admin_client, records):
    before = snapshot()
    entries = list(JournalEntry.objects.values_list("pk", flat=True))
    response = admin_client.post(
        url(JournalEntry),
        {"action": "delete_selected", "_selected_action": entries, "post": "yes"},
    )
    assert response.status_code in (200, 302)
    assert snapshot() == before
    assert JournalEntry.objects.count() == 2


def test_a_journal_entry_has_no_change_or_delete_path(admin_client, records):
    entry = JournalEntry.objects.first()
    page = admin_client.get(url(JournalEntry, f"{entry.pk}/change/"))
    assert url(JournalEntry, f"{entry.pk}/delete/") not in page.text
    assert 'name="_save"' not in page.text and 'name="_continue"' not in page.text
    before = snapshot()
    changed = admin_client.post(
        url(JournalEntry, f"{entry.pk}/change/"),
        {
            **ADMINS[JournalEntry],
            "citations-TOTAL_FORMS": "0",
            "citations-INITIAL_FORMS": "1",
            "citations-0-id": entry.citations.first().pk,
            "citations-0-DELETE": "on",
        },
    )
    assert changed.status_code == 403
    assert admin_client.post(url(JournalEntry, f"{entry.pk}/delete/")).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("model", [CaseEvent, JournalCitation], ids=lambda m: m.__name__)
def test_case_events_and_citations_have_no_admin_of_their_own(admin_client, records, model):
    assert admin_client.get(url(model)).status_code == 404
    assert admin_client.get(url(model, "add/")).status_code == 404


def test_members_and_moderators_cannot_open_the_moderation_admin(
    member_client, moderator_client, records
):
    for client in (member_client, moderator_client):
        response = client.get(url(JournalEntry))
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_admin_never_names_who_signalled_a_post(admin_client, admin_member, moderator):
    """An admin may be the post's author: the admin, where moderation is not done, names no
    signaller (nor the moderator who stepped aside because they signalled)."""
    post = forum.reply(author=admin_member, thread=make_thread(), source="The admin's reply.")
    signaller = MemberFactory(display_name="Sigrid Signaller", username="sigrid")
    signal(post, signaller)
    signal(post, moderator)
    services.step_aside(moderator=moderator, case=post.moderation_case)
    pages = [
        url(Signal),
        *(url(Signal, f"{pk}/change/") for pk in Signal.objects.values_list("pk", flat=True)),
        url(Case, f"{post.moderation_case.pk}/change/"),
    ]
    for page in pages:
        text = admin_client.get(page).text
        for name in ("Sigrid Signaller", "sigrid", moderator.public_name, moderator.username):
            assert name not in text, (page, name)
