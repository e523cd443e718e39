"""The Mermaid export rendered by the real Mermaid library, and the HTML export opened in headless Chromium.

Uses Debian's Chromium through Playwright (no browser download) and the mermaid npm package that
tests/setup.sh installs into tests/node_modules.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hostile_texts import HOSTILE_TEXTS, full_map, hostile_map, korean_map

from assistant.domain import JourneyMap
from assistant.exports import to_html, to_mermaid
from assistant.exports.sanitize import one_line, truncate

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
MERMAID_JS = Path(__file__).parent / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
MAPS: dict[str, Callable[[], JourneyMap]] = {"sample": full_map, "korean": korean_map, "hostile": hostile_map}


@pytest.fixture(scope="module")
def mermaid_page(browser: Any) -> Iterator[Any]:
    if not MERMAID_JS.exists():
        pytest.fail("mermaid is not installed in tests/node_modules: run tests/setup.sh")
    page = browser.new_page()
    page.set_content("<!doctype html><html><body></body></html>")
    page.add_script_tag(content=MERMAID_JS.read_text(encoding="utf-8"))
    page.evaluate("mermaid.initialize({startOnLoad: false})")
    yield page
    page.close()


RENDER = """async ([text, id]) => {
  try {
    await mermaid.parse(text);
    const {svg} = await mermaid.render(id, text);
    const holder = document.createElement('div');
    holder.innerHTML = svg;
    return {
      ok: true,
      texts: [...holder.querySelectorAll('text')].map(t => t.textContent),
      sections: holder.querySelectorAll('rect.journey-section').length,
      tasks: holder.querySelectorAll('rect.task').length,
      scripts: holder.querySelectorAll('script, img, foreignObject [onerror]').length,
    };
  } catch (e) {
    return {ok: false, error: String(e)};
  }
}"""


def _render(page: Any, text: str, name: str) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(RENDER, [text, f"diagram-{name}"])
    assert result["ok"], f"Mermaid could not parse the {name} export: {result.get('error')}"
    return result


def _shown(text: str, limit: int) -> str:
    """What the diagram should show for a label: one line, cut to the same bound as the exporter."""
    return truncate(re.sub(r"[\x00-\x1f\x7f]", "", one_line(text)), limit)


@pytest.mark.parametrize("name", list(MAPS))
def test_mermaid_renders_every_stage_and_step(mermaid_page: Any, name: str) -> None:
    journey = MAPS[name]()
    result = _render(mermaid_page, to_mermaid(journey), name)
    texts = set(result["texts"])
    # A stray ":" would silently move text into the score; every name must come out whole.
    for stage in journey.stages:
        assert _shown(stage.name, 60) in texts, stage.name[:60]
        for step in stage.steps:
            assert _shown(step.action, 80) in texts, step.action[:80]
    assert _shown(journey.title, 120) in texts
    for persona in journey.personas:
        assert _shown(persona.name, 40) in texts
    assert result["sections"] == len(journey.stages)
    assert result["tasks"] == sum(max(len(s.steps), 1) for s in journey.stages)
    assert result["scripts"] == 0


def test_mermaid_shows_hostile_characters_as_written(mermaid_page: Any) -> None:
    texts = set(_render(mermaid_page, to_mermaid(hostile_map()), "hostile-chars")["texts"])
    assert "a:b;c#d" in texts
    assert "Title of the step: 3: Me" in texts
    assert "%%{init: {'theme':'dark'}}%%" in texts
    assert "#58; already an entity code" in texts
    assert '<img src=x onerror="window.__pwned = true">' in texts
    assert "&amp; &lt;b&gt; entities 13" in texts  # a stage without steps: its task carries the stage name


def _open_html(browser: Any, journey: JourneyMap, tmp_path: Path) -> tuple[Any, list[str]]:
    path = tmp_path / "map.html"
    path.write_text(to_html(journey), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    leaked: list[str] = []

    def guard(route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            leaked.append(url)
            route.abort()

    page.route("**/*", guard)
    page.add_init_script("window.__pwned = false;")
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, leaked


@pytest.mark.parametrize("name", list(MAPS))
def test_html_shows_every_stage_offline_and_runs_no_user_script(
    browser: Any, name: str, tmp_path: Path
) -> None:
    journey = MAPS[name]()
    page, leaked = _open_html(browser, journey, tmp_path)
    try:
        headers = page.locator("table.map thead th.stage")
        assert headers.count() == len(journey.stages)
        for i, stage in enumerate(journey.stages):
            header = headers.nth(i)
            assert header.is_visible()
            assert _shown(stage.name, 40)[:39] in one_line(header.inner_text())
        assert page.locator("svg.curve path.line").count() == (
            1 if any(s.steps for s in journey.stages) else 0
        )
        assert page.locator("svg.curve circle.dot").count() == sum(len(s.steps) for s in journey.stages)
        assert page.evaluate("window.__pwned") is False
        assert page.locator("script").count() == 0
        assert leaked == []
    finally:
        page.close()


def test_html_marks_moments_of_truth_and_pain_points(browser: Any, tmp_path: Path) -> None:
    page, _ = _open_html(browser, full_map(), tmp_path)
    try:
        assert page.get_by_text("★ Moment of truth", exact=True).is_visible()
        assert page.get_by_text("! 2 pain points", exact=True).is_visible()
        assert page.locator("svg.curve circle.mot-ring").count() == 1
        lanes = page.locator("th.lane").all_inner_texts()
        for lane in (
            "ACTIONS",
            "FRONT-STAGE",
            "BACK-STAGE",
            "THOUGHTS",
            "EMOTION",
            "PAIN POINTS",
            "OPPORTUNITIES",
        ):
            assert any(t.startswith(lane) for t in lanes), lane
        page.screenshot(path="/tmp/journey-map-export.png", full_page=True)
    finally:
        page.close()


def test_hostile_html_shows_the_script_as_text(browser: Any, tmp_path: Path) -> None:
    page, leaked = _open_html(browser, hostile_map(), tmp_path)
    try:
        body = page.inner_text("body")
        assert "<script>window.__pwned = true</script>" in body
        assert page.locator("h1").count() == 1  # the injected <h1> stayed text
        assert page.evaluate("window.__pwned") is False and leaked == []
        assert HOSTILE_TEXTS[0] in body
    finally:
        page.close()


def test_html_prints_on_landscape_pages(browser: Any, tmp_path: Path) -> None:
    page, _ = _open_html(browser, korean_map(), tmp_path)
    try:
        page.emulate_media(media="print")
        pdf = page.pdf(prefer_css_page_size=True)
        assert pdf.startswith(b"%PDF")
        # A4 landscape is 842 x 595 points.
        assert re.search(rb"/MediaBox \[0 0 841\.\d+ 59[45]\.\d+\]", pdf)
    finally:
        page.close()


SAMPLE_MAPS = sorted((Path(__file__).parent.parent / "knowledge" / "maps").glob("*.json"))


@pytest.mark.parametrize("path", SAMPLE_MAPS, ids=[p.stem for p in SAMPLE_MAPS])
def test_bundled_sample_maps_render(mermaid_page: Any, browser: Any, path: Path, tmp_path: Path) -> None:
    from assistant.domain import load_map

    journey = load_map(path)
    result = _render(mermaid_page, to_mermaid(journey), path.stem)
    assert result["sections"] == len(journey.stages)
    assert {_shown(s.action, 80) for st in journey.stages for s in st.steps} <= set(result["texts"])
    page, leaked = _open_html(browser, journey, tmp_path)
    try:
        assert (
            page.locator("table.map thead th.stage").all_inner_texts()[0].startswith(journey.stages[0].name)
        )
        assert leaked == []
    finally:
        page.close()
