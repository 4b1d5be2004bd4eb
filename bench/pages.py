"""Page load: requests per second and latency of the pages people read most, against gunicorn.

    make bench-pages       (or .venv/bin/python bench/pages.py --help; needs wrk)

Starts on 127.0.0.1 a private PostgreSQL, Redis (the cache and the broker, as in production;
`--no-redis` leaves it out, and each worker then has a cache of its own) and gunicorn with 2
sync workers serving config.wsgi without DEBUG, static files collected. No Celery worker runs:
the pages only read, and a task one queued would wait in Redis. The community comes from
`manage.py generate_community --preset …` (timed), after which the database is vacuumed and
analysed, as autovacuum soon would. `--keep-data DIR` keeps each preset's PostgreSQL cluster in
DIR/<preset>/, and `--reuse-data DIR` starts from it instead of generating again (the large
preset takes minutes).

The manifest's member and moderator sign in through allauth's login form; their session cookies
then go with every request of theirs. For each page: one request checked (it must answer 200:
a page answering errors is a FAIL, not a figure), the SQL queries of one such request counted
in this process (Django's test Client on the same database and settings, same session, after
one request to warm it), then wrk (8 connections, 2 threads by default) for a warm-up that is
thrown away and a timed run, its figures printed by bench/wrk_report.lua.

Prints the table, the machine and one line per target (`ok` or `FAIL`); writes everything to
var/bench/pages-<preset>-<time>.json (the logs beside it, in a .logs directory). With two
presets (`--growth`), also the growth from one to the other. Exits 1 if a target fails.
"""

import argparse
import json
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pages_measure import PAGE_KEYS
from bench.pages_report import PRESETS, report_growth
from bench.pages_run import COMPLETE, GENERATOR_SIZES, ROOT, BenchRun
from bench.stack import stop_on_sigterm

WRK_INSTALL = "apt-get install wrk   (or: scripts/install-system-packages --bench)"
# Every request but the timed ones, per page: the check, the counted pair, wrk starting.
PAGE_OVERHEAD_SECONDS = 2


def main() -> int:
    args = _arguments()
    if shutil.which("wrk") is None:
        print(f"wrk is missing: as root, run  {WRK_INSTALL}", file=sys.stderr)
        return 2
    presets = args.presets
    for preset in presets:
        missing = args.reuse_data and not (args.reuse_data / preset / COMPLETE).is_file()
        if missing and not args.keep_data:
            print(
                f"no kept data for the {preset} preset in {args.reuse_data}: make it with"
                f" --keep-data {args.reuse_data}",
                file=sys.stderr,
            )
            return 2
    per_preset = len(args.pages) * (args.warm_up + args.seconds + PAGE_OVERHEAD_SECONDS) + 30
    print(
        f"Expected: about {per_preset / 60:.0f} min per preset ({', '.join(presets)}):"
        f" {len(args.pages)} pages,"
        f" each {args.warm_up} s of warm-up and {args.seconds} s timed, plus generating the"
        " community unless its data is reused (default: minutes; large: up to 15 min)",
        flush=True,
    )
    stop_on_sigterm()
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    run = BenchRun(args, stamp)
    with run:
        results = {preset: run.preset(preset) for preset in presets}
    failed = any(not check["ok"] for result in results.values() for check in result["checks"])
    if len(results) > 1:
        growth = report_growth(results)
        growth_file = ROOT / "var" / "bench" / f"pages-growth-{stamp}.json"
        growth_file.write_text(json.dumps(growth, indent=2) + "\n")
        print(f"\n(growth in {growth_file.relative_to(ROOT)})")
    print("\nFAILED: a target is not met" if failed else "\nevery target is met")
    return 1 if failed else 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--presets",
        "--preset",
        default="default",
        type=lambda text: [p for p in text.split(",") if p],
        help="generator presets to run, comma-separated: default, large (default: default)",
    )
    parser.add_argument("--growth", action="store_true", help="the same as --presets default,large")
    parser.add_argument(
        "--pages",
        default=",".join(PAGE_KEYS),
        type=lambda text: [p for p in text.split(",") if p],
        help=f"pages to measure, comma-separated (default: all of {', '.join(PAGE_KEYS)})",
    )
    parser.add_argument("--seconds", type=int, default=15, help="timed run per page")
    parser.add_argument("--warm-up", type=int, default=3, help="untimed run before it")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--no-redis", action="store_true", help="no Redis: a cache per worker")
    parser.add_argument(
        "--keep-data", type=Path, metavar="DIR", help="keep each preset's data in DIR/<preset>"
    )
    parser.add_argument(
        "--reuse-data", type=Path, metavar="DIR", help="start from DIR/<preset> if it is there"
    )
    sizes = parser.add_argument_group("the community's sizes, passed to generate_community")
    for size in GENERATOR_SIZES:
        sizes.add_argument(f"--{size.replace('_', '-')}", type=int)
    args = parser.parse_args()
    if args.growth:
        args.presets = list(PRESETS)
    unknown = set(args.presets) - set(PRESETS)
    if unknown or not args.presets:
        parser.error(f"--presets: choose among {', '.join(PRESETS)}")
    if set(args.pages) - set(PAGE_KEYS) or not args.pages:
        parser.error(f"--pages: choose among {', '.join(PAGE_KEYS)}")
    args.keep_data = args.keep_data and args.keep_data.resolve()
    args.reuse_data = args.reuse_data and args.reuse_data.resolve()
    return args


if __name__ == "__main__":
    sys.exit(main())
