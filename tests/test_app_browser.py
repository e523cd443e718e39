"""The chat app in a real browser: Debian's Chromium driven by Playwright against `journey app` started
by the test, with the scripted chat model (the only fake) driving the real agent, tools, workspace,
SQLite, Chroma and Chainlit data layer.

One conversation walks through what a PM and a CX lead do: pick a starter, upload feedback and read the
accounting (rejected rows downloadable), ask for a map and see it (grid and emotion curve), edit it by
asking and see the diff, undo with the button, download the CSV export, ask why a stage underperforms
and see the numbers and quotes; then reload and find the thread, and sign in as another user who does
not see it. The page may reach only the app: any request to another host is blocked and fails the test.
Screenshots are saved to out/browser-failures/ when a test fails.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from app_support import FOCUS, SECRET, USERS, Expected, compute_expected, feedback_file, script, users_env

from assistant.chat_app.grid import LANES
from evals.app_harness import (
    ASSISTANT,
    OnlyLoopback,
    Server,
    running_server,
    send,
    server_env,
    wait_idle,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
FAILURES = ROOT / "out" / "browser-failures"
TIMEOUT = 30_000


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The feedback file, the expected numbers, the script, and a running server with two users."""
    work = tmp_path_factory.mktemp("app")
    csv_path = feedback_file(work)
    expected, answer = compute_expected(csv_path, work / "reference-home")
    script_path = work / "script.json"
    script_path.write_text(json.dumps(script(answer), ensure_ascii=False), encoding="utf-8")
    env = server_env(work / "home", script_path, users_env(), SECRET)
    with running_server(work, env) as server:
        yield {"server": server, "csv": csv_path, "expected": expected, "work": work}


@pytest.fixture
def context(browser: Any, request: pytest.FixtureRequest) -> Iterator[tuple[Any, OnlyLoopback]]:
    guard = OnlyLoopback()
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US", accept_downloads=True)
    ctx.route("**/*", guard)
    ctx.set_default_timeout(TIMEOUT)
    shot = FAILURES / f"{request.node.name}-0.png"
    shot.unlink(missing_ok=True)
    yield ctx, guard
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        FAILURES.mkdir(parents=True, exist_ok=True)
        for k, page in enumerate(ctx.pages):
            page.screenshot(path=str(FAILURES / f"{request.node.name}-{k}.png"), full_page=True)
    ctx.close()


def click_at_bottom(page: Any, target: Any) -> None:
    """Click something in the newest message with the chat scrolled to the end first (Chainlit's floating
    'scroll to the bottom' button can otherwise sit on top of it)."""
    page.mouse.move(700, 400)
    page.mouse.wheel(0, 20_000)
    page.wait_for_timeout(300)
    target.click()


def click_button(page: Any, name: str) -> None:
    click_at_bottom(page, page.get_by_role("button", name=name, exact=True).last)


def sign_in(page: Any, server: Server, user: str) -> None:
    page.goto(server.url + "/login")
    page.fill("#email", user)
    page.fill("#password", USERS[user])
    page.click("button[type=submit]")
    page.wait_for_selector("#chat-input")


