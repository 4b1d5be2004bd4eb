"""Generating a community for a test: `manage.py generate_community` with sizes of its own."""

import io
import json

from django.core.management import call_command

TINY = {"members": 30, "categories": 3, "threads": 20, "posts": 400, "hot_posts": 120}
# Enough to tell one seed's texts from another's, for the test that generates three times.
SMALLEST = {"members": 12, "categories": 2, "threads": 4, "posts": 40, "hot_posts": 10}


def generate(tmp_path, *, seed: int = 7, size: dict = TINY) -> dict:
    """Generate the tiny community (with the large preset's numbers overridden); the manifest."""
    manifest = tmp_path / f"manifest-{seed}.json"
    output = io.StringIO()
    sizes = [f"--{name.replace('_', '-')}={value}" for name, value in size.items()]
    call_command(
        "generate_community", "--preset=large", *sizes, f"--seed={seed}", f"--manifest={manifest}",
        stdout=output,
    )  # fmt: skip
    return json.loads(manifest.read_text()) | {"output": output.getvalue()}
