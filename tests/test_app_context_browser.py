"""A chat's context in the app, in a real browser (Debian's Chromium, Playwright) against `journey app` on
the embedded default with no model needed: diagnoses are answered by code, so nothing here is scripted.

What a user checks: a new chat has no map and no data and asks for them instead of borrowing another
chat's; the pickers next to the message box show what the chat works on; an upload joins only the chat it
was made in; two chats with different uploads answer on their own rows; a scoped question's answer says
its scope; a Korean browser gets Korean labels and the app's own Korean font.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from app_support import MAP_NAME, SAMPLE_FEEDBACK, SAMPLE_MAP

from evals.app_harness import (
    ASSISTANT,
    OnlyLoopback,
    running_server,
    send,
    server_env,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TIMEOUT = 60_000
FAILURES = Path(__file__).resolve().parent.parent / "out" / "browser-failures"


def split_feedback(folder: Path) -> tuple[Path, Path, int, int]:
    """The sample shop feedback as two datasets: the survey rows and every other channel's."""
    rows = list(csv.DictReader(io.StringIO(SAMPLE_FEEDBACK.read_text(encoding="utf-8"))))
    fields = list(rows[0])
    survey = [r for r in rows if r["channel"] == "survey"]
    other = [r for r in rows if r["channel"] != "survey"]
    paths = []
    for name, part in (("survey-feedback.csv", survey), ("other-channels.csv", other)):
        path = folder / name
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=fields)
            writer.writeheader()
            writer.writerows(part)
        paths.append(path)
    return paths[0], paths[1], len(survey), len(other)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from assistant.domain.loading import load_map
    from assistant.settings import load_settings
    from assistant.workspace import Workspace

    work = tmp_path_factory.mktemp("context")
    home = work / "home"
    with Workspace.open(load_settings(journey_home=home, journey_embedding="hashing")) as ws:
        ws.save_map(MAP_NAME, load_map(SAMPLE_MAP))
    survey, other, n_survey, n_other = split_feedback(work)
    env = server_env(home, None)
    env["JOURNEY_MODELS_DIR"] = str(work / "no-models")  # nothing here needs the model; never fetch it
    with running_server(work, env, timeout=180) as server:
        yield {"server": server, "survey": survey, "other": other, "n_survey": n_survey, "n_other": n_other}


@pytest.fixture
def pages(request: pytest.FixtureRequest) -> Iterator[list[Any]]:
    """Pages opened by a test; screenshots of them go to out/browser-failures/ when it fails."""
    opened: list[Any] = []
    yield opened
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        FAILURES.mkdir(parents=True, exist_ok=True)
        for k, page in enumerate(opened):
            page.screenshot(path=str(FAILURES / f"{request.node.name}-{k}.png"), full_page=True)


def new_page(browser: Any, locale: str = "en-US") -> Any:
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale=locale)
    ctx.route("**/*", OnlyLoopback())
    ctx.set_default_timeout(TIMEOUT)
    return ctx.new_page()


def upload(page: Any, path: Path) -> None:
    page.locator("input[type=file]").first.set_input_files(str(path))
    page.get_by_text(path.name).first.wait_for()
    page.wait_for_selector("#chat-submit:not([disabled])")
    page.click("#chat-submit")
    page.locator(ASSISTANT, has_text="Every row is accounted for").last.wait_for()


def last_answer(page: Any) -> str:
    return str(page.locator(ASSISTANT).last.inner_text())


def test_each_chat_works_on_its_own_map_and_data(
    world: dict[str, Any], browser: Any, pages: list[Any]
) -> None:
    server = world["server"]
    page = new_page(browser)
    pages.append(page)
    page.goto(server.url)
    page.wait_for_selector("#chat-input")

    # A new chat has no map and no data, and says so next to the message box.
    page.get_by_role("button", name="No map").wait_for()
    page.get_by_role("button", name="No data").wait_for()

    # A question that needs a map gets one short question back, with the saved maps as buttons.
    send(page, "Which stage underperforms, and why?")
    page.locator(ASSISTANT, has_text="Which journey map should I use").last.wait_for()
    page.get_by_role("button", name=f"{MAP_NAME} v1").last.click()
    page.locator(ASSISTANT, has_text="This chat now works on").last.wait_for()
    page.get_by_role("button", name=f"{MAP_NAME} v1").first.wait_for()
    # ...then the held-back question needs data, and none is stored yet: uploading in this chat gives it.
    page.locator(ASSISTANT, has_text="This needs customer feedback").last.wait_for()
    upload(page, world["survey"])
    survey_label = f"survey-feedback.csv ({world['n_survey']} rows)"
    page.get_by_role("button", name=survey_label).wait_for()

    send(page, "Which stage underperforms, and why?")
    page.locator(ASSISTANT, has_text=f"Map: {MAP_NAME} v1").last.wait_for()
    first = last_answer(page)
    assert f"Map: {MAP_NAME} v1" in first and "Data: survey-feedback.csv" in first
    assert "other-channels.csv" not in first

    # A second chat: its own upload, its own rows; the first chat's data is not borrowed.
    page.locator("#new-chat-button").click()
    confirm = page.get_by_role("button", name="Confirm")
    if confirm.count():
        confirm.click()
    page.get_by_role("button", name="No data").wait_for()
    upload(page, world["other"])
    page.get_by_role("button", name=f"other-channels.csv ({world['n_other']} rows)").wait_for()
    send(page, "Which stage underperforms, and why?")
    page.locator(ASSISTANT, has_text="Which journey map should I use").last.wait_for()
    send(page, MAP_NAME)  # a typed answer picks too
    page.locator(ASSISTANT, has_text="Data: other-channels.csv").last.wait_for()
    second = last_answer(page)
    assert "Data: other-channels.csv" in second and "survey-feedback.csv" not in second

    # A scoped question says its scope in the first line.
    send(page, "Only where plan is member: which stage is worst?")
    page.locator(ASSISTANT, has_text="plan = member").last.wait_for()
    scoped = last_answer(page)
    assert "plan = member" in scoped, scoped[:400]


def test_a_korean_browser_gets_korean_labels_and_the_apps_own_font(
    world: dict[str, Any], browser: Any, pages: list[Any]
) -> None:
    page = new_page(browser, locale="ko-KR")
    pages.append(page)
    fonts: list[str] = []
    page.on("request", lambda r: fonts.append(r.url) if r.url.endswith(".woff2") else None)
    page.goto(world["server"].url)
    page.wait_for_selector("#chat-input")
    page.get_by_role("button", name="지도 없음").wait_for()
    page.get_by_role("button", name="데이터 없음").wait_for()
    page.get_by_role("button", name="내장 모델 (오프라인)").wait_for()
    # The Korean font comes from the app itself (whether the browser needs it depends on the machine's fonts).
    sheet = page.locator("link[rel=stylesheet][href*='noto-sans-kr']")
    assert sheet.count() == 1
    css = page.request.get(world["server"].url + sheet.get_attribute("href"))
    assert css.ok and "Noto Sans KR" in css.text()
    first_file = css.text().split("url(./", 1)[1].split(")", 1)[0]
    base = world["server"].url + sheet.get_attribute("href").rsplit("/", 1)[0]
    assert page.request.get(f"{base}/{first_file}").ok
    assert all(url.startswith(world["server"].url) for url in fonts)
