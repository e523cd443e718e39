"""Benchmark: the chat app in a real browser against a real `journey app`, with the scripted model.

Three measurements (issue 11 §4):

1. Cold start to the first answer: from launching `journey app` (fresh JOURNEY_HOME) to the first
   answer visible in the page; the browser is already open, as a user's would be. Split into server up,
   page usable and answer shown.
2. The app's own overhead per turn, without model time: the app logs each turn's wall time and the time
   it spent waiting for the assistant (the agent and its tools, in a worker thread); the rest is the
   app's own handling (steps, map picture, charts, messages, the data layer). Over a mix of turns: plain
   answers, map edits (grid + emotion curve + diff), diagnoses (chart + quotes), and one upload.
3. Time to a usable page (the mode picker shown, so the socket is up) when external hosts hang, for
   this app's page and, as the baseline in the same run, for Chainlit's own page (its Google Fonts and
   KaTeX links put back), plus that page when external hosts fail fast.

Run: .venv/bin/python -m evals.bench_app [--cold 3] [--turns 10] [--pages 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from evals.app_harness import (
    ASSISTANT,
    BROWSER_ARGS,
    CHROMIUM,
    OnlyLoopback,
    running_server,
    send,
    server_env,
    turn_timings,
)
from evals.bench_common import emit, machine

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_MAP = ROOT / "knowledge" / "maps" / "ecommerce-first-purchase-en.json"
SAMPLE_FEEDBACK = ROOT / "knowledge" / "feedback" / "shop-feedback-en.csv"
MODE_BUTTON = "button:has-text('Scripted model')"
# What Chainlit's index.html links from other hosts (removed by assistant/chat_app/offline.py).
CHAINLIT_EXTERNAL = (
    '<link rel="preconnect" href="https://fonts.googleapis.com" />'
    '<link rel="preconnect" href="https://fonts.gstatic.com" crossorigin />'
    '<link href="https://fonts.googleapis.com/css2?family=Inter:wght@400;500;700&display=swap" rel="stylesheet" />'
    '<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/katex@0.16.22/dist/katex.min.css" />'
)
GOALS = {"cold_start_s": 5.0, "turn_overhead_p95_ms": 150.0, "usable_page_s": 3.0}


def call(tool: str, /, **args: Any) -> dict[str, Any]:
    return {"tool_calls": [{"name": tool, "args": args}]}


def answer(message: str) -> dict[str, Any]:
    return call("ChatAnswer", message=message)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise SystemExit("Debian's Chromium is missing at /usr/bin/chromium: run tests/setup.sh")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser: Any, guard: OnlyLoopback, baseline_page: bool = False) -> tuple[Any, Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    context.set_default_timeout(60_000)

    def route(r: Any) -> None:
        if (
            baseline_page
            and r.request.resource_type == "document"
            and r.request.url.startswith("http://127.")
        ):
            response = r.fetch()
            html = response.text().replace("</title>", "</title>" + CHAINLIT_EXTERNAL, 1)
            r.fulfill(response=response, body=html)
        else:
            guard(r)

    context.route("**/*", route)
    return context, context.new_page()


# --- 1. cold start --------------------------------------------------------------------------------------


def cold_start(browser: Any, work: Path) -> dict[str, float]:
    script = work / "script.json"
    script.write_text(json.dumps([answer("Ready when you are.")]), encoding="utf-8")
    env = server_env(work / "home", script)
    guard = OnlyLoopback()
    context, page = new_page(browser, guard)
    try:
        with running_server(work, env) as server:
            cpu_up = server.cpu_seconds()
            page.goto(server.url)
            page.wait_for_selector(MODE_BUTTON)
            usable = time.perf_counter()
            send(page, "Hello")
            page.wait_for_selector(f"{ASSISTANT} >> text=Ready when you are.")
            shown = time.perf_counter()
            return {
                "server_up_s": server.ready - server.started,
                "page_usable_s": usable - server.started,
                "first_answer_s": shown - server.started,
                "first_turn_s": shown - usable,
                "server_cpu_at_up_s": cpu_up,
                "server_cpu_at_answer_s": server.cpu_seconds(),
            }
    finally:
        context.close()


# --- 2. per-turn overhead -------------------------------------------------------------------------------


def overhead_script(turns: int) -> list[dict[str, Any]]:
    journey = json.loads(SAMPLE_MAP.read_text(encoding="utf-8"))
    replies = [call("save_journey_map", map=journey, name="shop"), answer("Drafted.")]
    for k in range(turns):
        old, new = ("Checkout", "Payment") if k % 2 == 0 else ("Payment", "Checkout")
        replies += [answer("Here to help.")]
        replies += [
            call("apply_map_operations", operations=[{"op": "rename_stage", "stage": old, "new_name": new}])
        ]
        replies += [answer("Renamed.")]
        replies += [call("diagnose_journey"), answer("See the chart above.")]
    return replies


def turn_overhead(browser: Any, work: Path, turns: int) -> dict[str, Any]:
    script = work / "script.json"
    script.write_text(json.dumps(overhead_script(turns)), encoding="utf-8")
    env = server_env(work / "home", script)
    guard = OnlyLoopback()
    context, page = new_page(browser, guard)
    kinds: list[str] = []
    try:
        with running_server(work, env) as server:
            page.goto(server.url)
            page.wait_for_selector(MODE_BUTTON)
            page.locator("input[type=file]").first.set_input_files(str(SAMPLE_FEEDBACK))
            page.get_by_text(SAMPLE_FEEDBACK.name).first.wait_for()
            page.wait_for_selector("#chat-submit:not([disabled])")
            page.click("#chat-submit")
            page.wait_for_selector(f"{ASSISTANT} >> text=Every row is accounted for")
            kinds.append("upload")
            send(page, "Draft the first-purchase map.")
            kinds.append("draft")
            for _ in range(turns):
                send(page, "What can you do?")
                kinds.append("answer")
                send(page, "Rename that stage.")
                kinds.append("edit")
                send(page, "Which stage underperforms?")
                kinds.append("diagnose")
            server.wait_for_log("script_remaining=0")
            timings = turn_timings(server.log_text())
    finally:
        context.close()
    assert len(timings) == len(kinds), (len(timings), kinds)
    by_kind: dict[str, list[float]] = {}
    for kind, timing in zip(kinds, timings, strict=True):
        by_kind.setdefault(kind, []).append(1000 * timing["app"])
    measured = [1000 * t["app"] for k, t in zip(kinds, timings, strict=True) if k != "upload"]
    waiting = [1000 * t["waiting"] for k, t in zip(kinds, timings, strict=True) if k != "upload"]
    return {
        "turns": len(measured),
        "app_ms_p50": pct(measured, 50),
        "app_ms_p95": pct(measured, 95),
        "app_ms_max": max(measured),
        "waiting_ms_p50": pct(waiting, 50),
        "app_share_of_turn_p50": statistics.median(
            t["app"] / t["total"] for k, t in zip(kinds, timings, strict=True) if k != "upload" and t["total"]
        ),
        "by_kind_ms": {
            k: {"n": len(v), "p50": pct(v, 50), "p95": pct(v, 95), "max": max(v)} for k, v in by_kind.items()
        },
    }


# --- 3. usable page with external hosts unreachable -----------------------------------------------------


def usable_page(
    browser: Any, url: str, hang: bool, baseline_page: bool, cap_s: float, returning: bool = False
) -> dict[str, Any]:
    """Seconds from navigation to the mode picker (the socket is up and the chat started). A first visit
    (new browser profile) goes through the sign-in redirect of the local demo and loads the scripts; a
    returning visitor has the cookie and the browser's cache."""
    guard = OnlyLoopback(hang=hang)
    context, page = new_page(browser, guard, baseline_page)
    try:
        if returning:
            page.goto(url)
            page.wait_for_selector(MODE_BUTTON, timeout=cap_s * 1000)
            page.close()
            page = context.new_page()
        started = time.perf_counter()
        try:
            page.goto(url, wait_until="commit")
            page.wait_for_selector(MODE_BUTTON, timeout=cap_s * 1000)
            seconds, capped = time.perf_counter() - started, False
        except Exception:  # Playwright's TimeoutError: the page was not usable within the cap
            seconds, capped = cap_s, True
    finally:
        for held in guard.held:
            with suppress(Exception):
                held.abort("timedout")
        context.close()
    return {"seconds": seconds, "capped": capped, "external_requests": len(guard.blocked)}


