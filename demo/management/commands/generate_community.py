import json
from dataclasses import replace
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.generated.build import generate
from demo.generated.community import DEFAULT_SEED, PRESETS, GenerationRefused

SIZES = {"members": "members", "categories": "categories", "threads": "threads",
         "posts": "posts", "hot_posts": "posts in the hot thread"}  # fmt: skip


class Command(BaseCommand):
    help = (
        "Generate a community of a given size in bulk, for benchmarks, into an empty database: "
        "members, a ratified charter, categories, threads, posts, a hot thread, notifications "
        "and a moderation queue. Explicit numbers override the preset's."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--preset", choices=sorted(PRESETS), default="default")
        for option, what in SIZES.items():
            parser.add_argument(
                f"--{option.replace('_', '-')}", type=int, metavar="N", help=f"number of {what}"
            )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="the same seed makes the same texts"
        )
        parser.add_argument(
            "--manifest", type=Path, metavar="PATH", help="write what the benchmarks need, as JSON"
        )

    def handle(self, *args, **options) -> None:
        overrides = {size: options[size] for size in SIZES if options[size] is not None}
        size = replace(PRESETS[options["preset"]], **overrides)
        self.stdout.write(
            f"Generating {size.members:,} members, {size.categories:,} categories, "
            f"{size.threads:,} threads, {size.posts:,} posts (hot thread: {size.hot_posts:,}), "
            f"seed {options['seed']}"
        )
        try:
            manifest = generate(
                size=size, seed=options["seed"], preset=options["preset"], log=self.stdout.write
            )
        except GenerationRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        if options["manifest"]:
            options["manifest"].write_text(json.dumps(manifest, indent=2) + "\n")
            self.stdout.write(f"Manifest written to {options['manifest']}")
