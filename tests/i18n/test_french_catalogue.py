import re
from pathlib import Path

from babel.messages.pofile import read_po

CATALOGUE = Path(__file__).resolve().parents[2] / "locale/fr/LC_MESSAGES/django.po"


def test_every_french_entry_is_translated_and_none_is_fuzzy():
    with CATALOGUE.open("rb") as po:
        catalogue = read_po(po)
    untranslated = [m.id for m in catalogue if m.id and not all(_strings(m.string))]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert len(catalogue) > 100
    assert untranslated == [] and fuzzy == []


def test_placeholders_survive_translation():
    with CATALOGUE.open("rb") as po:
        catalogue = read_po(po)
    for message in catalogue:
        if not message.id or not message.python_format:
            continue
        source = " ".join(_strings(message.id))
        for translated in _strings(message.string):
            assert _placeholders(translated) <= _placeholders(source), message.id


def _strings(value) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\(\w+\)[sd]", text))