def usable_pages(browser: Any, work: Path, runs: int, baseline_runs: int, cap_s: float) -> dict[str, Any]:
    script = work / "script.json"
    script.write_text("[]", encoding="utf-8")
    env = server_env(work / "home", script)
    out: dict[str, Any] = {}
    with running_server(work, env) as server:
        usable_page(browser, server.url, hang=False, baseline_page=False, cap_s=cap_s)  # first visit warms
        variants = {
            "ours_hosts_hang_first_visit": (True, False, False, runs),
            "ours_hosts_hang_returning": (True, False, True, runs),
            "chainlit_page_hosts_fail_fast": (False, True, False, baseline_runs),
            "chainlit_page_hosts_hang": (True, True, False, baseline_runs),
        }
        for name, (hang, baseline, returning, n) in variants.items():
            results = [usable_page(browser, server.url, hang, baseline, cap_s, returning) for _ in range(n)]
            seconds = [r["seconds"] for r in results]
            out[name] = {
                "runs": n,
                "median_s": statistics.median(seconds) if seconds else None,
                "max_s": max(seconds) if seconds else None,
                "capped_runs": sum(r["capped"] for r in results),
                "external_requests": sum(r["external_requests"] for r in results),
            }
    return out


# --- report ---------------------------------------------------------------------------------------------


