"""The targets of pages.py and its report: a table per preset, the machine, a line per target
(`ok` or `FAIL`), and with two presets the growth from one to the other."""

from bench.stack import section

PRESETS = ("default", "large")

# The issues' targets, on the default preset with 2 sync workers and 8 connections.
ANONYMOUS_RATE = 150
SEARCH_P95_MS = {"default": 50, "large": 150}
# A member's pages against the bare-Django baseline measured in the same run (bench/baseline):
# at least this share of the requests per second of the faster of its two pages (the planner
# may join the same 20 rows differently for one page than for the other).
BASELINE_SHARE = 0.5
BASELINE_PAGES = ("baseline-first", "baseline-last")
MEMBER_PAGES = (
    "thread-first-member",
    "thread-last-member",
    "index-member",
    "category-member",
    "search-varied-member",
)
MEMBER_THREAD_QUERIES = 5
# The member's thread pages: a steady p99, under this many times the p50.
P99_FACTOR = 3
LAST_PAGE_FACTOR = 1.2
# The query count of the member's thread page must not depend on the page size.
OTHER_PAGE_SIZE = 50


def checks_of(preset: str, rows: list[dict], manifest: dict) -> list[dict]:
    """The targets of the pages measured: all of them on the default preset, the last page's
    cost on every one."""
    by_key = {row["key"]: row for row in rows}
    checks = [
        _check(
            "every page answers 200, without errors under load",
            all("error" not in row for row in rows),
            "; ".join(f"{r['page']} ({r['persona']}): {r['error']}" for r in rows if "error" in r)
            or "none",
            "none",
        )
    ]
    baselines = _measured(by_key, *BASELINE_PAGES)
    if baselines:
        fastest = max(baselines, key=lambda row: row.get("requests_per_second", 0))
        for row in _measured(by_key, *MEMBER_PAGES):
            checks.append(_baseline_share(row, fastest))
    thread_pages = _measured(by_key, "thread-first-member", "thread-last-member")
    if thread_pages:
        queries = [row.get("queries") for row in thread_pages]
        first = by_key.get("thread-first-member", {})
        queries.append(first.get(f"queries_at_{OTHER_PAGE_SIZE}_per_page"))
        checks.append(
            _check(
                f"hot thread as a member: at most {MEMBER_THREAD_QUERIES} SQL queries, the same"
                f" on the first and last page and at {OTHER_PAGE_SIZE} posts a page",
                None not in queries
                and len(set(queries)) == 1
                and queries[0] <= MEMBER_THREAD_QUERIES,
                ", ".join(map(str, queries)),
                f"<= {MEMBER_THREAD_QUERIES}, equal",
            )
        )
    for row in thread_pages:
        steady = "error" not in row and row["p99_ms"] < P99_FACTOR * row["p50_ms"]
        checks.append(
            _check(
                f"{row['page']} as a member: p99 under {P99_FACTOR}x p50",
                steady,
                row.get("error") or f"p99 {row['p99_ms']:g} ms, p50 {row['p50_ms']:g} ms",
                f"< {P99_FACTOR}x",
            )
        )
    if preset == "default":
        for row in _measured(by_key, "index", "category", "thread-first", "thread-last"):
            checks.append(_at_least(row, f"anonymous {row['page']}", ANONYMOUS_RATE))
    posts = manifest["counts"].get("posts", 0)
    searches = ("search-common", "search-rare", "search-phrase", "search-varied")
    budget = SEARCH_P95_MS.get(preset)
    for row in _measured(by_key, *searches) if budget else ():
        p95 = row.get("p95_ms")
        checks.append(
            _check(
                f"{row['page']} over {posts:,} posts: p95 under {budget} ms",
                "error" not in row and p95 is not None and p95 < budget,
                _figure(row, "p95_ms", "ms"),
                f"< {budget} ms",
            )
        )
    for persona, first, last in (
        ("visitor", "thread-first", "thread-last"),
        ("member", "thread-first-member", "thread-last-member"),
    ):
        if first in by_key and last in by_key:
            checks.append(_last_page_check(preset, persona, by_key[first], by_key[last]))
    return checks


