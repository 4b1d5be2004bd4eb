"""The numbers of the members' procedure, for the apps below the charter that enforce some of
them (the forum's first-day limits).

They are the charter's procedural parameters, changed only by amendment, never by a setting.
The forum and members may not depend on the charter, so the charter registers where they come
from when it is ready, as it registers its personal data.
"""

from collections.abc import Callable

_source: Callable[[], dict] | None = None


def register(source: Callable[[], dict]) -> None:
    # One source for the whole site, set once when the charter app is ready.
    global _source
    _source = source


def in_force() -> dict:
    """The procedural parameters in force, by key."""
    if _source is None:
        raise RuntimeError("The charter app, which holds the procedure's numbers, is missing.")
    return _source()
