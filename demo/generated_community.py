"""A community of any size for the benchmarks, built in bulk (`manage.py generate_community`).

Members' requests would take hours to write a million posts, so the rows are inserted in bulk,
yet they hold what the services would have written:

- the founders (the first members) found the charter through `charter.services`, as on a new
  site; everyone who joined later accepted it on joining;
- posts are numbered 1..n in their thread, dated in order and inserted in the order they were
  written (as a real forum's rows lie on disk); every counter is what `forum.services.recount`
  computes; whoever posted in a thread watches it and has read it up to their last post there;
- a post's Markdown is a few blocks (paragraphs, lists, code, quotes, headings) separated by
  blank lines, drawn from a pool whose blocks are each rendered once by `forum.rendering`; a
  post's HTML is the concatenation of its blocks' HTML, which is what rendering the whole source
  gives (checked on a sample of posts at every run, and by the tests);
- on PostgreSQL, posts are loaded by COPY, and each post's search vector computed as they are
  inserted, as `forum.services` indexes a post;
- the moderation queue and journal are played through `moderation.services`.

Everything random comes from one seeded generator: a seed gives the same texts every time.
"""

import bisect
import math
import random
import time
from array import array
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import accumulate, pairwise

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Model, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator, slugify

from charter import selectors as charter_selectors
from charter import services as charter
from charter.models import Acceptance, CharterVersion
from charter.parameters import defaults
from demo import charter_content
from forum import services as forum
from forum.models import (
    Category,
    Mention,
    Post,
    PostRevision,
    PostState,
    ReadMark,
    Thanks,
    Thread,
    ThreadSubscription,
    WatchLevel,
)
from forum.rendering import render_markdown
from forum.selectors import page_count
from members.models import Member
from moderation import selectors as moderation_selectors
from moderation import services as moderation
from moderation.models import Action, Case, CaseState, JournalEntry, Outcome, SanctionKind
from moderation.sanctions import Step
from notifications.models import EmailChoice, Kind, Notification, Preference


@dataclass(frozen=True)
class Size:
    members: int
    categories: int
    threads: int
    posts: int
    hot_posts: int

    def problems(self) -> list[str]:
        problems = []
        if self.members < MIN_MEMBERS:
            problems.append(f"--members must be at least {MIN_MEMBERS}")
        if self.categories < 1:
            problems.append("--categories must be at least 1")
        if self.threads < 2:
            problems.append("--threads must be at least 2 (the hot thread and another)")
        if self.hot_posts < 1:
            problems.append("--hot-posts must be at least 1")
        if self.posts < self.hot_posts + self.threads - 1:
            problems.append(
                "--posts must cover the hot thread's posts and one post in every other thread "
                f"(at least {self.hot_posts + self.threads - 1})"
            )
        return problems


PRESETS = {
    "default": Size(members=1_000, categories=10, threads=2_000, posts=100_000, hot_posts=1_000),
    "large": Size(members=10_000, categories=10, threads=20_000, posts=1_000_000, hot_posts=10_000),
}
DEFAULT_SEED = 7
# Every generated member signs in with it: the manifest gives it to the benchmarks.
PASSWORD = "palabre-generated"  # nosec B105
MIN_MEMBERS = 10
BATCH_SIZE = 2_000

DAY = 86_400.0
# Times are seconds since the first founder joined, three years ago.
HISTORY = 3 * 365 * DAY
FOUNDERS_JOINED_WITHIN = 30 * DAY
FOUNDING_BALLOT_OPENS = 35 * DAY
OTHERS_JOIN_FROM = 50 * DAY  # once the founding ballot (14 days) is over
OTHERS_JOIN_UNTIL = HISTORY - 365 * DAY  # the newest members joined a year ago
HOT_THREAD_DAYS = 120
# The manifest member last went through the threads they watch this long ago.
LAST_VISIT = 2 * DAY
NOTIFICATIONS = 200
OPEN_CASES = 50