def test_whole_conversation(world: dict[str, Any], context: tuple[Any, OnlyLoopback]) -> None:
    server: Server = world["server"]
    expected: Expected = world["expected"]
    ctx, guard = context
    page = ctx.new_page()
    sign_in(page, server, "alice")

    def grid_of(version: int) -> Any:
        """The map picture of one version (custom elements render a moment after their message's text)."""
        return page.locator(f"[data-testid=journey-grid][data-version='{version}']").last

    # The mode is shown next to the message box.
    page.get_by_role("button", name="Scripted model").wait_for()

    # 1. A starter.
    starters = page.locator("#starters button")
    assert starters.count() == 4
    page.locator("#starters button", has_text="Upload feedback").click()
    wait_idle(page)
    page.wait_for_selector(f"{ASSISTANT} >> text=Every row is stored")

    # 2. Upload a CSV and read the accounting.
    page.locator("input[type=file]").first.set_input_files(str(world["csv"]))
    page.get_by_text("shop-feedback-test.csv").first.wait_for()
    page.wait_for_selector("#chat-submit:not([disabled])")
    page.click("#chat-submit")
    wait_idle(page)
    accounting = page.locator(ASSISTANT, has_text="Every row is accounted for").last
    accounting.wait_for()
    table = accounting.inner_text()
    numbers = [expected.rows_read, expected.rows_stored, expected.rows_duplicate, expected.rows_rejected]
    row = next(line for line in table.splitlines() if "shop-feedback-test.csv" in line)
    assert [int(x.replace(",", "")) for x in re.findall(r"\d[\d,]*", row.split("csv", 1)[1])] == numbers
    with page.expect_download() as download:
        click_at_bottom(page, accounting.locator("a", has_text="rejected-rows.csv"))
    rejects = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert [int(r["row"]) for r in rejects] == expected.reject_rows
    assert all(r["reason"] for r in rejects)

    # 3. Ask for a map: the grid and the emotion curve.
    send(page, "Draft a journey map of a first purchase in our online sports shop.")
    grid = page.locator("[data-testid=journey-grid]").last
    grid.wait_for()
    for lane in LANES:
        assert grid.locator(f"tr[data-lane={lane}]").count() == 1
    assert grid.locator("th[data-stage='Checkout']").count() == 1
    page.locator(".js-plotly-plot").last.wait_for()
    page.wait_for_selector(f"{ASSISTANT} >> text=I drafted the first-purchase journey")

    # 4. Edit it by asking: the diff is shown and the grid follows.
    send(page, "Rename the Checkout stage to Payment.")
    page.wait_for_selector(f"{ASSISTANT} >> text=Renamed stage 'Checkout' → 'Payment'")
    grid_of(2).locator("th[data-stage='Payment']").wait_for()

    # 5. Undo is one click away (only the newest map keeps its buttons).
    assert page.get_by_role("button", name="Undo the last edit").count() == 1
    assert page.get_by_role("button", name="Excel").count() == 1
    click_button(page, "Undo the last edit")
    page.wait_for_selector(f"{ASSISTANT} >> text=Undone")
    page.wait_for_selector(f"{ASSISTANT} >> text=Renamed stage 'Payment' → 'Checkout'")
    grid_of(3).locator("th[data-stage='Checkout']").wait_for()

    # 6. Download the CSV export and check its content.
    click_button(page, "CSV")
    link = page.locator("a.inline-file", has_text="First-purchase-in-an-online-sports-shop.csv").last
    link.wait_for()
    with page.expect_download() as download:
        click_at_bottom(page, link)
    exported = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "Checkout" in exported and "Is asked to create an account before paying" in exported

    # 7. Why does a stage underperform: numbers and quotes, computed from the stored rows.
    send(page, f"Why does {FOCUS} underperform?")
    answer = page.locator(ASSISTANT, has_text=f"{expected.negative} of {expected.n} feedback rows").last
    answer.wait_for()
    text = answer.inner_text()
    for value in (expected.share, expected.low, expected.high):
        assert value in text
    for quote_id in expected.quote_ids:
        assert quote_id in text
    assert page.locator(".js-plotly-plot").count() >= 2
    quotes = page.locator(ASSISTANT, has_text="What customers say about Checkout").last
    assert any(qid in quotes.inner_text() for qid in expected.quote_ids)
    assert page.locator("[data-step-type='tool']").count() >= 3

    # The scripted model's replies were all used, in order.
    server.wait_for_log("script_remaining=0")

    # 8. Reload: the thread is in the history and resumes with its map, whose buttons work again.
    page.reload()
    history = page.locator("a[href^='/thread/']")
    history.first.wait_for()
    assert history.count() == 1
    world["thread_url"] = history.first.get_attribute("href")
    page.goto(server.url + "/")
    page.wait_for_selector("#starters button")
    history.first.click()
    grid_of(3).locator("th[data-stage='Checkout']").wait_for()
    page.locator(".js-plotly-plot").first.wait_for()
    click_button(page, "JSON")
    page.locator("a.inline-file", has_text="First-purchase-in-an-online-sports-shop.json").last.wait_for()
    assert not guard.blocked, f"the page tried to reach other hosts: {guard.blocked}"

    # Nothing a user uploaded or generated is under public/ (served without sign-in).
    public = server.home / "app" / "root" / "public"
    shipped = {p.relative_to(ROOT / "public") for p in (ROOT / "public").rglob("*")}
    assert {p.relative_to(public) for p in public.rglob("*")} == shipped


