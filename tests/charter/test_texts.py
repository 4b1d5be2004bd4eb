"""charter.texts: applying an amendment's changes and comparing two texts, as plain values."""

import uuid

import pytest

from charter.texts import ArticleText, Change, Piece, apply_changes, compare, touches_entrenched
from charter.texts import word_diff as diff

RESPECT, TOPIC, SPAM, AMENDMENTS = (uuid.uuid4() for _ in range(4))


@pytest.fixture
def charter() -> list[ArticleText]:
    return [
        ArticleText(RESPECT, 1, "Respect", "Members address each other with respect."),
        ArticleText(TOPIC, 2, "On topic", "Posts stay on the subject of their thread."),
        ArticleText(SPAM, 3, "No spam", "No advertising, no repeated posts."),
        ArticleText(AMENDMENTS, 4, "Amendments", "Only the members' vote.", entrenched=True),
    ]


def numbered(articles: list[ArticleText]) -> list[tuple[int, str]]:
    return [(a.number, a.title) for a in articles]


def new_article(title: str, position: int = 0, entrenched: bool = False) -> Change:
    return Change("add", uuid.uuid4(), title, f"The text of {title}.", entrenched, position)


# apply_changes


def test_a_change_rewords_the_article_in_place_and_keeps_its_identity(charter):
    changed = apply_changes(charter, [Change("change", TOPIC, "Topic", "Stay on topic.")])
    assert changed[1] == ArticleText(TOPIC, 2, "Topic", "Stay on topic.")
    assert changed[0] == charter[0] and changed[2:] == charter[2:]


def test_a_removal_renumbers_the_articles_after_it(charter):
    changed = apply_changes(charter, [Change("remove", TOPIC)])
    assert numbered(changed) == [(1, "Respect"), (2, "No spam"), (3, "Amendments")]
    assert [a.identity for a in changed] == [RESPECT, SPAM, AMENDMENTS]


def test_an_added_article_takes_its_position_and_pushes_the_others_down(charter):
    privacy = new_article("Privacy", position=2)
    changed = apply_changes(charter, [privacy])
    assert numbered(changed) == [
        (1, "Respect"),
        (2, "Privacy"),
        (3, "On topic"),
        (4, "No spam"),
        (5, "Amendments"),
    ]
    assert changed[1].identity == privacy.identity
    assert [a.identity for a in changed if a.identity != privacy.identity] == [
        RESPECT,
        TOPIC,
        SPAM,
        AMENDMENTS,
    ]


def test_an_article_added_without_a_position_goes_at_the_end(charter):
    changed = apply_changes(charter, [new_article("Privacy")])
    assert numbered(changed)[-1] == (5, "Privacy")


def test_a_position_past_the_end_means_the_end(charter):
    changed = apply_changes(charter, [new_article("Privacy", position=40)])
    assert numbered(changed)[-1] == (5, "Privacy")


def test_two_additions_take_the_positions_they_ask_for(charter):
    changed = apply_changes(
        charter, [new_article("Later", position=3), new_article("First", position=1)]
    )
    assert [title for _, title in numbered(changed)] == [
        "First",
        "Respect",
        "Later",
        "On topic",
        "No spam",
        "Amendments",
    ]


def test_removal_and_addition_in_one_amendment_number_the_result_1_to_n(charter):
    changed = apply_changes(
        charter, [Change("remove", RESPECT), new_article("Privacy", position=1)]
    )
    assert numbered(changed) == [(1, "Privacy"), (2, "On topic"), (3, "No spam"), (4, "Amendments")]


def test_a_change_can_make_an_article_entrenched(charter):
    changed = apply_changes(charter, [Change("change", SPAM, "No spam", "None.", entrenched=True)])
    assert changed[2].entrenched


def test_a_change_to_an_article_that_is_not_there_changes_nothing(charter):
    assert apply_changes(charter, [Change("change", uuid.uuid4(), "Ghost", "Boo.")]) == charter


def test_applying_changes_leaves_the_original_text_alone(charter):
    before = list(charter)
    apply_changes(charter, [Change("remove", RESPECT), new_article("Privacy", position=1)])
    assert charter == before


# word_diff


def test_a_reworded_word_shows_as_removed_then_added():
    old, new = "Members address each other with respect.", "Members address each other kindly."
    assert diff(old, new) == [
        Piece("same", "Members address each other "),
        Piece("removed", "with respect"),
        Piece("added", "kindly"),
        Piece("same", "."),
    ]


def test_words_added_at_the_end_show_as_added():
    assert diff("No spam.", "No spam, ever.") == [
        Piece("same", "No spam"),
        Piece("added", ", ever"),
        Piece("same", "."),
    ]