def run(cold: int, turns: int, pages: int, baseline_pages: int, cap_s: float) -> dict[str, Any]:
    import chainlit

    compiled = (Path(chainlit.__file__).parent / "__pycache__").is_dir()
    result: dict[str, Any] = {
        "machine": {**machine(), "site_packages_bytecode_compiled": compiled},
        "goals": GOALS,
        "load_before": os.getloadavg(),
    }
    with chromium() as browser:
        colds = []
        for k in range(cold):
            with tempfile.TemporaryDirectory(prefix="bench-app-cold-") as tmp:
                colds.append(cold_start(browser, Path(tmp)))
                print(
                    f"cold start {k + 1}/{cold}: {colds[-1]['first_answer_s']:.2f} s",
                    file=sys.stderr,
                    flush=True,
                )
        result["cold_start"] = {
            "runs": colds,
            "first_answer_s_median": statistics.median(c["first_answer_s"] for c in colds),
            "first_answer_s_max": max(c["first_answer_s"] for c in colds),
        }
        with tempfile.TemporaryDirectory(prefix="bench-app-turns-") as tmp:
            result["turn_overhead"] = turn_overhead(browser, Path(tmp), turns)
        with tempfile.TemporaryDirectory(prefix="bench-app-page-") as tmp:
            result["usable_page"] = usable_pages(browser, Path(tmp), pages, baseline_pages, cap_s)
    result["load_after"] = os.getloadavg()
    page = result["usable_page"]
    ours = page["ours_hosts_hang_first_visit"]["median_s"]
    base = page["chainlit_page_hosts_hang"]["median_s"]
    result["ratios"] = {
        "chainlit_page_over_ours_hosts_hang": base / ours if ours and base else None,
        "app_overhead_share_of_turn_p50": result["turn_overhead"]["app_share_of_turn_p50"],
    }
    result["met"] = {
        "cold_start": result["cold_start"]["first_answer_s_median"] <= GOALS["cold_start_s"],
        "turn_overhead": result["turn_overhead"]["app_ms_p95"] <= GOALS["turn_overhead_p95_ms"],
        "usable_page": ours is not None and ours <= GOALS["usable_page_s"],
    }
    return result


def summary(r: dict[str, Any]) -> list[str]:
    c, t, p = r["cold_start"], r["turn_overhead"], r["usable_page"]
    runs = ", ".join(
        f"{x['first_answer_s']:.2f} (server {x['server_up_s']:.2f}, page {x['page_usable_s']:.2f})"
        for x in c["runs"]
    )
    lines = [
        f"cold start to first answer: median {c['first_answer_s_median']:.2f} s, max {c['first_answer_s_max']:.2f} s "
        f"(goal ≤ {GOALS['cold_start_s']:.0f} s: {'met' if r['met']['cold_start'] else 'NOT met'}); runs: {runs}",
        f"app overhead per turn ({t['turns']} turns): p50 {t['app_ms_p50']:.0f} ms, p95 {t['app_ms_p95']:.0f} ms, "
        f"max {t['app_ms_max']:.0f} ms (goal p95 ≤ {GOALS['turn_overhead_p95_ms']:.0f} ms: "
        f"{'met' if r['met']['turn_overhead'] else 'NOT met'}); waiting for the assistant p50 {t['waiting_ms_p50']:.0f} ms; "
        f"app share of a turn p50 {100 * t['app_share_of_turn_p50']:.0f}%",
    ]
    for kind, v in t["by_kind_ms"].items():
        lines.append(
            f"  {kind}: n={v['n']} p50 {v['p50']:.0f} ms, p95 {v['p95']:.0f} ms, max {v['max']:.0f} ms"
        )
    lines.append("usable page (mode picker shown):")
    for name, v in p.items():
        if not v["runs"]:
            continue
        capped = f", {v['capped_runs']} capped" if v["capped_runs"] else ""
        lines.append(
            f"  {name}: median {v['median_s']:.2f} s, max {v['max_s']:.2f} s over {v['runs']} runs{capped}; "
            f"requests to other hosts: {v['external_requests']}"
        )
    ratio = r["ratios"]["chainlit_page_over_ours_hosts_hang"]
    lines.append(
        f"  goal ≤ {GOALS['usable_page_s']:.0f} s: {'met' if r['met']['usable_page'] else 'NOT met'}"
        + (f"; Chainlit's page / ours with hosts hanging: {ratio:.1f}×" if ratio else "")
    )
    return lines


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cold", type=int, default=3, help="Cold starts (each from a fresh JOURNEY_HOME).")
    parser.add_argument("--turns", type=int, default=10, help="Rounds of answer + edit + diagnosis turns.")
    parser.add_argument("--pages", type=int, default=5, help="Page loads of this app with hosts hanging.")
    parser.add_argument("--baseline-pages", type=int, default=2, help="Page loads of Chainlit's own page.")
    parser.add_argument("--cap", type=float, default=20.0, help="Seconds after which a page load is cut.")
    parser.add_argument("--json", action="store_true", help="Print the result as JSON.")
    args = parser.parse_args(argv)
    result = run(args.cold, args.turns, args.pages, args.baseline_pages, args.cap)
    emit(result, args.json, summary(result))
    return result


if __name__ == "__main__":
    main()