def _measured(by_key: dict, *keys: str) -> list[dict]:
    return [by_key[key] for key in keys if key in by_key]


def _last_page_check(preset: str, persona: str, first: dict, last: dict) -> dict:
    requirement = (
        f"{preset}: the hot thread's last page costs at most {LAST_PAGE_FACTOR}x its first,"
        f" as a {persona} (p50, and 1/req/s)"
    )
    if "error" in first or "error" in last:
        return _check(
            requirement, False, "a page answered errors", f"<= {LAST_PAGE_FACTOR}", kind="last page"
        )
    latency = last["p50_ms"] / first["p50_ms"]
    rate = first["requests_per_second"] / last["requests_per_second"]
    return _check(
        requirement,
        latency <= LAST_PAGE_FACTOR and rate <= LAST_PAGE_FACTOR,
        f"p50 {last['p50_ms']:.1f} / {first['p50_ms']:.1f} ms = {latency:.3f}x, req/s"
        f" {first['requests_per_second']:.0f} / {last['requests_per_second']:.0f} = {rate:.3f}x",
        f"<= {LAST_PAGE_FACTOR}x",
        kind="last page",
    )


def _baseline_share(row: dict, baseline: dict) -> dict:
    requirement = (
        f"{row['page']} as a member: at least {BASELINE_SHARE:.0%} of the requests/s of"
        f" {baseline['page'].removeprefix('BASELINE: ')}"
    )
    if "error" in row or "error" in baseline:
        return _check(requirement, False, "a page answered errors", f">= {BASELINE_SHARE:.0%}")
    share = row["requests_per_second"] / baseline["requests_per_second"]
    return _check(
        requirement,
        share >= BASELINE_SHARE,
        f"{row['requests_per_second']:.0f} / {baseline['requests_per_second']:.0f}/s = {share:.0%}",
        f">= {BASELINE_SHARE:.0%}",
    )


def _at_least(row: dict, what: str, rate: int) -> dict:
    return _check(
        f"{what}: at least {rate} requests/s",
        "error" not in row and row.get("requests_per_second", 0) >= rate,
        _figure(row, "requests_per_second", "/s"),
        f">= {rate}/s",
    )


def _figure(row: dict, name: str, unit: str) -> str:
    return row["error"] if "error" in row else f"{row[name]:g} {unit}"


def _check(
    requirement: str, ok: bool, figure: str, threshold: str, *, kind: str = "target"
) -> dict:
    return {
        "requirement": requirement,
        "ok": bool(ok),
        "figure": figure,
        "threshold": threshold,
        "kind": kind,
    }


def report_preset(result: dict) -> None:
    run = result["run"]
    section(
        f"{result['preset']} preset: {run['connections']} connections, {run['wrk_threads']} wrk"
        f" threads, {run['seconds']} s per page after {run['warm_up_seconds']} s of warm-up"
    )
    _print_pages(result["pages"])
    section("Machine")
    _print_machine(result["machine"], run, result["community"])
    section("Targets")
    for check in result["checks"]:
        verdict = "ok  " if check["ok"] else "FAIL"
        print(f"{verdict}  {check['requirement']}: {check['figure']} ({check['threshold']})")