# Words are drawn by rank with a Zipf-Mandelbrot law, 1 / (rank + 3): function words first,
# about half of the words as in English, then content words from common to rare, so search
# meets both; and each of RARE_WORDS is in one block of the pool only.
FUNCTION_WORDS = ["the", "of", "and", "to", "a", "in", "is", "it", "that", "for", "we", "with",
    "on", "this", "as", "be", "at", "you", "are", "have", "was", "but", "not", "or", "from",
    "they", "if", "so", "our", "can", "will", "just", "about", "when", "there", "all", "some",
    "more", "by", "an",
]  # fmt: skip
CONTENT_WORDS = ["garden", "plot", "seeds", "water", "compost", "soil", "tomato", "spring",
    "summer", "autumn", "winter", "plant", "bed", "path", "tools", "shed", "harvest", "members",
    "meeting", "week", "year", "time", "people", "group", "work", "day", "beans", "rain", "sun",
    "leaves", "weather", "beds", "volunteers", "saturday", "morning", "evening", "question",
    "idea", "help", "thanks", "list", "community", "association", "project", "share", "market",
    "fruit", "flowers", "trees", "hedge", "pond", "bees", "honey", "worms", "mulch", "straw",
    "wood", "pallet", "fence", "gate", "key", "lock", "bench", "table", "chairs", "tea", "coffee",
    "cake", "bread", "soup", "recipe", "kitchen", "jars", "jam", "pickles", "freezer", "squash",
    "courgette", "pumpkin", "potato", "onion", "garlic", "leek", "carrot", "beetroot", "radish",
    "lettuce", "spinach", "chard", "kale", "cabbage", "broccoli", "peas", "corn", "cucumber",
    "pepper", "chili", "basil", "parsley", "mint", "thyme", "rosemary", "sage", "dill", "chives",
    "strawberry", "raspberry", "currant", "gooseberry", "apple", "pear", "plum", "cherry", "grape",
    "fig", "walnut", "hazel", "chestnut", "greenhouse", "polytunnel", "cloche", "frame", "netting",
    "slug", "snail", "aphid", "ladybird", "hedgehog", "bird", "robin", "blackbird", "sparrow",
    "owl", "fox", "mole", "vole", "mouse", "rat", "butterfly", "moth", "caterpillar", "beetle",
    "spider", "weed", "nettle", "bramble", "ivy", "bindweed", "clover", "grass", "lawn", "mower",
    "hose", "barrel", "tap", "pump", "pipe", "irrigation", "drip", "watering", "bucket",
    "wheelbarrow", "spade", "fork", "rake", "hoe", "trowel", "shears", "saw", "drill", "hammer",
    "nails", "screws", "glue", "paint", "brush", "ladder", "rope", "wire", "string", "labels",
    "markers", "notebook", "calendar", "schedule", "rota", "plan", "map", "photo", "picture",
    "video", "link", "page", "forum", "thread", "reply", "topic", "category", "charter", "article",
    "rule", "vote", "ballot", "proposal", "amendment", "moderator", "signal", "decision", "appeal",
    "journal", "newsletter", "email", "phone", "message", "address", "budget", "money", "fee",
    "grant", "treasurer", "secretary", "president", "board", "council", "city", "neighbourhood",
    "school", "children", "family", "friends", "neighbours", "newcomers", "beginners", "experts",
    "workshop", "course", "lesson", "talk", "visit", "tour", "festival", "fair", "party", "picnic",
    "barbecue", "dinner", "lunch", "breakfast", "snack", "drinks", "music", "games", "sport",
    "walk", "bike", "car", "bus", "train", "parking", "road", "street", "corner", "entrance",
    "gravel", "stone", "brick", "concrete", "sand", "clay", "loam", "chalk", "peat", "manure",
    "leafmould", "biochar", "ash", "lime", "nitrogen", "potassium", "phosphorus", "ph", "acidity",
    "drainage", "frost", "snow", "ice", "wind", "storm", "drought", "heat", "shade", "light",
    "sunshine", "cloud", "temperature", "thermometer", "gauge", "sensor", "battery", "solar",
    "panel", "lamp", "cable", "socket", "power", "energy", "waste", "recycling", "bin", "bag",
    "box", "crate", "tray", "pot", "container", "label", "seedling", "cutting", "graft", "root",
    "stem", "branch", "bud", "blossom", "flower", "petal", "pollen", "seed", "pod", "husk",
    "shell", "skin", "juice", "sugar", "salt", "vinegar", "oil", "butter", "cheese", "eggs",
    "milk", "flour", "rice", "pasta", "lentils", "chickpeas", "nuts", "oats", "barley", "wheat",
    "rye", "buckwheat", "quinoa", "maize", "sorghum", "millet", "hemp", "flax", "cotton", "wool",
    "linen", "canvas", "tarp", "sheet", "cover", "roof", "wall", "floor", "door", "window",
    "glass", "plastic", "metal", "steel", "iron", "copper", "zinc", "aluminium", "timber", "plank",
    "beam", "post", "joist", "screw", "bolt", "hinge", "handle", "blade", "edge", "point", "tip",
    "size", "shape", "colour", "red", "green", "yellow", "blue", "purple", "orange", "white",
    "black", "brown", "grey", "pink", "golden", "silver", "dark", "bright", "small", "large",
    "tall", "short", "wide", "narrow", "deep", "shallow", "early", "late", "fast", "slow", "easy",
    "hard", "simple", "clear", "strong", "weak", "fresh", "wet", "warm", "cold", "hot", "cool",
    "sweet", "sour", "bitter", "spicy", "tasty", "ripe", "young", "old", "new", "good", "great",
    "nice", "lovely", "beautiful", "happy", "sorry", "glad", "sure", "maybe", "probably", "really",
    "quite", "actually", "usually", "often", "sometimes", "never", "always", "today", "tomorrow",
    "yesterday", "tonight", "weekend", "month", "season", "last", "next", "first", "second",
    "third", "half", "whole", "every", "many", "much", "little", "lot", "plenty", "enough",
    "extra", "spare", "free", "closed", "ready", "busy", "quiet", "safe", "careful", "important",
    "useful", "possible", "difficult", "different", "similar", "local", "public", "private",
    "shared", "common", "rare", "regular", "special", "annual", "weekly", "daily", "think", "know",
    "want", "need", "like", "love", "hope", "wish", "try", "start", "finish", "stop", "keep",
    "leave", "bring", "take", "give", "make", "build", "fix", "repair", "clean", "sort", "move",
    "carry", "dig", "sow", "grow", "pick", "cut", "prune", "tie", "stake", "protect", "feed",
    "mix", "add", "check", "test", "measure", "count", "read", "write", "post", "ask", "answer",
    "tell", "explain", "show", "find", "look", "watch", "see", "hear", "say", "agree", "disagree",
    "suggest", "propose", "decide", "choose", "join", "meet", "welcome", "invite", "thank",
    "remember", "forget", "learn", "teach", "organise", "prepare", "cook", "bake", "eat", "drink",
    "taste", "smell", "store", "dry", "freeze", "swap", "sell", "buy", "borrow", "lend", "return",
    "order", "deliver", "collect", "drop", "close", "unlock", "turn", "wait", "stay",
]  # fmt: skip
RARE_WORDS = ["bergamot", "espalier", "quincunx", "mycorrhiza", "vermiculite", "scarifier",
    "dibber", "hellebore", "comfrey", "borage", "mizuna", "salsify", "scorzonera", "cardoon",
    "medlar", "loquat", "tayberry", "jostaberry", "skirret", "yacon", "crosnes", "purslane",
    "lovage", "chervil", "tarragon", "fenugreek", "amaranth", "kohlrabi", "romanesco", "celeriac",
    "samphire", "tomatillo", "physalis", "nasturtium", "calendula", "phacelia", "sainfoin",
    "lucerne", "mangold", "rhubarb",
]  # fmt: skip
VOCABULARY = FUNCTION_WORDS + CONTENT_WORDS
_FUNCTION = frozenset(FUNCTION_WORDS)
_CONTENT = frozenset(CONTENT_WORDS)
_VOCABULARY_WEIGHTS = list(accumulate(1 / (rank + 3) for rank in range(1, len(VOCABULARY) + 1)))
TITLE_WORDS = CONTENT_WORDS[:300]
LINK_SITES = ("https://example.org", "https://gardens.example.net", "https://wiki.example.com")
CATEGORIES = [
    ("Announcements", "News from the board and the coordinators."),
    ("General discussion", "Everything about the gardens that fits nowhere else."),
    ("Growing vegetables", "Sowing, planting, tending and harvesting."),
    ("Fruit and orchards", "Trees, bushes, pruning and grafting."),
    ("Tools and repairs", "The tool library, the sheds and everything that breaks."),
    ("Events and workshops", "Work parties, open days, courses and celebrations."),
    ("Recipes and preserving", "What to do with the harvest."),
    ("Help for beginners", "No question is too small."),
    ("Wildlife and biodiversity", "Bees, birds, hedgehogs and the other neighbours."),
    ("Off topic", "Anything else, kindly."),
]
FIRST_NAMES = ["ada", "amina", "ana", "bruno", "camille", "chen", "chiara", "dmitri", "elif",
    "emma", "farid", "fatou", "gabriel", "hana", "helene", "ines", "ivan", "jonas", "joseph",
    "julia", "karim", "kenji", "lea", "leila", "lucas", "maya", "marco", "mateo", "nadia", "nina",
    "noor", "olga", "omar", "paula", "pedro", "priya", "rafael", "rosa", "sam", "sara", "sofia",
    "tariq", "theo", "tom", "vera", "yann", "yusuf", "zoe", "alex", "ben", "clara", "dario", "eva",
    "felix", "greta", "hugo", "ida", "jack", "kai", "lina", "milo", "nora", "otto",
]  # fmt: skip
LAST_NAMES = ["martin", "bernard", "dubois", "thomas", "robert", "richard", "petit", "durand",
    "leroy", "moreau", "simon", "laurent", "lefebvre", "michel", "garcia", "david", "bertrand",
    "roux", "vincent", "fournier", "morel", "girard", "andre", "mercier", "dupont", "lambert",
    "bonnet", "francois", "martinez", "smith", "jones", "taylor", "brown", "wilson", "evans",
    "walker", "wright", "green", "hall", "wood", "clarke", "rossi", "russo", "ferrari", "esposito",
    "bianchi", "romano", "silva", "santos", "costa", "mensah", "diallo", "haddad", "raman",
    "nakamura", "kowalski", "novak", "horvat", "jensen", "larsen",
]  # fmt: skip
# A few decisions in the journal, of each kind: (outcome, action, sanction).
SETTLED_CASES = [
    (Outcome.DISMISSED, "", ""),
    (Outcome.UPHELD, Action.KEEP, SanctionKind.WARNING),
    (Outcome.UPHELD, Action.HIDE, ""),
    (Outcome.DISMISSED, "", ""),
    (Outcome.UPHELD, Action.KEEP, ""),
    (Outcome.UPHELD, Action.DELETE, SanctionKind.WARNING),
]
LISTS = ("list", "ordered")

