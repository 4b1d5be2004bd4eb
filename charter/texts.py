"""Charter texts as plain values: applying an amendment's changes, and comparing two texts.

Pure functions over `ArticleText`, so a proposal can be previewed against any version without
writing anything, and the words a ballot ratifies are computed the same way as the preview.
"""

import re
import uuid
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from charter.parameters import PARAMETERS, Parameter


@dataclass(frozen=True)
class ArticleText:
    identity: uuid.UUID
    number: int
    title: str
    body: str
    entrenched: bool = False


@dataclass(frozen=True)
class Change:
    """A proposal's change to one article: `add`, `change` or `remove`."""

    action: str
    identity: uuid.UUID
    title: str = ""
    body: str = ""
    entrenched: bool = False
    position: int = 0


def apply_changes(articles: list[ArticleText], changes: list[Change]) -> list[ArticleText]:
    """The articles once `changes` are made, numbered 1..n in order.

    A change or removal of an article that is not there is ignored (the proposal is then
    outdated, which the services detect first); an added article takes its `position`.
    """
    by_identity = {change.identity: change for change in changes}
    kept = []
    for article in sorted(articles, key=lambda a: a.number):
        change = by_identity.get(article.identity)
        if change is None:
            kept.append(article)
        elif change.action == "change":
            kept.append(
                ArticleText(article.identity, 0, change.title, change.body, change.entrenched)
            )
    additions = sorted(
        (change for change in changes if change.action == "add"), key=lambda c: c.position
    )
    for change in additions:
        index = max(0, min(change.position - 1, len(kept))) if change.position else len(kept)
        added = ArticleText(change.identity, 0, change.title, change.body, change.entrenched)
        kept.insert(index, added)
    return [
        ArticleText(a.identity, number, a.title, a.body, a.entrenched)
        for number, a in enumerate(kept, start=1)
    ]


def touches_entrenched(
    articles: list[ArticleText], changes: list[Change], parameters: dict
) -> bool:
    """Whether an amendment needs the entrenched thresholds.

    It does when it changes any procedural parameter, touches an entrenched article, or makes
    an article entrenched (or no longer entrenched).
    """
    if parameters:
        return True
    entrenched = {a.identity for a in articles if a.entrenched}
    return any(change.identity in entrenched or change.entrenched for change in changes)


# Words, runs of spaces, and single punctuation marks: the units a reader sees change.
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class Piece:
    """A run of text in a word diff: `kind` is "same", "added" or "removed"."""

    kind: str
    text: str


def word_diff(old: str, new: str) -> list[Piece]:
    old_tokens, new_tokens = _TOKEN.findall(old), _TOKEN.findall(new)
    matcher = SequenceMatcher(a=old_tokens, b=new_tokens, autojunk=False)
    pieces: list[Piece] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(Piece("same", "".join(old_tokens[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            pieces.append(Piece("removed", "".join(old_tokens[i1:i2])))
        if tag in ("insert", "replace"):
            pieces.append(Piece("added", "".join(new_tokens[j1:j2])))
    return pieces


@dataclass
class ArticleDiff:
    """One article across two texts: `status` is added, removed, changed, moved or same."""

    status: str
    old: ArticleText | None
    new: ArticleText | None
    title: list[Piece] = field(default_factory=list)
    body: list[Piece] = field(default_factory=list)

    @property
    def entrenched_changed(self) -> bool:
        return bool(self.old and self.new and self.old.entrenched != self.new.entrenched)


@dataclass(frozen=True)
class ParameterDiff:
    parameter: Parameter
    old: object
    new: object

    @property
    def old_display(self) -> str:
        return self.parameter.display(self.old)

    @property
    def new_display(self) -> str:
        return self.parameter.display(self.new)


def compare(old: list[ArticleText], new: list[ArticleText]) -> list[ArticleDiff]:
    """Article by article, in the new text's order, removed articles where they stood."""
    old_by_identity = {a.identity: a for a in old}
    new_identities = {a.identity for a in new}
    diffs: list[ArticleDiff] = []
    for article in new:
        before = old_by_identity.get(article.identity)
        if before is None:
            diffs.append(ArticleDiff("added", None, article, body=[Piece("added", article.body)]))
            continue
        if before.title == article.title and before.body == article.body:
            status = "same" if before.number == article.number else "moved"
            if before.entrenched != article.entrenched:
                status = "changed"
            diffs.append(ArticleDiff(status, before, article, body=[Piece("same", article.body)]))
            continue
        diffs.append(
            ArticleDiff(
                "changed",
                before,
                article,
                title=word_diff(before.title, article.title),
                body=word_diff(before.body, article.body),
            )
        )
    for article in old:
        if article.identity not in new_identities:
            removed = ArticleDiff("removed", article, None, body=[Piece("removed", article.body)])
            position = next(
                (i for i, d in enumerate(diffs) if d.old and d.old.number > article.number),
                len(diffs),
            )
            diffs.insert(position, removed)
    return diffs


def compare_parameters(old: dict, new: dict) -> list[ParameterDiff]:
    return [
        ParameterDiff(parameter, old[parameter.key], new[parameter.key])
        for parameter in PARAMETERS
        if old[parameter.key] != new[parameter.key]
    ]