def _print_pages(pages: list[dict]) -> None:
    """A line a page; one that answered errors says so instead of its figures (in the JSON)."""
    header = ("page", "persona", "req/s", "p50", "p95", "p99", "max", "queries", "bytes", "non-2xx")
    lines = [header]
    for row in pages:
        if "error" in row:
            lines.append((row["page"], row["persona"], f"FAIL: {row['error']}"))
            continue
        lines.append(
            (
                row["page"],
                row["persona"],
                f"{row['requests_per_second']:.0f}",
                *(f"{row[f'{name}_ms']:.1f}" for name in ("p50", "p95", "p99", "max")),
                str(row["queries"]),
                f"{row['bytes']:,}",
                str(row["status_errors"]),
            )
        )
    full = [line for line in lines if len(line) == len(header)]
    widths = [max(len(line[i]) for line in full) for i in range(len(header))]
    widths[0] = max(len(line[0]) for line in lines)
    widths[1] = max(len(line[1]) for line in lines)
    for line in lines:
        cells = [
            cell.ljust(widths[i]) if i < 2 or len(line) < len(header) else cell.rjust(widths[i])
            for i, cell in enumerate(line)
        ]
        print("  ".join(cells).rstrip())
    print("(latencies in ms, from sending a request to the end of its answer, as wrk measures;")
    print(" queries: one warm request counted in-process; bytes: the body of one answer)")
    member = next((r for r in pages if r["key"] == "thread-first-member"), {})
    if f"queries_at_{OTHER_PAGE_SIZE}_per_page" in member:
        print(
            f"hot thread as a member at {OTHER_PAGE_SIZE} posts a page:"
            f" {member[f'queries_at_{OTHER_PAGE_SIZE}_per_page']} queries"
        )


def _print_machine(machine: dict, run: dict, community: dict) -> None:
    print(
        f"{machine['cores']} cores; load average (1, 5, 15 min) before "
        + " ".join(f"{n:.2f}" for n in machine["load_average_before"])
        + ", after "
        + " ".join(f"{n:.2f}" for n in machine["load_average_after"])
    )
    print(
        f"Python {machine['python']}, Django {machine['django']}, gunicorn {machine['gunicorn']}"
        f" ({run['web_workers']} sync workers), PostgreSQL {machine['postgresql']}"
        f" (shared_buffers {machine['postgresql_shared_buffers']}), Redis"
        f" {machine['redis'] or 'not used (--no-redis: a cache in each worker)'}, {machine['wrk']}"
    )
    generated = (
        f"reused from {community['reused_from']}, generated"
        if community["reused_from"]
        else "generated"
    )
    print(
        f"community: {generated} in {community['generation_seconds']:.0f} s"
        f" ({' '.join(community['generator'])})"
    )


def report_growth(results: dict) -> dict:
    small, large = (results[preset] for preset in PRESETS)
    small_rows = {row["key"]: row for row in small["pages"]}
    section("Growth: large / default")
    counts = [
        f"{name} {small['community']['manifest']['counts'][name]:,} ->"
        f" {large['community']['manifest']['counts'][name]:,}"
        for name in small["community"]["manifest"]["counts"]
        if name in large["community"]["manifest"]["counts"]
    ]
    print("; ".join(counts))
    print(f"{'page':<32}{'persona':<11}{'p50 ratio':>10}{'req/s ratio':>13}")
    ratios = []
    for row in large["pages"]:
        before = small_rows.get(row["key"])
        if not before or "requests" not in row or "requests" not in before:
            ratios.append({"key": row["key"], "page": row["page"], "persona": row["persona"]})
            print(f"{row['page']:<32}{row['persona']:<11}{'-':>10}{'-':>13}")
            continue
        p50 = row["p50_ms"] / before["p50_ms"]
        rate = row["requests_per_second"] / before["requests_per_second"]
        ratios.append(
            {
                "key": row["key"],
                "page": row["page"],
                "persona": row["persona"],
                "p50_ratio": round(p50, 2),
                "requests_per_second_ratio": round(rate, 2),
            }
        )
        print(f"{row['page']:<32}{row['persona']:<11}{p50:>10.2f}{rate:>13.2f}")
    checks = [
        check
        for result in (small, large)
        for check in result["checks"]
        if check["kind"] == "last page"
    ]
    section("Growth targets")
    for check in checks:
        verdict = "ok  " if check["ok"] else "FAIL"
        print(f"{verdict}  {check['requirement']}: {check['figure']}")
    return {"bench": "pages-growth", "ratios": ratios, "checks": checks}