# A post as generated: its columns, then its thread's title if it is the first post.
POST_COLUMNS = ("thread_id", "number", "author_id", "source", "html", "created_at", "edited_at",
                "state", "deleted_by_id", "thanks_count", "announced")  # fmt: skip
CREATE_STAGING = """
    CREATE TEMPORARY TABLE IF NOT EXISTS generated_post (
        id bigint, thread_id bigint, number integer, author_id bigint, source text, html text,
        created_at timestamptz, edited_at timestamptz, state text, deleted_by_id bigint,
        thanks_count integer, announced boolean, title text
    ) ON COMMIT DROP
"""
NEXT_POST_IDS = (
    "SELECT nextval(pg_get_serial_sequence('forum_post', 'id')) FROM generate_series(1, %s)"
)
COPY_TO_STAGING = """
    COPY generated_post (id, thread_id, number, author_id, source, html, created_at, edited_at,
                         state, deleted_by_id, thanks_count, announced, title) FROM STDIN
"""
INSERT_FROM_STAGING = """
    INSERT INTO forum_post (id, thread_id, number, author_id, source, html, created_at,
                            edited_at, state, deleted_by_id, thanks_count, announced,
                            search_vector)
    SELECT id, thread_id, number, author_id, source, html, created_at, edited_at, state,
           deleted_by_id, thanks_count, announced,
           CASE WHEN title IS NULL THEN to_tsvector(%s::regconfig, source)
                ELSE setweight(to_tsvector(%s::regconfig, title), 'A')
                     || to_tsvector(%s::regconfig, source) END
    FROM generated_post ORDER BY id
"""


class GenerationRefused(Exception):
    """The community cannot be generated as asked; the message says why."""


