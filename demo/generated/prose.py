"""Prose: the pool of Markdown blocks that generated posts are made of.

A post's Markdown is a few blocks (paragraphs, lists, code, quotes, headings) separated by blank
lines, drawn from a pool whose blocks are each rendered once by `forum.rendering`; a post's HTML
is the concatenation of its blocks' HTML, which is what rendering the whole source gives
(`check_rendering`, on a sample of posts at every run, and the tests).
"""

import random
from dataclasses import dataclass, field
from itertools import accumulate, pairwise

from django.conf import settings

from demo.generated.vocabulary import (
    CONTENT_WORDS,
    FUNCTION_WORDS,
    LINK_SITES,
    RARE_WORDS,
    TITLE_WORDS,
)
from forum import services as forum
from forum.rendering import render_markdown

# Words are drawn by rank with a Zipf-Mandelbrot law, 1 / (rank + 3).
VOCABULARY = FUNCTION_WORDS + CONTENT_WORDS
CONTENT = frozenset(CONTENT_WORDS)  # the words a search is for
_VOCABULARY_WEIGHTS = list(accumulate(1 / (rank + 3) for rank in range(1, len(VOCABULARY) + 1)))
LISTS = ("list", "ordered")


@dataclass
class Block:
    source: str
    kind: str
    words: list[str]  # content words, which a search finds
    pairs: list[str]  # two adjacent plain content words, for a phrase search
    mentions: list[int]  # the members it mentions, by index
    html: str = ""