def test_second_user_sees_nothing_of_the_first(
    world: dict[str, Any], context: tuple[Any, OnlyLoopback]
) -> None:
    server: Server = world["server"]
    ctx, guard = context
    page = ctx.new_page()
    sign_in(page, server, "bob")
    page.wait_for_selector("#starters button")
    page.wait_for_timeout(500)
    assert page.locator("a[href^='/thread/']").count() == 0
    if world.get("thread_url"):
        page.goto(server.url + world["thread_url"])
        page.wait_for_timeout(1500)
        assert page.locator("[data-testid=journey-grid]").count() == 0
        assert page.locator(ASSISTANT).count() == 0
    # Stored charts and files are served only by signed links.
    forged = page.request.get(
        server.url + "/journey-files/any/element/chart.json?expires=9999999999&signature=0"
    )
    assert forged.status == 403
    assert not guard.blocked


def test_a_csv_holding_binary_is_refused_and_starters_follow_the_browser_language(
    world: dict[str, Any], browser: Any
) -> None:
    guard = OnlyLoopback()
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="ko-KR")
    ctx.route("**/*", guard)
    ctx.set_default_timeout(TIMEOUT)
    try:
        page = ctx.new_page()
        sign_in(page, world["server"], "bob")
        starters = page.locator("#starters button")
        starters.first.wait_for()
        assert "여정 지도 만들기" in starters.all_inner_texts()
        # Every accepted format passes the browser's checks and is ingested, several at a time.
        folder = Path(world["work"]) / "formats"
        folder.mkdir()
        rows = [
            {"comment": "배송이 빨라서 좋았어요", "rating": 5},
            {"comment": "결제 오류가 났어요", "rating": 1},
        ]
        (folder / "reviews.jsonl").write_text(
            "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n"
        )
        (folder / "reviews.tsv").write_text("comment\trating\n앱이 자꾸 멈춰요\t2\n", encoding="utf-8")
        from openpyxl import Workbook

        book = Workbook()
        book.active.append(["comment", "rating"])
        book.active.append(["상담원 연결이 오래 걸렸어요", 2])
        book.save(folder / "reviews.xlsx")
        page.get_by_role("button", name="스크립트 모델").wait_for()  # the mode, in Korean
        page.locator("input[type=file]").first.set_input_files([str(p) for p in sorted(folder.iterdir())])
        page.get_by_text("reviews.xlsx").first.wait_for()
        page.wait_for_selector("#chat-submit:not([disabled])")
        page.click("#chat-submit")
        wait_idle(page)
        # The accounting, not the "reading…" line that names the same files (a loaded machine may show
        # the stop button late, so waiting for idle alone can return early).
        table = page.locator(ASSISTANT).filter(has_text=re.compile(r"reviews\.xlsx\s*\d")).last
        table.wait_for()
        text = table.inner_text()
        for name, stored in (("reviews.jsonl", 2), ("reviews.tsv", 1), ("reviews.xlsx", 1)):
            row = re.search(rf"^{re.escape(name)}\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$", text, re.MULTILINE)
            assert row is not None, text
            assert [int(v) for v in row.groups()] == [stored, stored, 0, 0], row.group(0)

        fake = Path(world["work"]) / "orders.csv"
        fake.write_bytes(b"MZ\x90\x00\x03" + bytes(range(256)) * 40)
        page.get_by_role("button", name="스크립트 모델").wait_for()  # the session is up
        page.locator("input[type=file]").first.set_input_files(str(fake))
        page.get_by_text("orders.csv").first.wait_for()
        page.wait_for_selector("#chat-submit:not([disabled])")
        page.click("#chat-submit")
        wait_idle(page)
        refusal = page.locator(ASSISTANT, has_text="윈도우 실행 파일").last
        refusal.wait_for()
        assert "윈도우 실행 파일" in refusal.inner_text() and "텍스트가 아닌" in refusal.inner_text()
        # A shell script named .csv and an empty file: one sentence each in the chat (the empty upload used to
        # fail inside Chainlit and leave the send button disabled).
        script, empty = Path(world["work"]) / "evil.csv", Path(world["work"]) / "empty.csv"
        script.write_bytes(b"#!/bin/sh\necho 'text,rating'\n")
        empty.write_bytes(b"")
        page.locator("input[type=file]").first.set_input_files([str(script), str(empty)])
        page.get_by_text("empty.csv").first.wait_for()
        page.wait_for_selector("#chat-submit:not([disabled])")
        page.click("#chat-submit")
        wait_idle(page)
        refusal = page.locator(ASSISTANT, has_text="셸 스크립트").last
        refusal.wait_for()
        assert "empty.csv 파일이 비어 있습니다" in refusal.inner_text(), refusal.inner_text()
        assert "/tmp" not in refusal.inner_text() and "Error" not in refusal.inner_text()
        # A chat that starts with files only is named after them in the history.
        page.reload()
        page.locator("a[href^='/thread/']", has_text="reviews.jsonl").first.wait_for()
        assert not guard.blocked
    except Exception:
        FAILURES.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(FAILURES / "binary-upload-ko.png"))
        raise
    finally:
        ctx.close()