# ---------------------------------------------------------------------------------------------
# Prose: the pool of Markdown blocks that posts are made of


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
        found.extend(word for word in words if word in _CONTENT)
        return " ".join(words)

    def _paragraph(self, found: list[str], pairs: list[str], mentions: list[int], rare) -> str:
        sentences = []
        for _sentence in range(self.rng.randint(1, 4)):
            words = self._words(self.rng.randint(6, 18))
            found.extend(word for word in words if word in _CONTENT)
            self._decorate(words, mentions)
            pairs.extend(
                f"{a} {b}" for a, b in pairwise(words) if a in _CONTENT and b in _CONTENT and a != b
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


# ---------------------------------------------------------------------------------------------
# The community


@dataclass(eq=False)
class PlannedThread:
    category: int
    title: str
    times: array  # of each post, by number - 1
    authors: array  # member index of each post's author, by number - 1
    pinned: bool = False
    locked: bool = False
    pk: int = 0


@dataclass
class Generation:
    size: Size
    seed: int
    log: Callable[[str], None]
    preset: str = ""
    rng: random.Random = field(init=False)
    now: datetime = field(init=False)
    stages: dict[str, float] = field(default_factory=dict)
    rows: Counter = field(default_factory=Counter)  # inserted, by model
    staging: bool = False  # whether this transaction's table of posts to copy exists

    def __post_init__(self) -> None:
        # Sample texts and dates, no secret: a seeded generator makes them again at will.
        self.rng = random.Random(self.seed)  # nosec B311
        self.now = timezone.now().replace(microsecond=0)
        self.start = self.now - timedelta(seconds=HISTORY)
        n = self.size.members
        self.founders = max(8, n // 50)
        self.moderators = min(10, max(2, n // 200))  # members 1..moderators; 0 is the admin
        self.member = self.moderators + 1  # the manifest's member, a founder
        self.settled_by = self.moderators  # decided the journal's cases
        # Ordinary founders other than the manifest's member: they signal each other's posts.
        self.signallers = list(range(self.moderators + 2, self.founders))
        self.signalled_authors = frozenset(self.signallers)
        self.open_cases = min(OPEN_CASES, self.size.posts // 40)

    def run(self) -> dict:
        began = time.perf_counter()
        if Member.objects.exists() or Category.objects.exists():
            raise GenerationRefused(
                "The database already has members or categories: generate a community into a "
                "freshly migrated, empty database."
            )
        with self.stage("founders and charter"):
            self.found_the_charter()
        with self.stage("members"):
            self.add_members()
        with self.stage("categories and threads"):
            self.plan_threads()
        with self.stage("posts"):
            self.write_posts()
        with self.stage("read marks and watching"):
            self.mark_reading()
        with self.stage("counters"):
            self.count()
        with self.stage("notifications"):
            self.notify_the_member()
        with self.stage("moderation"):
            self.moderate()
        if connection.vendor == "postgresql":
            with self.stage("analyze", atomic=False):
                self.analyze()
        seconds = time.perf_counter() - began
        rows = sum(self.rows.values())
        self.log(f"total: {rows:,} rows in {seconds:.1f} s ({rows / seconds:,.0f} rows/s)")
        return self.manifest(seconds)

    @contextmanager
    def stage(self, name: str, *, atomic: bool = True) -> Iterator[None]:
        began, rows = time.perf_counter(), sum(self.rows.values())
        with transaction.atomic() if atomic else _nothing():
            yield
        seconds = time.perf_counter() - began
        self.stages[name] = round(seconds, 2)
        added = sum(self.rows.values()) - rows
        self.log(f"{name}: {added:,} rows in {seconds:.1f} s")

    def insert(self, model: type[Model], rows: list) -> list:
        with _dated_as_given(model):
            created = model.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        self.rows[model._meta.model_name] += len(created)
        return created

    def at(self, seconds: float) -> datetime:
        return self.start + timedelta(seconds=seconds)

    # Members and the charter

    def found_the_charter(self) -> None:
        """The founders join, vote the charter in through its founding ballot and accept it."""
        n = self.size.members
        founders = sorted(self.rng.uniform(0, FOUNDERS_JOINED_WITHIN) for _ in range(self.founders))
        others = sorted(
            self.rng.uniform(OTHERS_JOIN_FROM, OTHERS_JOIN_UNTIL) for _ in range(n - self.founders)
        )
        self.joined = array("d", founders + others)
        self.usernames = self._usernames(n)
        self.password = make_password(PASSWORD)  # once: hashing is slow on purpose
        # Some members write far more than others; the manifest's member is among the keenest.
        ranks = list(range(n))
        self.rng.shuffle(ranks)
        keen = ranks.index(min(10, n - 1))
        ranks[keen], ranks[self.member] = ranks[self.member], ranks[keen]
        self.activity = list(accumulate(1 / (rank + 1) ** 0.7 for rank in ranks))
        members = self._create_members(range(self.founders), must_accept=True)
        # Founders read the site rather than their email, as in the demo: playing history
        # through the services below emails nobody.
        self.insert(
            Preference,
            [
                Preference(member=member, kind=kind, email=EmailChoice.DIGEST)
                for member in members
                for kind in Kind
            ],
        )
        admin = members[0]
        draft = charter.start_provisional_charter()
        language = "fr" if settings.LANGUAGE_CODE.lower().startswith("fr") else "en"
        charter.edit_provisional_charter(
            admin=admin,
            version=draft,
            articles=[
                charter.ArticleDraft(*article) for article in charter_content.ARTICLES[language]
            ],
            parameters=defaults(),
        )
        ballot = charter.open_founding_ballot(
            admin=admin, version=draft, now=self.at(FOUNDING_BALLOT_OPENS)
        )
        voting = (ballot.closes_at - ballot.opened_at) / 2
        for n, member in enumerate(members):
            if n % 5 == 4:
                continue  # not everyone votes
            choice = "no" if n % 7 == 6 else "abstain" if n % 11 == 10 else "yes"
            at = ballot.opened_at + voting * (n + 1) / (len(members) + 1)
            charter.cast_vote(member=member, ballot=ballot, choice=choice, now=at)
        charter.close_ballot(ballot_id=ballot.pk, now=ballot.closes_at)
        self.version = charter_selectors.current_version()
        if self.version is None:
            raise GenerationRefused("The founding ballot did not ratify the charter.")
        for member in members:
            charter.accept_charter(member=member, version=self.version)
        # All this happened three years ago, and its news was read then.
        ratified = ballot.closes_at
        CharterVersion.objects.update(created_at=self.at(FOUNDERS_JOINED_WITHIN))
        Acceptance.objects.update(accepted_at=ratified + timedelta(hours=2))
        for event, at in (("open", ballot.opened_at), ("result", ratified)):
            Notification.objects.filter(event_key=f"ballot:{ballot.pk}:{event}").update(
                created_at=at, read_at=at + timedelta(hours=5)
            )
        self.ratified = (ratified - self.start).total_seconds()

    def add_members(self) -> None:
        """Everyone else joined after the founding, and accepted the charter on joining."""
        members = self._create_members(range(self.founders, self.size.members), must_accept=False)
        self.insert(
            Acceptance,
            [
                Acceptance(
                    member=member,
                    version=self.version,
                    accepted_at=member.date_joined + timedelta(minutes=10),
                )
                for member in members
            ],
        )
        self.pks = array("q", Member.objects.order_by("pk").values_list("pk", flat=True))

    def _create_members(self, indexes: range, *, must_accept: bool) -> list[Member]:
        rows = []
        for index in indexes:
            username = self.usernames[index]
            joined = self.at(self.joined[index])
            if index < self.founders or self.rng.random() < 0.4:
                seen = self.now - timedelta(seconds=self.rng.uniform(0, 14 * DAY))
            else:
                seen = joined + (self.now - joined) * self.rng.random()
            rows.append(
                Member(
                    username=username,
                    email=f"{username}@generated.palabre.test",
                    password=self.password,
                    display_name=username.replace("_", " ").title() if index else "Admin",
                    date_joined=joined,
                    last_login=seen,
                    is_staff=index == 0,
                    is_superuser=index == 0,
                    is_moderator=index <= self.moderators,
                    must_accept_charter=must_accept,
                )
            )
        members = self.insert(Member, rows)
        self.insert(
            EmailAddress,
            [
                EmailAddress(user=member, email=member.email, verified=True, primary=True)
                for member in members
            ],
        )
        return members

    def _usernames(self, count: int) -> list[str]:
        names = [f"{first}_{last}" for first in FIRST_NAMES for last in LAST_NAMES]
        self.rng.shuffle(names)
        rounds = -(-count // len(names))
        numbered = [f"{name}{round_ or ''}" for round_ in range(rounds) for name in names]
        return ["admin", *numbered[: count - 1]]

    def _poster(self, at: float) -> int:
        """A member who had joined by `at`, the keener more often."""
        joined = bisect.bisect_right(self.joined, at)
        pick = self.rng.random() * self.activity[joined - 1]
        return bisect.bisect_right(self.activity, pick, 0, joined)

    # Categories and threads

    def plan_threads(self) -> None:
        """Each thread's size, posts' dates and authors; then the categories and threads."""
        count = self.size.categories
        categories = self.insert(Category, [_category(n) for n in range(count)])
        weights = [1 / (n + 1) ** 0.8 for n in range(count)]
        self.rng.shuffle(weights)
        busiest = weights.index(max(weights))
        places = self.rng.choices(range(count), weights, k=self.size.threads - 1)
        self.prose = Prose(self.rng, self.usernames[: self.founders])
        self.hot = self._plan_hot_thread(busiest)
        threads = [self.hot] + [
            self._plan_thread(place, size)
            for place, size in zip(places, self._thread_sizes(), strict=True)
        ]
        threads.sort(key=lambda thread: thread.times[0])
        self.threads = threads
        self._pin_and_lock(threads)
        created = self.insert(
            Thread,
            [
                Thread(
                    category=categories[thread.category],
                    title=thread.title,
                    author_id=self.pks[thread.authors[0]],
                    created_at=self.at(thread.times[0]),
                    last_activity_at=self.at(thread.times[-1]),
                    pinned=thread.pinned,
                    locked=thread.locked,
                    post_count=len(thread.times),
                )
                for thread in threads
            ],
        )
        for thread, row in zip(threads, created, strict=True):
            thread.pk = row.pk
        self.categories = categories

    def _thread_sizes(self) -> list[int]:
        """Most threads short, some long, none as long as the hot thread's half (if the posts
        allow), adding up to the posts asked for."""
        threads = self.size.threads - 1
        extra = self.size.posts - self.size.hot_posts - threads
        weights = [self.rng.lognormvariate(0, 1.3) for _ in range(threads)]
        total = sum(weights)
        sizes = [1 + int(extra * w / total) for w in weights]
        cap = max(1, self.size.hot_posts // 2)
        if cap * threads < self.size.posts - self.size.hot_posts:
            cap = self.size.posts  # no room for a cap
        left = self.size.posts - self.size.hot_posts - sum(min(s, cap) for s in sizes)
        sizes = [min(s, cap) for s in sizes]
        while left:
            n = self.rng.randrange(threads)
            if sizes[n] < cap:
                sizes[n] += 1
                left -= 1
        return sizes

    def _plan_thread(self, category: int, size: int) -> PlannedThread:
        opens = self.ratified + DAY
        begins = opens + (HISTORY - opens) * math.sqrt(self.rng.random())  # a growing forum
        pace = self.rng.lognormvariate(math.log(3 * 3600), 1.2)
        gaps = [self.rng.expovariate(1 / pace) for _ in range(size - 1)]
        room = HISTORY - 60 - begins
        if sum(gaps) > room:
            squeeze = room / sum(gaps) * self.rng.uniform(0.5, 1)
            gaps = [gap * squeeze for gap in gaps]
        return self._posted(category, self.prose.title(), begins, gaps)

    def _plan_hot_thread(self, category: int) -> PlannedThread:
        """Long and lively: replies every few minutes for months, up to a few minutes ago."""
        size = self.size.hot_posts
        begins = max(self.ratified + DAY, HISTORY - HOT_THREAD_DAYS * DAY)
        gaps = [self.rng.expovariate(1) for _ in range(size - 1)]
        scale = (HISTORY - 600 - begins) / (sum(gaps) or 1)
        title = "The big " + self.prose.title().lower().rstrip("?") + " thread"
        thread = self._posted(category, title, begins, [gap * scale for gap in gaps])
        # The manifest's member replied early, so watches it, and has its last replies unread.
        unread = self._hot_unread()
        for number in range(max(2, size - unread + 1), size + 1):
            while thread.authors[number - 1] == self.member:
                thread.authors[number - 1] = self._poster(thread.times[number - 1])
        if size >= 2:
            thread.authors[1] = self.member
        return thread

    def _hot_unread(self) -> int:
        return min(40, self.size.hot_posts // 4)

    def _posted(self, category: int, title: str, begins: float, gaps: list[float]) -> PlannedThread:
        times = array("d", accumulate(gaps, initial=begins))
        authors = array("l", (self._poster(at) for at in times))
        return PlannedThread(category, title, times, authors)

    def _pin_and_lock(self, threads: list[PlannedThread]) -> None:
        """The oldest thread of each category is pinned; a few long-quiet threads are locked."""
        pinned: set[int] = set()
        for thread in threads:
            if thread is self.hot:
                continue
            if thread.category not in pinned:
                thread.pinned = True
                pinned.add(thread.category)
            elif thread.times[-1] < HISTORY - 365 * DAY and self.rng.random() < 0.02:
                thread.locked = True

    # Posts

    def write_posts(self) -> None:
        """Every post, in the order they were written, with its thanks, mentions and edits."""
        pool = min(60_000, max(60, self.size.posts // 16))
        self.prose.build_pool(pool)
        self.log(f"  {pool:,} Markdown blocks rendered")
        times, where, numbers = array("d"), array("l"), array("l")
        for n, thread in enumerate(self.threads):
            times.extend(thread.times)
            where.extend([n] * len(thread.times))
            numbers.extend(range(1, len(thread.times) + 1))
        order = sorted(range(len(times)), key=times.__getitem__)
        self.usage: Counter = Counter()  # how many visible posts hold each block
        self.category_posts = Counter()
        self.category_last: dict[int, int] = {}
        self.news: deque = deque(maxlen=NOTIFICATIONS)  # for the manifest's member
        self.moderated: list[tuple[int, int, float]] = []  # posts to signal: pk, author, time
        self.signal_chance = min(1.0, 50_000 / self.size.posts)
        member_threads: set[int] = set()
        sample = set(self.rng.sample(range(len(order)), min(200, len(order))))
        checked: list[tuple[str, str]] = []
        batch: list[tuple] = []
        reported = 0
        for position, i in enumerate(order):
            thread = self.threads[where[i]]
            number, at = numbers[i], times[i]
            author = thread.authors[number - 1]
            blocks = self.prose.post()
            state, previous, edited = PostState.VISIBLE, None, None
            roll = self.rng.random()
            if roll < 0.002 and number > 1:
                state = PostState.DELETED
            elif roll < 0.012:
                previous = self.prose.source(blocks)
                blocks.append(self.rng.choice(self.prose.edit_notes))
                edited = self.at(min(at + self.rng.uniform(120, 3 * 3600), HISTORY - 30))
            source = self.prose.source(blocks)
            html = self.prose.html(blocks)
            thankers = self._thankers(at, author) if state == PostState.VISIBLE else []
            mentioned = sorted(
                {m for b in blocks for m in self.prose.blocks[b].mentions} - {author}
            )
            post = (
                thread.pk,
                number,
                self.pks[author],
                source,
                html,
                self.at(at),
                edited,
                state.value,
                self.pks[author] if state == PostState.DELETED else None,
                len(thankers),
                True,  # announced: old news, nobody is to be told of it now
                thread.title if number == 1 else None,  # a first post is found by its title
            )
            if position in sample:
                checked.append((source, html))
            if state == PostState.VISIBLE:
                self.usage.update(blocks)
            news = None
            if author != self.member and state == PostState.VISIBLE:
                if self.member in mentioned:
                    news = Kind.MENTION
                elif where[i] in member_threads:
                    news = Kind.REPLY
            elif author == self.member:
                member_threads.add(where[i])
            batch.append((post, where[i], at, author, previous, thankers, mentioned, news))
            if len(batch) == BATCH_SIZE:
                self._flush_posts(batch)
            if position - reported >= len(order) // 10 and len(order) >= 100_000:
                reported = position
                self.log(f"  {position:,} posts")
        self._flush_posts(batch)
        check_rendering(checked)

    def _thankers(self, at: float, author: int) -> list[tuple[int, float]]:
        if self.rng.random() >= 0.08:
            return []
        count = 1 + (self.rng.random() < 0.3) + (self.rng.random() < 0.1)
        thankers = {self._poster(at) for _ in range(count)} - {author}
        return [
            (member, min(at + self.rng.uniform(60, 2 * DAY), HISTORY - 30))
            for member in sorted(thankers)
        ]

    def _flush_posts(self, batch: list[tuple]) -> None:
        rows = [entry[0] for entry in batch]
        if connection.vendor == "postgresql":
            pks = self._copy_posts(rows)
        else:
            posts = [Post(**dict(zip(POST_COLUMNS, row, strict=False))) for row in rows]
            pks = [post.pk for post in self.insert(Post, posts)]
        thanks, mentions, revisions = [], [], []
        for pk, (post, thread, at, author, previous, thankers, mentioned, news) in zip(
            pks, batch, strict=True
        ):
            category = self.threads[thread].category
            thanks += [
                Thanks(post_id=pk, member_id=self.pks[member], created_at=self.at(when))
                for member, when in thankers
            ]
            mentions += [Mention(post_id=pk, member_id=self.pks[m]) for m in mentioned]
            if previous is not None:
                revisions.append(
                    PostRevision(
                        post_id=pk,
                        editor_id=self.pks[author],
                        created_at=post[6],
                        previous_source=previous,
                    )
                )
            self.category_posts[category] += 1
            self.category_last[category] = pk
            if news:
                self.news.append((pk, news, thread, post[1], at, author, post[3]))
            if (
                author in self.signalled_authors
                and post[7] == PostState.VISIBLE
                and at < HISTORY - 12 * DAY
                and self.rng.random() < self.signal_chance
            ):
                self.moderated.append((pk, author, at))
        for model, aside in ((Thanks, thanks), (Mention, mentions), (PostRevision, revisions)):
            if aside:
                self.insert(model, aside)
        batch.clear()

    def _copy_posts(self, rows: list[tuple]) -> list[int]:
        """PostgreSQL's way to load many rows: COPY into a table of this transaction's, then one
        INSERT … SELECT that also computes each post's search vector, as `forum.services`
        indexes a post. Through bulk_create, Django compiled and PostgreSQL parsed every value
        of every row: the million posts took three times as long."""
        with connection.cursor() as cursor:
            if not self.staging:
                cursor.execute(CREATE_STAGING)
                self.staging = True
            cursor.execute(NEXT_POST_IDS, [len(rows)])
            pks = [pk for (pk,) in cursor.fetchall()]
            with cursor.cursor.copy(COPY_TO_STAGING) as copy:
                for pk, row in zip(pks, rows, strict=True):
                    copy.write_row((pk, *row))
            cursor.execute(INSERT_FROM_STAGING, [settings.SEARCH_CONFIG] * 3)
            cursor.execute("TRUNCATE generated_post")
        self.rows["post"] += len(rows)
        return pks

    # Reading and watching

    def mark_reading(self) -> None:
        """Whoever posted in a thread watches it and has read it up to their last post there,
        as replying does: written by the database from the posts themselves (a million rows
        through bulk_create took minutes). The manifest's member also went through the threads
        they watch two days ago (but for the hot thread's last replies), and read part of a few
        others."""
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO forum_readmark (member_id, thread_id, last_read_number) "
                "SELECT author_id, thread_id, MAX(number) FROM forum_post "
                "GROUP BY author_id, thread_id"
            )
            self.rows["readmark"] += cursor.rowcount
            cursor.execute(
                "INSERT INTO forum_threadsubscription (member_id, thread_id, level) "
                "SELECT DISTINCT author_id, thread_id, %s FROM forum_post",
                [WatchLevel.WATCHING.value],
            )
            self.rows["threadsubscription"] += cursor.rowcount
        self.member_marks: dict[int, int] = {}  # by thread index
        visited = HISTORY - LAST_VISIT
        for n, thread in enumerate(self.threads):
            if self.member not in thread.authors:
                continue
            own = len(thread.authors) - thread.authors[::-1].index(self.member)
            seen = bisect.bisect_right(thread.times, visited)
            if thread is self.hot:
                seen = min(seen, len(thread.times) - self._hot_unread())
            self.member_marks[n] = max(own, seen)
        member = self.pks[self.member]
        numbers = {self.threads[n].pk: number for n, number in self.member_marks.items()}
        marks = list(ReadMark.objects.filter(member_id=member))
        for mark in marks:
            mark.last_read_number = numbers[mark.thread_id]
        ReadMark.objects.bulk_update(marks, ["last_read_number"], batch_size=BATCH_SIZE // 4)
        others = [n for n in range(len(self.threads)) if n not in self.member_marks]
        read = []
        for n in self.rng.sample(others, min(30, len(others) // 2)):
            thread = self.threads[n]
            number = self.rng.randint(1, len(thread.times))
            read.append(ReadMark(member_id=member, thread_id=thread.pk, last_read_number=number))
        self.insert(ReadMark, read)

    # Counters

    def count(self) -> None:
        """The counters `forum.services.recount` rebuilds."""
        last = Post.objects.filter(thread=OuterRef("pk"), number=OuterRef("post_count"))
        Thread.objects.update(last_post=Subquery(last.values("pk")[:1]))
        threads = Counter(thread.category for thread in self.threads)
        for n, category in enumerate(self.categories):
            category.thread_count = threads[n]
            category.post_count = self.category_posts[n]
            category.last_post_id = self.category_last.get(n)
        Category.objects.bulk_update(
            self.categories, ["thread_count", "post_count", "last_post"], batch_size=BATCH_SIZE
        )

    # The manifest member's notifications

    def notify_the_member(self) -> None:
        """The latest replies in the threads the manifest's member watches, and mentions of
        them, as `notifications.services.notify` writes them; read up to their read marks."""
        member = self.pks[self.member]
        rows = []
        for pk, kind, n, number, at, author, source in self.news:
            thread = self.threads[n]
            mark = self.member_marks.get(n)
            read = at < HISTORY - 7 * DAY if mark is None else number <= mark
            reply = kind == Kind.REPLY
            rows.append(
                Notification(
                    recipient_id=member,
                    kind=kind,
                    actor_id=self.pks[author],
                    event_key=f"post:{pk}",
                    group_key=f"thread:{thread.pk}" if reply else f"post:{pk}",
                    title=thread.title[:200],
                    place=self.categories[thread.category].name[:200],
                    url=reverse("forum:post", kwargs={"pk": pk}),
                    excerpt=Truncator(source).chars(forum.EXCERPT_LENGTH),
                    unsubscribe_url=reverse(
                        "forum:stop_watching",
                        kwargs={
                            "token": forum.stop_watching_token(
                                member_id=member, thread_id=thread.pk
                            )
                        },
                    )
                    if reply
                    else "",
                    email=EmailChoice.DIGEST,  # the founders' choice
                    created_at=self.at(at),
                    read_at=self.at(min(at + self.rng.uniform(600, DAY), HISTORY - 60))
                    if read
                    else None,
                )
            )
        self.insert(Notification, rows)

    # Moderation

    def moderate(self) -> None:
        """A few settled cases in the journal, then the open cases of the queue, played through
        `moderation.services` by founders (who read their notifications on the site)."""
        articles = [
            article.pk
            for article in moderation_selectors.citable_articles()
            if not article.entrenched
        ]
        members = Member.objects.in_bulk(list(self.pks[: self.founders]))
        by_index = {n: members[self.pks[n]] for n in range(self.founders)}
        decider = by_index[self.settled_by]
        self.rng.shuffle(self.moderated)
        settled = [t for t in self.moderated if t[2] < HISTORY - 40 * DAY][: len(SETTLED_CASES)]
        open_ = [t for t in self.moderated if t not in settled][: self.open_cases]
        posts = Post.objects.in_bulk([pk for pk, _author, _at in settled + open_])
        settled = [(posts[pk], author, at) for pk, author, at in settled]
        open_ = [(posts[pk], author, at) for pk, author, at in open_]
        for (post, author, at), (outcome, action, sanction) in zip(
            settled, SETTLED_CASES, strict=False
        ):
            first = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            signalled = self._signal(
                post, author, at + self.rng.uniform(3600, 2 * DAY), articles, by_index
            )
            decided = signalled + timedelta(days=2)
            moderation.decide_case(
                moderator=decider,
                case=post.moderation_case,
                outcome=outcome,
                article_ids=[] if outcome == Outcome.DISMISSED else articles[:1],
                rationale="The post was read in its thread, against the article cited.",
                action=action,
                sanction=Step(sanction) if sanction else None,
                now=decided,
            )
            Notification.objects.filter(pk__gt=first).update(
                created_at=decided, read_at=decided + timedelta(hours=6)
            )
        # Played in the order they happened: a member may signal so many posts a day.
        times = sorted(HISTORY - self.rng.uniform(3 * 3600, 10 * DAY) for _ in open_)
        for n, ((post, author, _at), at) in enumerate(zip(open_, times, strict=True)):
            first = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            signalled = self._signal(post, author, at, articles, by_index)
            Notification.objects.filter(pk__gt=first).update(created_at=signalled)
            if n % 10 == 9:
                moderation.claim_case(moderator=decider, case=post.moderation_case, now=signalled)

    def _signal(
        self, post: Post, author: int, at: float, articles: list[int], by_index
    ) -> datetime:
        """One to three founders signal `post`, the first at `at`; returns that time."""
        count = self.rng.choices((1, 2, 3), cum_weights=(55, 85, 100))[0]
        signallers = [n for n in self.signallers if n != author]
        for k, n in enumerate(self.rng.sample(signallers, min(count, len(signallers)))):
            other = self.rng.random() < 0.1
            moderation.signal_post(
                member=by_index[n],
                post=post,
                article_ids=[] if other else self.rng.sample(articles, self.rng.choice((1, 1, 2))),
                other=other,
                note="Off the subject, and not kind." if other else "",
                now=self.at(at + k * 3600),
            )
        return self.at(at)

    def analyze(self) -> None:
        """Statistics for the planner, and row versions marked visible as an old database's are
        (otherwise the first benchmark to read each page would write it)."""
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")

    # The manifest

    def manifest(self, seconds: float) -> dict:
        hot = self.hot
        ordinary = sorted(
            (t for t in self.threads if t is not hot and not (t.locked or t.pinned)),
            key=lambda t: (len(t.times), t.pk),
        )
        thread = ordinary[len(ordinary) // 2] if ordinary else self.threads[0]
        threads = Counter(t.category for t in self.threads)
        busiest = min(threads, key=lambda n: (-threads[n], n))
        moderator = self.usernames[1]
        return {
            "preset": self.preset,
            "seed": self.seed,
            "counts": {
                "members": Member.objects.count(),
                "categories": Category.objects.count(),
                "threads": Thread.objects.count(),
                "posts": Post.objects.count(),
                "hot_posts": len(hot.times),
                "thanks": Thanks.objects.count(),
                "revisions": PostRevision.objects.count(),
                "mentions": Mention.objects.count(),
                "read_marks": ReadMark.objects.count(),
                "watching": ThreadSubscription.objects.count(),
                "notifications": Notification.objects.count(),
                "open_cases": Case.objects.filter(state=CaseState.OPEN).count(),
                "journal_entries": JournalEntry.objects.count(),
            },
            "seconds": round(seconds, 1),
            "stages": self.stages,
            "hot_thread": {
                "id": hot.pk,
                "posts": len(hot.times),
                "last_page": page_count(len(hot.times), settings.POSTS_PER_PAGE),
            },
            "category": {"slug": self.categories[busiest].slug, "threads": threads[busiest]},
            "thread": {"id": thread.pk},
            "search": self.search_words(),
            "member": {"username": self.usernames[self.member], "password": PASSWORD},
            "moderator": {"username": moderator, "password": PASSWORD},
            "ballot": None,
        }

    def search_words(self) -> dict:
        """A word in many posts, one in few, and two words found side by side."""
        posts_with: Counter = Counter()
        for index, uses in self.usage.items():
            for word in set(self.prose.blocks[index].words):
                posts_with[word] += uses
        ranked = sorted(posts_with.items(), key=lambda item: (-item[1], item[0]))
        common = next(word for word, _uses in ranked if word in _CONTENT)
        rare = sorted((uses >= 2, -uses, word) for word, uses in ranked if word in RARE_WORDS)
        rarest = rare[-1][2] if rare else ranked[-1][0]
        blocks = sorted(self.usage.items(), key=lambda item: (-item[1], item[0]))
        phrase = next(
            (
                self.prose.blocks[index].pairs[0]
                for index, _uses in blocks
                if self.prose.blocks[index].pairs
            ),
            common,
        )
        return {"common": common, "rare": rarest, "phrase": phrase}


@contextmanager
def _nothing() -> Iterator[None]:
    yield


@contextmanager
def _dated_as_given(model: type[Model]) -> Iterator[None]:
    """`bulk_create` dates an `auto_now_add` field with the present moment; a community with a
    past gives its own dates. Only while this process inserts; restored on the way out."""
    stamped = [f for f in model._meta.concrete_fields if getattr(f, "auto_now_add", False)]
    for stamp in stamped:
        stamp.auto_now_add = False
    try:
        yield
    finally:
        for stamp in stamped:
            stamp.auto_now_add = True


def _category(n: int) -> Category:
    name, description = CATEGORIES[n % len(CATEGORIES)]
    if round_ := n // len(CATEGORIES):
        name = f"{name} {round_ + 1}"
    return Category(name=name, slug=slugify(name), description=description, position=n)


def generate(*, size: Size, seed: int, preset: str, log: Callable[[str], None]) -> dict:
    """Build the community into an empty database; returns the manifest the benchmarks read."""
    if problems := size.problems():
        raise GenerationRefused("; ".join(problems) + ".")
    return Generation(size, seed, log, preset).run()
