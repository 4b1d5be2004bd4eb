"""Moderation's pages, as visitors, members, authors and moderators use them."""

import html
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from forum import services as forum
from forum.models import PostState
from members.models import Member
from moderation import services
from moderation.models import (
    Appeal,
    AppealState,
    CaseEvent,
    Decision,
    EventKind,
    Outcome,
    Signal,
)
from moderation.sanctions import SanctionKind, Step
from tests.builders.charter import article, charter_in_force
from tests.builders.forum import CategoryFactory, make_thread
from tests.builders.members import MemberFactory, signed_in
from tests.builders.moderation import appeal, dismiss, signal, uphold

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
SPAM = "Buy my miracle fertiliser!"
NOTHING_CHOSEN = "Choose the article the post breaches, or “other”."


@pytest.fixture(autouse=True)
def charter(request, db):
    """The ratified charter, in force before the test's members join (so they need not accept
    it). Its procedural parameters come from indirect parametrisation."""
    return charter_in_force(parameters=getattr(request, "param", None))


@pytest.fixture
def author_client(author) -> Client:
    return signed_in(author)


@pytest.fixture
def second_client(second_moderator) -> Client:
    return signed_in(second_moderator)


def visible(response) -> str:
    """The page's text as a reader sees it: no tags, entities decoded, spaces collapsed."""
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(text))


def thread_url(post) -> str:
    return f"/t/{post.thread_id}/"


def signal_url(post) -> str:
    return reverse("moderation:signal", args=[post.pk])


def case_url(case) -> str:
    return reverse("moderation:case", args=[case.pk])


def another_post(author: Member, *, title: str, source: str = SPAM, category=None):
    thread = make_thread(title=title, category=category, source="An opening post.")
    return forum.reply(author=author, thread=thread, source=source)


def held(post):
    """Three members signal `post`: it is hidden pending review."""
    for _ in range(3):
        signal(post)
    post.refresh_from_db()
    assert post.state == PostState.PENDING
    return post


def fresh(decision: Decision) -> Decision:
    return Decision.objects.select_related("case__post").get(pk=decision.pk)


# The thread page


def test_members_see_signal_to_moderators_on_others_posts_but_not_their_own(
    author_client, member_client, post
):
    opening = post.thread.posts.get(number=1)
    as_author = author_client.get(thread_url(post)).text
    assert signal_url(post) not in as_author
    assert signal_url(opening) in as_author and "Signal to moderators" in as_author
    as_member = member_client.get(thread_url(post)).text
    assert signal_url(post) in as_member and signal_url(opening) in as_member


def test_visitors_see_no_signal_action(visitor_client, post):
    text = visitor_client.get(thread_url(post)).text
    assert "Signal to moderators" not in text and signal_url(post) not in text


def test_a_member_who_must_accept_the_charter_sees_no_signal_action(member_client, member, post):
    Member.objects.filter(pk=member.pk).update(must_accept_charter=True)
    text = member_client.get(thread_url(post)).text
    assert "Signal to moderators" not in text and signal_url(post) not in text


def test_a_suspended_member_sees_no_signal_action(member_client, member, post):
    Member.objects.filter(pk=member.pk).update(suspended_until=timezone.now() + timedelta(days=1))
    text = member_client.get(thread_url(post)).text
    assert "Signal to moderators" not in text and signal_url(post) not in text


def test_a_post_i_signalled_shows_signalled_instead_of_the_action(member_client, member, post):
    signal(post, member)
    text = member_client.get(thread_url(post)).text
    assert "Signalled" in text
    assert signal_url(post) not in text
    assert signal_url(post.thread.posts.get(number=1)) in text  # the other post still offers it


# The signal page


def test_the_signal_page_works_without_javascript(member_client, post):
    response = member_client.get(signal_url(post))
    assert response.status_code == 200
    assert "<html" in response.text
    assert "Article 2: On topic" in response.text and 'name="note"' in response.text