@dataclass
class Prose:
    """Blocks of Markdown, each rendered once, and posts made of a few of them."""

    rng: random.Random
    mentionable: list[str]  # usernames, by member index
    blocks: list[Block] = field(default_factory=list)
    edit_notes: list[int] = field(default_factory=list)

    def build_pool(self, size: int) -> None:
        kinds = self.rng.choices(
            ("paragraph", "list", "ordered", "code", "quote", "heading"),
            (62, 10, 5, 7, 12, 4),
            k=size,
        )
        rare = list(RARE_WORDS)
        for kind in kinds:
            words: list[str] = []
            pairs: list[str] = []
            mentions: list[int] = []
            if kind == "paragraph":
                source = self._paragraph(words, pairs, mentions, rare.pop() if rare else None)
            elif kind in LISTS:
                source = self._list(kind, words)
            elif kind == "code":
                source = self._code(words)
            elif kind == "quote":
                source = self._quote(words, mentions)
            else:
                source = "### " + _sentence_case(self._phrase(3, 7, words))
            self.blocks.append(Block(source, kind, words, pairs, mentions))
        self.edit_notes = [len(self.blocks) + n for n in range(3)]
        for note in ("*Edit: typo fixed.*", "*Edit: added the link.*", "*Edit: see below.*"):
            self.blocks.append(Block(note, "edit", [], [], []))
        members = {name.lower(): name for name in self.mentionable}
        for block in self.blocks:
            block.html = render_markdown(block.source, members=members).html

    def post(self) -> list[int]:
        """The blocks of one post: one to six, no two lists in a row (they would make one list,
        whose HTML is not the two lists' HTML)."""
        count = self.rng.choices((1, 2, 3, 4, 5, 6), cum_weights=(38, 68, 85, 94, 98, 100))[0]
        drawable = len(self.blocks) - len(self.edit_notes)
        chosen: list[int] = []
        while len(chosen) < count:
            index = self.rng.randrange(drawable)
            if index in chosen or (
                chosen
                and self.blocks[index].kind in LISTS
                and self.blocks[chosen[-1]].kind in LISTS
            ):
                continue
            chosen.append(index)
        return chosen

    def source(self, blocks: list[int]) -> str:
        return "\n\n".join([self.blocks[index].source for index in blocks])

    def html(self, blocks: list[int]) -> str:
        return "".join([self.blocks[index].html for index in blocks])

    def title(self) -> str:
        words = self.rng.choices(TITLE_WORDS, k=self.rng.randint(3, 8))
        end = "?" if self.rng.random() < 0.25 else ""
        return (_sentence_case(" ".join(words)) + end)[: settings.THREAD_TITLE_MAX_LENGTH]

    def _words(self, count: int) -> list[str]:
        return self.rng.choices(VOCABULARY, cum_weights=_VOCABULARY_WEIGHTS, k=count)

    def _phrase(self, shortest: int, longest: int, found: list[str]) -> str:
        words = self._words(self.rng.randint(shortest, longest))
        found.extend(word for word in words if word in CONTENT)
        return " ".join(words)

    def _paragraph(self, found: list[str], pairs: list[str], mentions: list[int], rare) -> str:
        sentences = []
        for _sentence in range(self.rng.randint(1, 4)):
            words = self._words(self.rng.randint(6, 18))
            found.extend(word for word in words if word in CONTENT)
            self._decorate(words, mentions)
            pairs.extend(
                f"{a} {b}" for a, b in pairwise(words) if a in CONTENT and b in CONTENT and a != b
            )
            end = self.rng.choices((".", "?", "!"), cum_weights=(85, 95, 100))[0]
            sentences.append(_sentence_case(" ".join(words)) + end)
        if rare:
            sentences.append(f"Has anyone grown {rare} here?")
            found.append(rare)
        return " ".join(sentences)

    def _decorate(self, words: list[str], mentions: list[int]) -> None:
        """Now and then, one word (never the first) becomes emphasis, code, a link or a
        mention."""
        roll = self.rng.random()
        spot = self.rng.randrange(1, len(words))
        word = words[spot]
        if roll < 0.08:
            words[spot] = f"*{word}*"
        elif roll < 0.12:
            words[spot] = f"**{word}**"
        elif roll < 0.15:
            words[spot] = f"`{word}_{self.rng.choice(CONTENT_WORDS)}`"
        elif roll < 0.21:
            words[spot] = f"[{word}]({self.rng.choice(LINK_SITES)}/{word}-{self.rng.randrange(99)})"
        elif roll < 0.23:
            words[spot] = f"{self.rng.choice(LINK_SITES)}/{word}"
        elif roll < 0.25:
            member = self.rng.randrange(len(self.mentionable))
            words[spot] = "@" + self.mentionable[member]
            mentions.append(member)

    def _list(self, kind: str, found: list[str]) -> str:
        items = [self._phrase(2, 8, found) for _item in range(self.rng.randint(2, 5))]
        if kind == "ordered":
            return "\n".join(f"{n}. {_sentence_case(item)}" for n, item in enumerate(items, 1))
        return "\n".join(f"- {item}" for item in items)

    def _code(self, found: list[str]) -> str:
        a, b, c = self.rng.sample(CONTENT_WORDS, 3)
        found.extend((a, b, c))
        n = self.rng.randrange(2, 30)
        body = self.rng.choice(
            (
                f"def {a}_{b}({c}):\n    return {c} * {n}",
                f"$ palabre {a} --{b} {c}\n{n} {b} moved",
                f"{a}:\n  {b}: {n}\n  {c}: true",
                f"for {a} in {c}:\n    print({a}, {b} * {n})",
            )
        )
        return f"{self.rng.choice(('```', '```python', '```text'))}\n{body}\n```"

    def _quote(self, found: list[str], mentions: list[int]) -> str:
        text = " ".join(
            _sentence_case(self._phrase(5, 14, found)) + "."
            for _sentence in range(self.rng.randint(1, 2))
        )
        if self.rng.random() < 0.15:
            member = self.rng.randrange(len(self.mentionable))
            mentions.append(member)
            return f"> **@{self.mentionable[member]}** wrote:\n> {text}"
        return f"> {text}"


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


class BlocksRenderedApart(Exception):
    """A post's HTML, made of its blocks' HTML, is not what rendering its source gives."""


def check_rendering(sources_and_html: list[tuple[str, str]]) -> None:
    """Render whole sources as a post is rendered, and compare with the blocks' HTML joined."""
    for source, html in sources_and_html:
        rendered = forum.render_post_source(source).html
        if rendered != html:
            raise BlocksRenderedApart(f"{source}\n---\n{html}\n--- rendered whole:\n{rendered}")
