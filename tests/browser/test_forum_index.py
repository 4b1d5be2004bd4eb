"""The forum's index as a browser draws it, wide and on a phone: each category's name leads its
card, a long description does not make the card tall, and every thread title is a target at
least 24 px tall (WCAG 2.2, 2.5.8)."""

import pytest
from playwright.sync_api import Page

from tests.builders.forum import CategoryFactory, make_thread

WIDTHS = [1280, 390]

# As long as a description may be (300 characters), in both languages.
LONG = (
    "Semis, compost, arrosage, maladies et récoltes : toutes les questions de jardinage, du "
    "premier semis à la dernière tomate. Sowing, compost, watering, diseases and harvests: "
    "every gardening question, from the first seed to the last tomato, in French or English "
    "alike; bring photos of your plot."
)


@pytest.fixture
def index(new_page, request) -> Page:
    """The index at the test's width, with a category of a long description, another of a
    short one, and threads in both."""
    gardens = CategoryFactory(name="Au jardin / In the garden", description=LONG)
    cafe = CategoryFactory(name="Le café / Off-topic", description="Tout le reste.")
    for n in range(3):
        make_thread(category=gardens, title=f"Mulching in August, part {n}")
        make_thread(category=cafe, title=f"Books for a rainy day, part {n}")
    page = new_page(viewport={"width": request.param, "height": 900})
    page.goto("/")
    return page


def style(page: Page, selector: str) -> dict:
    return page.locator(selector).first.evaluate(
        """element => {
            const style = getComputedStyle(element);
            return {
                size: parseFloat(style.fontSize),
                weight: parseFloat(style.fontWeight),
                underline: style.textDecorationLine.includes("underline"),
                lineHeight: parseFloat(style.lineHeight),
            };
        }"""
    )


@pytest.mark.parametrize("index", WIDTHS, indirect=True)
def test_the_category_name_is_louder_than_its_latest_thread(index):
    name = style(index, ".category-card__name a")
    latest = style(index, ".category-card__last a")
    assert name["size"] > latest["size"]
    assert name["weight"] > latest["weight"]
    # The latest thread is secondary text, not a prose link calling for attention.
    assert not latest["underline"]


@pytest.mark.parametrize("index", WIDTHS, indirect=True)
def test_a_long_description_keeps_to_two_lines(index):
    long_card, short_card = (
        index.locator(".category-card").filter(has_text=name) for name in ("Au jardin", "Le café")
    )
    description = long_card.locator(".category-card__description")
    line = style(index, ".category-card__description")["lineHeight"]
    assert description.bounding_box()["height"] <= 2 * line + 1
    # The card is at most one line taller than the card of a one-line description.
    assert long_card.bounding_box()["height"] <= short_card.bounding_box()["height"] + line + 1
    # The whole text is still there for a screen reader, and the category's page shows it.
    assert " ".join(LONG.split()) in " ".join(description.text_content().split())


@pytest.mark.parametrize("index", WIDTHS, indirect=True)
def test_every_thread_link_is_at_least_24_px_tall_and_wide(index):
    links = index.locator(".category-card__name a, .category-card__last a, .thread-row__title")
    assert links.count() >= 2 + 2 + 4
    for link in links.all():
        box = link.bounding_box()
        assert box["height"] >= 24 and box["width"] >= 24, (link.inner_text(), box)