def test_words_removed_show_as_removed():
    assert diff("No advertising, no repeated posts.", "No repeated posts.") == [
        Piece("same", "No"),
        Piece("removed", " advertising, no"),
        Piece("same", " repeated posts."),
    ]


def test_the_diff_of_unchanged_text_is_one_same_piece():
    assert diff("Être poli.", "Être poli.") == [Piece("same", "Être poli.")]


def test_the_pieces_rebuild_both_texts():
    old, new = "Posts stay on the subject of their thread.", "Posts stay on their own subject!"
    pieces = diff(old, new)
    assert "".join(p.text for p in pieces if p.kind != "added") == old
    assert "".join(p.text for p in pieces if p.kind != "removed") == new


# compare


def statuses(diffs) -> list[tuple[str, str]]:
    return [(d.status, (d.new or d.old).title) for d in diffs]


def test_compare_marks_each_article_same_changed_added_removed_or_moved(charter):
    # Respect goes, so the next two move up; Privacy comes in third, so Amendments stays 4th.
    amended = apply_changes(
        charter,
        [
            Change("remove", RESPECT),
            Change("change", SPAM, "No spam", "No advertising."),
            new_article("Privacy", position=3),
        ],
    )
    assert statuses(compare(charter, amended)) == [
        ("removed", "Respect"),
        ("moved", "On topic"),
        ("changed", "No spam"),
        ("added", "Privacy"),
        ("same", "Amendments"),
    ]


def test_an_unchanged_text_compares_as_all_same(charter):
    assert {d.status for d in compare(charter, charter)} == {"same"}


def test_a_changed_article_carries_the_word_diff_of_its_body(charter):
    amended = apply_changes(charter, [Change("change", SPAM, "No spam", "No advertising.")])
    changed = next(d for d in compare(charter, amended) if d.status == "changed")
    assert changed.body == [
        Piece("same", "No advertising"),
        Piece("removed", ", no repeated posts"),
        Piece("same", "."),
    ]
    assert changed.title == [Piece("same", "No spam")]


def test_a_retitled_article_carries_the_word_diff_of_its_title(charter):
    amended = apply_changes(charter, [Change("change", TOPIC, "Off topic", charter[1].body)])
    changed = next(d for d in compare(charter, amended) if d.status == "changed")
    assert changed.title == [Piece("removed", "On"), Piece("added", "Off"), Piece("same", " topic")]


def test_an_article_made_entrenched_with_the_same_words_is_changed(charter):
    amended = apply_changes(charter, [Change("change", SPAM, "No spam", charter[2].body, True)])
    changed = next(d for d in compare(charter, amended) if d.old and d.old.identity == SPAM)
    assert changed.status == "changed" and changed.entrenched_changed


def test_added_and_removed_articles_show_their_whole_body(charter):
    privacy = new_article("Privacy")
    diffs = compare(charter, apply_changes(charter, [Change("remove", TOPIC), privacy]))
    removed = next(d for d in diffs if d.status == "removed")
    added = next(d for d in diffs if d.status == "added")
    assert removed.body == [Piece("removed", charter[1].body)]
    assert added.body == [Piece("added", privacy.body)]


# touches_entrenched


def test_changing_a_standard_article_does_not_touch_the_entrenched_ones(charter):
    assert not touches_entrenched(charter, [Change("change", SPAM, "No spam", "None.")], {})


def test_adding_a_standard_article_does_not_touch_the_entrenched_ones(charter):
    assert not touches_entrenched(charter, [new_article("Privacy")], {})


def test_changing_an_entrenched_article_touches_it(charter):
    assert touches_entrenched(
        charter, [Change("change", AMENDMENTS, "Amendments", "New.", True)], {}
    )


def test_removing_an_entrenched_article_touches_it(charter):
    assert touches_entrenched(charter, [Change("remove", AMENDMENTS)], {})


def test_making_an_article_no_longer_entrenched_touches_it(charter):
    assert touches_entrenched(charter, [Change("change", AMENDMENTS, "Amendments", "Old.")], {})


def test_making_an_article_entrenched_needs_the_entrenched_thresholds(charter):
    assert touches_entrenched(charter, [Change("change", SPAM, "No spam", "None.", True)], {})


def test_adding_an_entrenched_article_needs_the_entrenched_thresholds(charter):
    assert touches_entrenched(charter, [new_article("Rights", entrenched=True)], {})


def test_changing_a_procedural_parameter_needs_the_entrenched_thresholds(charter):
    assert touches_entrenched(charter, [], {"cosponsors": 5})