def test_a_map_file_dropped_in_the_chat_becomes_the_map(world: dict[str, Any], browser: Any) -> None:
    guard = OnlyLoopback()
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    ctx.route("**/*", guard)
    ctx.set_default_timeout(TIMEOUT)
    folder = Path(world["work"]) / "maps"
    folder.mkdir()
    good = folder / "airline_map.json"
    good.write_text(json.dumps({"title": "US airline trip", "stages": ["Booking", "Lounge", "Boarding"]}))
    broken = folder / "broken_map.json"
    broken.write_text(json.dumps({"title": "Broken", "stages": ["Gate", "gate"]}))
    try:
        page = ctx.new_page()
        sign_in(page, world["server"], "bob")
        page.get_by_role("button", name="Scripted model").wait_for()
        page.locator("input[type=file]").first.set_input_files(str(good))
        page.get_by_text("airline_map.json").first.wait_for()
        page.wait_for_selector("#chat-submit:not([disabled])")
        page.click("#chat-submit")
        wait_idle(page)
        intro = page.locator(ASSISTANT, has_text="airline_map.json is a journey map").last
        intro.wait_for()
        assert "3 stages" in intro.inner_text()
        intro.get_by_text("Lounge").first.wait_for()  # the map's grid, drawn from the imported stages
        page.locator("input[type=file]").first.set_input_files(str(broken))
        page.get_by_text("broken_map.json").first.wait_for()
        page.wait_for_selector("#chat-submit:not([disabled])")
        page.click("#chat-submit")
        wait_idle(page)
        refusal = page.locator(ASSISTANT, has_text="broken_map.json could not be added").last
        refusal.wait_for()
        shown = page.locator(ASSISTANT).all_inner_texts()
        assert not [t for t in shown if "upload-" in t or str(world["work"]) in t], shown
        assert not guard.blocked
    finally:
        ctx.close()