def test_the_signal_dialog_is_an_htmx_fragment(member_client, post):
    response = member_client.get(signal_url(post), **HTMX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "<form" in response.text and "Article 2: On topic" in response.text


def test_signalling_with_an_article_records_it_and_returns_to_the_post(
    member_client, member, post, charter
):
    response = member_client.post(signal_url(post), {"articles": [article(charter, 2).pk]})
    assert response.status_code == 302 and response["Location"] == post.get_absolute_url()
    recorded = Signal.objects.get(post=post)
    assert recorded.signaller == member
    assert list(recorded.articles.values_list("number", flat=True)) == [2]
    assert recorded.snapshot_source == SPAM


def test_signalling_through_htmx_answers_with_received(member_client, post, charter):
    response = member_client.post(signal_url(post), {"articles": [article(charter, 3).pk]}, **HTMX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Your signal was received" in response.text
    assert Signal.objects.filter(post=post).count() == 1


def test_signalling_with_nothing_chosen_says_what_is_missing(member_client, post):
    response = member_client.post(signal_url(post), {"note": "Looks bad."})
    assert response.status_code == 200
    assert NOTHING_CHOSEN in response.text
    assert not Signal.objects.exists()


def test_signalling_with_nothing_chosen_says_it_in_french_to_a_french_member(post):
    french = MemberFactory(language="fr")
    response = signed_in(french).post(signal_url(post), {})
    with translation.override("fr"):
        in_french = gettext(NOTHING_CHOSEN)
    assert response.status_code == 200
    assert in_french != NOTHING_CHOSEN
    assert in_french in response.text and NOTHING_CHOSEN not in response.text


def test_other_without_a_note_is_an_error_on_the_note(member_client, post):
    response = member_client.post(signal_url(post), {"other": "on", "note": "  "})
    assert response.status_code == 200
    assert response.context["form"].errors["note"] == [
        "With “other”, say in a note what the post breaches."
    ]
    assert not Signal.objects.exists()


def test_other_with_a_note_is_a_signal(member_client, post):
    response = member_client.post(signal_url(post), {"other": "on", "note": "A scam link."})
    assert response.status_code == 302
    assert Signal.objects.get(post=post).note == "A scam link."


def test_signalling_twice_says_already_signalled_and_keeps_one_signal(member_client, post, charter):
    data = {"articles": [article(charter, 2).pk]}
    member_client.post(signal_url(post), data)
    response = member_client.post(signal_url(post), data)
    assert response.status_code == 200
    assert "You have already signalled this post." in response.text
    assert member_client.get(signal_url(post), **HTMX).text.count("already signalled") == 1
    assert Signal.objects.filter(post=post).count() == 1


def test_a_member_cannot_signal_their_own_post(author_client, post, charter):
    assert author_client.get(signal_url(post)).status_code == 403
    response = author_client.post(signal_url(post), {"articles": [article(charter, 2).pk]})
    assert response.status_code == 403
    assert not Signal.objects.exists()


def test_signalling_a_missing_post_is_a_404(member_client, charter):
    assert member_client.get("/moderation/signal/424242/").status_code == 404
    assert member_client.post("/moderation/signal/424242/", {}).status_code == 404


@pytest.mark.parametrize(
    "bad",
    [
        "abc",
        "1.5",
        "",
        "-1",
        "99999999999999999999999",
    ],
)
def test_odd_article_ids_are_a_form_error_not_a_crash(member_client, post, bad):
    response = member_client.post(signal_url(post), {"articles": [bad]})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Signal.objects.exists()


def test_an_article_of_another_charter_version_cannot_be_cited(member_client, post):
    response = member_client.post(signal_url(post), {"articles": [10**6]})
    assert response.status_code == 200 and response.context["form"].errors["articles"]


def test_visitors_are_sent_to_sign_in_before_signalling(visitor_client, post):
    response = visitor_client.get(signal_url(post))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# The queue, a case and the appeals, for moderators only


def moderator_pages(post) -> list[str]:
    case = signal(post).case
    return [reverse("moderation:queue"), case_url(case), reverse("moderation:appeals")]


def test_members_are_refused_the_moderators_pages(member_client, post):
    for url in moderator_pages(post):
        assert member_client.get(url).status_code == 403, url


def test_visitors_are_sent_to_sign_in_for_the_moderators_pages(visitor_client, post):
    for url in moderator_pages(post):
        response = visitor_client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_moderators_open_the_queue_a_case_and_the_appeals(moderator_client, post):
    for url in moderator_pages(post):
        assert moderator_client.get(url).status_code == 200, url


def test_a_missing_case_is_a_404(moderator_client, charter):
    assert moderator_client.get("/moderation/cases/424242/").status_code == 404


@pytest.fixture
def two_cases(post, author, charter, moderator):
    """A case in Gardens citing article 2, claimed by the moderator; one in Kitchens citing 3."""
    kitchens = CategoryFactory(name="Kitchens", slug="kitchens")
    first = signal(post, articles=(2,)).case
    services.claim_case(moderator=moderator, case=first)
    second_post = another_post(author, title="Knives", category=kitchens)
    second = signal(second_post, articles=(3,)).case
    return first, second


def queue_case_ids(client, query: str = "") -> list[int]:
    response = client.get(f"/moderation/queue/{query}")
    assert response.status_code == 200
    return [case.pk for case in response.context["cases"]]


def test_the_queue_lists_open_cases_oldest_first(moderator_client, two_cases):
    first, second = two_cases
    assert queue_case_ids(moderator_client) == [first.pk, second.pk]


def test_the_queue_filters_by_category(moderator_client, two_cases):
    _, second = two_cases
    assert queue_case_ids(moderator_client, "?category=kitchens") == [second.pk]


def test_the_queue_filters_by_article(moderator_client, two_cases, charter):
    first, _ = two_cases
    identity = article(charter, 2).identity
    assert queue_case_ids(moderator_client, f"?article={identity}") == [first.pk]


def test_the_queue_filters_by_claim(moderator_client, second_client, two_cases):
    first, second = two_cases
    assert queue_case_ids(moderator_client, "?claimed=claimed") == [first.pk]
    assert queue_case_ids(moderator_client, "?claimed=unclaimed") == [second.pk]
    assert queue_case_ids(moderator_client, "?claimed=mine") == [first.pk]
    assert queue_case_ids(second_client, "?claimed=mine") == []


@pytest.mark.parametrize(
    "query",
    [
        "?category=nowhere",
        "?article=not-a-uuid",
        "?article=00000000-0000-0000-0000-000000000000",
        "?claimed=everything",
        "?category=&article=&claimed=",
        "?category[]=x&article=%01",
    ],
)
def test_nonsense_queue_filters_show_the_queue(moderator_client, two_cases, query):
    assert moderator_client.get(f"/moderation/queue/{query}").status_code == 200


def test_the_queue_shows_who_holds_a_case_and_what_was_cited(moderator_client, two_cases):
    response = moderator_client.get("/moderation/queue/")
    text = visible(response)
    assert "held by Noor Haddad" in text
    assert "Article 2: On topic" in text and "Article 3: No spam" in text
    cited = [[(a.number, n) for a, n in case.cited] for case in response.context["cases"]]
    assert cited == [[(2, 1)], [(3, 1)]]
    assert [case.signaller_count for case in response.context["cases"]] == [1, 1]


def test_the_case_page_shows_everything_a_moderator_needs_to_decide(
    moderator_client, post, author, charter, second_moderator
):
    # The author was warned once before, on a post that a trusted member signalled.
    trusted = MemberFactory(display_name="Trusted Tess")
    earlier = signal(another_post(author, title="Earlier"), trusted)
    previous = uphold(earlier.case, second_moderator, sanction=Step(SanctionKind.WARNING))
    signal(post, trusted, articles=(3,))
    signal(post, MemberFactory(display_name="Newcomer Ned"), articles=(2,))
    forum.edit_post(editor=author, post=post, source="Tomatoes need sun.")
    response = moderator_client.get(case_url(post.moderation_case))
    text = visible(response)
    assert SPAM in text  # what was signalled
    assert "Tomatoes need sun." in text  # the post now
    assert re.search(r"Trusted Tess \(?1 upheld, 0 dismissed", text)
    assert re.search(r"Newcomer Ned \(?0 upheld, 0 dismissed", text)
    assert "Article 3: No spam" in text and "Article 2: On topic" in text
    assert previous.get_absolute_url() in response.text  # the author's previous upheld decision
    assert [d.pk for d in response.context["previous_decisions"]] == [previous.pk]
    assert response.context["suggested_sanction"] == "Suspension for 1 day"  # after a warning
    assert "Suspension for 1 day" in text


def test_a_moderator_whose_post_is_signalled_never_learns_who_signalled_it(
    moderator, moderator_client, second_moderator
):
    own = another_post(moderator, title="My own garden")
    signal(own, MemberFactory(display_name="Sigrid Signaller"), articles=(3,))
    signal(own, second_moderator, note="Sigrid saw it first.", other=True)
    case = own.moderation_case
    services.step_aside(moderator=second_moderator, case=case)  # would name the signaller
    third = MemberFactory(display_name="Third Moderator", is_moderator=True)
    services.defer_case(moderator=third, case=case, note="Ask Sigrid for the context.")
    names = ["Sigrid", second_moderator.public_name, "0 upheld, 0 dismissed"]
    for url in ("/moderation/queue/", case_url(case)):
        text = visible(moderator_client.get(url))
        assert not [name for name in names if name in text], url
        assert "Article 3: No spam" in text  # the signals, without names
    page = visible(moderator_client.get(case_url(case)))
    assert "Third Moderator" in page and "Stepped aside" in page
    # Another moderator, whose post it is not, sees who signalled it.
    other = visible(signed_in(third).get(case_url(case)))
    assert "Sigrid Signaller" in other and "Sigrid saw it first." in other
    assert second_moderator.public_name in visible(signed_in(third).get("/moderation/queue/"))


def test_moderators_see_a_new_members_signal_and_that_it_hides_nothing(moderator_client, post):
    newcomer = MemberFactory(display_name="Nadia Newcomer", date_joined=timezone.now())
    signal(post, newcomer)
    signal(post, MemberFactory(display_name="Olga Oldtimer"))
    for url in ("/moderation/queue/", case_url(post.moderation_case)):
        text = visible(moderator_client.get(url))
        assert re.search(r"Nadia Newcomer [^·]*new member: does not count toward hiding", text)
        assert not re.search(r"Olga Oldtimer [^·]*new member", text)


# Claiming, releasing, stepping aside, deferring and deciding


CASE_ACTIONS = ["claim", "release", "step_aside", "defer", "decide"]


@pytest.mark.parametrize("action", CASE_ACTIONS)
def test_case_actions_refuse_get(moderator_client, post, action):
    case = signal(post).case
    response = moderator_client.get(reverse(f"moderation:{action}", args=[case.pk]))
    assert response.status_code == 405


def test_a_moderator_claims_then_releases_a_case(moderator_client, moderator, post):
    case = signal(post).case
    response = moderator_client.post(reverse("moderation:claim", args=[case.pk]))
    assert response.status_code == 302 and response["Location"] == case_url(case)
    case.refresh_from_db()
    assert case.claimed_by == moderator
    moderator_client.post(reverse("moderation:release", args=[case.pk]))
    case.refresh_from_db()
    assert case.claimed_by is None


def test_a_case_held_by_another_cannot_be_claimed(moderator_client, second_moderator, post):
    case = signal(post).case
    services.claim_case(moderator=second_moderator, case=case)
    response = moderator_client.post(reverse("moderation:claim", args=[case.pk]), follow=True)
    assert "holds this case" in response.text
    case.refresh_from_db()
    assert case.claimed_by == second_moderator


def test_a_case_whose_claim_lapsed_shows_unclaimed_and_another_moderator_takes_it_over(
    moderator_client, moderator, second_moderator, post
):
    claimed_at = timezone.now() - timedelta(hours=49)
    case = signal(post, now=claimed_at).case
    services.claim_case(moderator=second_moderator, case=case, now=claimed_at)
    held_by = f"held by {second_moderator.public_name}"
    assert held_by not in visible(moderator_client.get("/moderation/queue/"))
    response = moderator_client.get(case_url(case))
    assert held_by not in visible(response) and "unclaimed" in visible(response)
    assert response.context["can_claim"] and response.context["can_decide"]
    moderator_client.post(reverse("moderation:claim", args=[case.pk]))
    assert f"held by {moderator.public_name}" in visible(moderator_client.get(case_url(case)))


def test_a_conflicted_moderator_steps_aside(moderator_client, moderator, post):
    case = signal(post, moderator).case
    assert "Step aside" in moderator_client.get(case_url(case)).text
    response = moderator_client.post(reverse("moderation:step_aside", args=[case.pk]))
    assert response.status_code == 302
    assert CaseEvent.objects.filter(
        case=case, kind=EventKind.STEPPED_ASIDE, actor=moderator
    ).exists()


def test_deferring_leaves_the_case_open(moderator_client, moderator, post):
    case = signal(post).case
    response = moderator_client.post(
        reverse("moderation:defer", args=[case.pk]), {"note": "Ask the others."}
    )
    assert response.status_code == 302 and response["Location"] == "/moderation/queue/"
    case.refresh_from_db()
    assert case.is_open and not Decision.objects.exists()
    assert CaseEvent.objects.get(case=case, kind=EventKind.DEFERRED).note == "Ask the others."


def test_a_moderator_upholds_a_case_from_its_page(moderator_client, post, charter):
    case = signal(post).case
    response = moderator_client.post(
        reverse("moderation:decide", args=[case.pk]),
        {
            "outcome": "upheld",
            "articles": [article(charter, 2).pk],
            "action": "hide",
            "sanction": "suspension-3",
            "rationale": "Advertising.",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/moderation/queue/"
    decision = Decision.objects.get(case=case)
    assert decision.is_upheld and decision.sanction.days == 3
    post.refresh_from_db()
    assert post.state == PostState.HIDDEN


@pytest.mark.parametrize("charter", [{"sanction_ladder": [2, 9]}], indirect=True)
def test_the_decision_form_offers_and_accepts_only_the_sanction_ladder_in_force(
    moderator_client, post, charter
):
    case = signal(post).case
    form = moderator_client.get(case_url(case)).context["decision_form"]
    offered = [choice for choice, _label in form.fields["sanction"].choices]
    assert offered == ["", "warning", "suspension-2", "suspension-9", "ban"]
    upheld = {
        "outcome": "upheld",
        "articles": [article(charter, 2).pk],
        "action": "hide",
        "rationale": "Advertising.",
    }
    decide = reverse("moderation:decide", args=[case.pk])
    refused = moderator_client.post(decide, upheld | {"sanction": "suspension-7"})
    assert refused.status_code == 400 and not Decision.objects.exists()
    assert moderator_client.post(decide, upheld | {"sanction": "suspension-9"}).status_code == 302
    assert Decision.objects.get(case=case).sanction.days == 9


def test_a_moderator_dismisses_a_case_from_its_page(moderator_client, post):
    held(post)
    response = moderator_client.post(
        reverse("moderation:decide", args=[post.moderation_case.pk]),
        {"outcome": "dismissed", "rationale": "Fine."},
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.state == PostState.VISIBLE


def test_a_conflicted_moderator_cannot_decide(moderator_client, moderator, post, charter):
    case = signal(post, moderator).case
    response = moderator_client.post(
        reverse("moderation:decide", args=[case.pk]),
        {"outcome": "dismissed", "rationale": "Mine to judge?"},
    )
    assert response.status_code == 403
    assert not Decision.objects.exists()


def test_members_cannot_post_case_actions(member_client, post):
    case = signal(post).case
    for action in CASE_ACTIONS:
        response = member_client.post(reverse(f"moderation:{action}", args=[case.pk]))
        assert response.status_code == 403, action
    assert not Decision.objects.exists()


def test_upholding_without_article_or_rationale_is_refused_with_the_errors(moderator_client, post):
    case = signal(post).case
    response = moderator_client.post(
        reverse("moderation:decide", args=[case.pk]),
        {"outcome": "upheld", "action": "hide", "rationale": " "},
    )
    assert response.status_code == 400
    errors = response.context["decision_form"].errors
    assert errors["articles"] == ["Upholding requires citing at least one article."]
    assert errors["rationale"] == ["Upholding requires a rationale."]
    assert "Upholding requires citing at least one article." in response.text
    assert not Decision.objects.exists()
    case.refresh_from_db()
    assert case.is_open


def test_a_decision_with_a_nonsense_outcome_is_a_form_error(moderator_client, post):
    case = signal(post).case
    response = moderator_client.post(
        reverse("moderation:decide", args=[case.pk]),
        {"outcome": "obliterate", "articles": ["x"], "sanction": "exile"},
    )
    assert response.status_code == 400
    assert not Decision.objects.exists()


# The decision page and appeals


@pytest.fixture
def decision(post, moderator) -> Decision:
    return uphold(signal(post).case, moderator, sanction=Step(SanctionKind.WARNING))


def test_the_author_and_moderators_read_the_decision_others_do_not(
    author_client, moderator_client, second_client, member_client, visitor_client, decision
):
    url = decision.get_absolute_url()
    for client in (author_client, moderator_client, second_client):
        response = client.get(url)
        assert response.status_code == 200
        assert "Advertising is off topic here." in response.text
    assert member_client.get(url).status_code == 403
    assert visitor_client.get(url).status_code == 302


def test_the_author_sees_the_appeal_form_within_the_window(author_client, decision):
    text = author_client.get(decision.get_absolute_url()).text
    assert "Appeal this decision" in text and 'name="statement"' in text


def test_moderators_see_no_appeal_form(moderator_client, decision):
    assert 'name="statement"' not in moderator_client.get(decision.get_absolute_url()).text


def test_the_author_appeals_once(author_client, author, decision):
    url = reverse("moderation:appeal_decision", args=[decision.pk])
    response = author_client.post(url, {"statement": "It was a joke."})
    assert response.status_code == 302 and response["Location"] == decision.get_absolute_url()
    recorded = Appeal.objects.get(decision=decision)
    assert (recorded.appellant, recorded.statement) == (author, "It was a joke.")
    again = author_client.post(url, {"statement": "Please."})
    assert again.status_code == 302
    assert Appeal.objects.count() == 1
    assert 'name="statement"' not in author_client.get(decision.get_absolute_url()).text


def test_a_second_appeal_is_refused_with_a_message(author_client, decision):
    url = reverse("moderation:appeal_decision", args=[decision.pk])
    author_client.post(url, {"statement": "It was a joke."})
    again = author_client.post(url, {"statement": "Please."}, follow=True)
    assert "You have already appealed this decision." in again.text


def test_an_empty_appeal_is_refused(author_client, decision):
    url = reverse("moderation:appeal_decision", args=[decision.pk])
    response = author_client.post(url, {"statement": "   "})
    assert response.status_code == 400
    assert "Say why the decision should be overturned." in response.text
    assert not Appeal.objects.exists()


def test_after_the_window_there_is_no_appeal_form(author_client, post, moderator):
    decided = uphold(signal(post).case, moderator, now=timezone.now() - timedelta(days=15))
    response = author_client.get(decided.get_absolute_url())
    assert response.context["appeal_form"] is None
    assert 'name="statement"' not in response.text
    assert "The time to appeal this decision" in visible(response)
    response = author_client.post(
        reverse("moderation:appeal_decision", args=[decided.pk]),
        {"statement": "Late."},
        follow=True,
    )
    assert "The time to appeal this decision has ended." in response.text
    assert not Appeal.objects.exists()


def test_a_suspended_author_may_still_appeal(author_client, post, moderator):
    decided = uphold(signal(post).case, moderator, sanction=Step(SanctionKind.SUSPENSION, 7))
    response = author_client.post(
        reverse("moderation:appeal_decision", args=[decided.pk]), {"statement": "Unfair."}
    )
    assert response.status_code == 302 and Appeal.objects.filter(decision=decided).exists()


def test_the_deciding_moderator_cannot_hear_the_appeal(moderator_client, decision):
    pending = appeal(decision)
    url = reverse("moderation:appeal", args=[pending.pk])
    response = moderator_client.get(url)
    assert response.status_code == 200
    assert "another moderator must hear the appeal" in response.text
    assert "Hear the appeal" not in response.text
    refused = moderator_client.post(url, {"outcome": "overturned", "rationale": "I erred."})
    assert refused.status_code == 403
    pending.refresh_from_db()
    assert pending.is_pending


def test_another_moderator_overturns_and_the_post_is_back(second_client, decision, post):
    pending = appeal(decision)
    url = reverse("moderation:appeal", args=[pending.pk])
    assert "Hear the appeal" in second_client.get(url).text
    response = second_client.post(url, {"outcome": "overturned", "rationale": "Only a joke."})
    assert response.status_code == 302 and response["Location"] == "/moderation/appeals/"
    pending.refresh_from_db()
    post.refresh_from_db()
    assert pending.state == AppealState.OVERTURNED
    assert post.state == PostState.VISIBLE


def test_a_hearing_without_rationale_is_refused(second_client, decision):
    pending = appeal(decision)
    url = reverse("moderation:appeal", args=[pending.pk])
    response = second_client.post(url, {"outcome": "confirmed", "rationale": ""})
    assert response.status_code == 400
    assert "Hearing an appeal requires a rationale." in response.text
    pending.refresh_from_db()
    assert pending.is_pending


def test_the_appeals_page_lists_pending_appeals(second_client, decision):
    pending = appeal(decision)
    assert pending.get_absolute_url() in second_client.get("/moderation/appeals/").text


# The journal


JOURNAL = "/moderation/journal/"


@pytest.fixture
def journal_entries(post, author, moderator, charter):
    """Two decisions a day apart: upheld on `post` (article 2, hidden), then dismissed on
    another post citing article 3. Signalled by named members."""
    earlier = timezone.now() - timedelta(days=1)
    signal(post, MemberFactory(username="sigrid", display_name="Sigrid Signaller"))
    uphold(post.moderation_case, moderator, rationale="First: advertising.", now=earlier)
    other = another_post(author, title="Compost", source="Compost is great.")
    olaf = MemberFactory(username="olaf", display_name="Olaf Observer")
    services.decide_case(
        moderator=moderator,
        case=signal(other, olaf, articles=(3,)).case,
        outcome=Outcome.DISMISSED,
        article_ids=[article(charter, 3).pk],
        rationale="Second: compost is on topic.",
    )


def test_the_journal_is_public_and_newest_first(visitor_client, journal_entries):
    response = visitor_client.get(JOURNAL)
    assert response.status_code == 200
    text = response.text
    assert text.index("Second: compost is on topic.") < text.index("First: advertising.")


def test_the_journal_filters_by_article(visitor_client, journal_entries, charter):
    identity = article(charter, 3).identity
    text = visitor_client.get(f"{JOURNAL}?article={identity}").text
    assert "Second: compost" in text and "First: advertising" not in text


def test_the_journal_filters_by_outcome(visitor_client, journal_entries):
    text = visitor_client.get(f"{JOURNAL}?outcome=upheld").text
    assert "First: advertising" in text and "Second: compost" not in text


def test_the_journal_never_names_a_signaller(visitor_client, moderator_client, journal_entries):
    for client in (visitor_client, moderator_client):
        text = client.get(JOURNAL).text
        for name in ("sigrid", "Sigrid Signaller", "olaf", "Olaf Observer"):
            assert name not in text


def test_the_journal_never_shows_a_hidden_or_deleted_posts_text(
    visitor_client, moderator_client, post, author, moderator
):
    uphold(signal(post).case, moderator, action="hide")
    deleted = another_post(author, title="Deleted", source="Call 555-0100 for cheap seeds.")
    uphold(signal(deleted).case, moderator, action="delete")
    for client in (visitor_client, moderator_client):
        text = client.get(JOURNAL).text
        assert SPAM not in text and "555-0100" not in text
        assert text.count("Advertising is off topic here.") == 2


def test_moderator_names_are_shown_to_moderators_only_by_default(
    visitor_client, member_client, second_client, journal_entries
):
    assert "Noor Haddad" not in visitor_client.get(JOURNAL).text
    assert "Noor Haddad" not in member_client.get(JOURNAL).text
    assert visible(second_client.get(JOURNAL)).count("Noor Haddad") == 2  # one per entry


@pytest.mark.parametrize("charter", [{"public_moderator_names": True}], indirect=True)
def test_a_charter_may_publish_moderator_names(visitor_client, member_client, journal_entries):
    assert visible(visitor_client.get(JOURNAL)).count("Noor Haddad") == 2
    assert visible(member_client.get(JOURNAL)).count("Noor Haddad") == 2


@pytest.mark.parametrize(
    "query",
    [
        "?page=abc",
        "?page=-1",
        "?page=0",
        "?page=99999999999999999999",
        "?article=not-a-uuid",
        "?article=00000000-0000-0000-0000-000000000000",
        "?outcome=everything",
        "?outcome=upheld&article=%01&page=2",
    ],
)
def test_odd_journal_queries_show_the_journal(visitor_client, journal_entries, query):
    assert visitor_client.get(f"{JOURNAL}{query}").status_code == 200


def test_the_journal_is_empty_before_any_decision(visitor_client):
    response = visitor_client.get(JOURNAL)
    assert response.status_code == 200 and "The journal is empty." in response.text


# Statistics


def test_the_statistics_count_each_article_cited_upheld_dismissed_and_overturned(
    visitor_client, post, author, moderator, second_moderator, charter
):
    overturned = uphold(signal(post).case, moderator, articles=(2,))
    services.hear_appeal(
        moderator=second_moderator, appeal=appeal(overturned), outcome="overturned", rationale="No."
    )
    upheld = another_post(author, title="Two")
    uphold(signal(upheld).case, moderator, articles=(2, 3))
    dismissed = another_post(author, title="Three")
    services.decide_case(
        moderator=moderator,
        case=signal(dismissed).case,
        outcome=Outcome.DISMISSED,
        article_ids=[article(charter, 2).pk],
        rationale="No breach.",
    )
    dismiss(signal(another_post(author, title="Four")).case, moderator)  # cites nothing
    response = visitor_client.get("/moderation/journal/articles/")
    assert response.status_code == 200
    rows = {
        row.article.number: (row.cited, row.upheld, row.dismissed, row.overturned)
        for row in response.context["statistics"]
    }
    assert rows == {2: (3, 2, 1, 1), 3: (1, 1, 0, 0)}
    text = visible(response)
    assert "Article 2: On topic 3 2 1 1" in text
    assert "Article 3: No spam 1 1 0 0" in text


# A thread page's moderated posts


def test_readers_see_a_placeholder_for_a_post_pending_review_and_may_show_it(member_client, post):
    held(post)
    response = member_client.get(thread_url(post))
    assert "This post is hidden while the moderators review it." in visible(response)
    shown = re.search(
        r"<details[^>]*>\s*<summary[^>]*>\s*Show it anyway\s*</summary>(.*?)</details>",
        response.text,
        re.S,
    )
    assert shown and SPAM in shown.group(1)
    assert "You may edit it meanwhile" not in visible(response)


def test_the_author_of_a_post_pending_review_is_told_and_may_edit_it(author_client, post):
    held(post)
    response = author_client.get(thread_url(post))
    assert "so it is hidden until they review it. You may edit it meanwhile" in visible(response)
    assert reverse("forum:edit_post", args=[post.pk]) in response.text


def test_only_the_author_sees_why_a_post_was_hidden(
    author_client, member_client, visitor_client, post, moderator
):
    uphold(signal(post).case, moderator, action="hide", rationale="Selling things here.")
    as_author = visible(author_client.get(thread_url(post)))
    assert "Why the moderators acted on this post" in as_author
    assert "Article 2: On topic" in as_author and "Selling things here." in as_author
    for client in (member_client, visitor_client):
        text = visible(client.get(thread_url(post)))
        assert "This post is hidden by the moderators." in text
        assert "Selling things here." not in text and SPAM not in text


def test_a_post_kept_with_a_note_shows_the_note_to_everyone(
    visitor_client, member_client, post, moderator
):
    uphold(signal(post).case, moderator, action="keep", rationale="Keep it civil, please.")
    for client in (visitor_client, member_client):
        text = visible(client.get(thread_url(post)))
        assert "Moderators' note" in text
        assert "Keep it civil, please." in text and SPAM in text


def test_an_overturned_decision_no_longer_shows_on_the_post(
    author_client, post, moderator, second_moderator
):
    decided = uphold(signal(post).case, moderator, rationale="Selling things here.")
    services.hear_appeal(
        moderator=second_moderator, appeal=appeal(decided), outcome="overturned", rationale="No."
    )
    text = author_client.get(thread_url(post)).text
    assert "Selling things here." not in text and SPAM in text


def test_my_signals_lists_each_signal_with_its_outcome_and_my_record(
    member_client, member, post, author, moderator
):
    signal(post, member)
    uphold(post.moderation_case, moderator)
    pending = another_post(author, title="Still open")
    signal(pending, member, articles=(3,))
    response = member_client.get("/moderation/my-signals/")
    assert response.status_code == 200
    listed = [(s.post_id, s.outcome) for s in response.context["signals"]]
    assert listed == [(pending.pk, ""), (post.pk, Outcome.UPHELD)]  # newest first
    text = visible(response)
    assert "Awaiting a decision" in text and "Upheld" in text
    assert "“Still open”" in text and "Article 3: No spam" in text
    record = response.context["record"]
    assert (record.upheld, record.dismissed, record.overturned) == (1, 0, 0)


def test_my_signals_needs_signing_in(visitor_client):
    response = visitor_client.get("/moderation/my-signals/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# Banned members


# Signing in: tests/moderation/test_banned_sign_in.py


def test_a_member_banned_while_signed_in_is_signed_out_at_the_next_request(
    author_client, post, moderator
):
    assert author_client.get("/").context["user"].is_authenticated
    uphold(signal(post).case, moderator, sanction=Step(SanctionKind.BAN))
    response = author_client.get("/")
    assert not response.context["user"].is_authenticated
    assert "_auth_user_id" not in author_client.session
