"""`generate_community --seed`: the same seed writes the same texts, another seed others."""

import hashlib
from contextlib import suppress

import pytest
from django.db import transaction

from forum.models import Post
from members.models import Member
from tests.demo.generation import SMALLEST, generate

pytestmark = pytest.mark.django_db


def sources_of_a_run(tmp_path, seed: int) -> str:
    """Generate, digest the posts' texts in the order they were written, then undo it all."""

    class Undone(Exception):
        pass

    with suppress(Undone), transaction.atomic():
        generate(tmp_path, seed=seed, size=SMALLEST)
        digest = hashlib.sha256()
        for source in Post.objects.order_by("pk").values_list("source", flat=True):
            digest.update(source.encode() + b"\0")
        raise Undone
    return digest.hexdigest()


def test_a_seed_makes_the_same_texts_and_another_seed_others(tmp_path):
    first = sources_of_a_run(tmp_path, seed=11)
    assert not Member.objects.exists()
    assert sources_of_a_run(tmp_path, seed=11) == first
    assert sources_of_a_run(tmp_path, seed=12) != first
