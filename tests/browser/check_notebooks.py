"""The widget notebooks in a real JupyterLab, in headless Chromium (``make test-browser``).

For each notebook: run all cells in the page, then assert that no cell has an error output, that
the browser console and the kernel log stay free of errors, and that every widget output is a live
view (not a text fallback, not "Error displaying widget"). Then use the widgets as a student would:
a stroke drawn with the mouse on each drawing canvas makes a prediction appear, and dragging each
explorer's slider changes the digit shown. A screenshot of each notebook goes to build/screenshots/.
The notebooks are served from temporary copies; the last test checks that notebooks/ is unchanged.

Not collected by ``make test`` (its name does not start with ``test_``): ``make test-browser`` runs it.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pytest
from jupyter_browser import JupyterLab, inspect, launch_chromium, open_notebook, run_all, screenshot, watch_console
from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "build" / "screenshots"
#: The functions that build the course's widgets; a notebook calling one of them is checked here.
WIDGET_BUILDERS = ("digit_explorer", "draw_digit", "digit_upload", "training_playground")


def notebooks_with_widgets(folder: Path) -> list[Path]:
    """The notebooks in ``folder`` whose code calls one of the widget builders."""
    pattern = re.compile(rf"\b({'|'.join(WIDGET_BUILDERS)})\(")
    return [path for path in sorted(folder.glob("*.ipynb")) if pattern.search(code_of(path))]


def code_of(notebook: Path) -> str:
    import nbformat

    return "\n".join(cell.source for cell in nbformat.read(notebook, as_version=4).cells if cell.cell_type == "code")


#: The notebooks this test opens. BROWSER_NOTEBOOKS=a.ipynb:b.ipynb checks other copies instead
#: (a notebook being written, say).
NOTEBOOKS = ([Path(path) for path in os.environ["BROWSER_NOTEBOOKS"].split(":")] if os.environ.get("BROWSER_NOTEBOOKS")
             else notebooks_with_widgets(ROOT / "notebooks"))


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (checkpoints included) with a hash of its bytes."""
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


NOTEBOOKS_BEFORE = fingerprint(ROOT / "notebooks")


@pytest.fixture(scope="module")
def lab():
    with JupyterLab(NOTEBOOKS) as server:
        yield server


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def draw_stroke(page, canvas, points) -> None:
    """Press the mouse at the first point, move through the others, release: one stroke."""
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    position = [(box["x"] + x * box["width"], box["y"] + y * box["height"]) for x, y in points]
    page.mouse.move(*position[0])
    page.mouse.down()
    for point in position[1:]:
        page.mouse.move(*point, steps=8)
    page.mouse.up()


SEVEN = [(0.25, 0.2), (0.75, 0.2), (0.45, 0.85)]  # a 7, as fractions of the canvas


def check_canvas(page, panel) -> None:
    status, picture = panel.locator(".course-status"), panel.locator(".jp-OutputArea-output img")
    expect(status).to_contain_text("The canvas is empty")
    expect(picture).to_have_count(0)
    draw_stroke(page, panel.locator("canvas.course-draw-canvas"), SEVEN)
    expect(status).to_contain_text(re.compile(r"This looks like a \d \(\d+%\)"), timeout=30_000)
    expect(picture).to_have_count(1)


def check_explorer(page, panel) -> None:
    status, picture = panel.locator(".course-status"), panel.locator(".jp-OutputArea-output img")
    expect(status).to_contain_text("Test image 0:")
    before = picture.get_attribute("src")
    handle = panel.locator(".noUi-handle")
    handle.scroll_into_view_if_needed()
    box = handle.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 60, box["y"] + box["height"] / 2, steps=6)
    page.mouse.up()
    expect(status).not_to_contain_text("Test image 0:", timeout=30_000)
    expect(status).to_contain_text(re.compile(r"Test image [\d,]+: true \d · predicted \d"))
    expect(picture).not_to_have_attribute("src", before)


CHECKS = {"draw_digit": (".course-draw-digit", check_canvas), "digit_explorer": (".course-digit-explorer", check_explorer)}


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_widgets_are_live_in_jupyterlab(lab, browser, notebook):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    try:
        console_errors = watch_console(page)
        open_notebook(page, lab, notebook.name)
        run_all(page)
        report = inspect(page, console_errors)
        assert report.widgets > 0, "the notebook shows no widget"
        assert report.problems() == []
        assert report.live_widgets == report.widgets

        code = code_of(notebook)
        for builder, (selector, check) in CHECKS.items():
            panels = page.locator(selector)
            assert panels.count() >= len(re.findall(rf"\b{builder}\(", code)), f"a {builder} is missing"
            for index in range(panels.count()):
                check(page, panels.nth(index))
        screenshot(page, SCREENSHOTS / f"{notebook.stem}.png")
        assert inspect(page, console_errors).problems() == []  # the interactions broke nothing
    finally:
        page.close()


def test_the_notebooks_folder_is_untouched():
    assert fingerprint(ROOT / "notebooks") == NOTEBOOKS_BEFORE


def test_there_are_notebooks_to_check():
    assert NOTEBOOKS, f"no notebook calls one of {', '.join(WIDGET_BUILDERS)}: nothing was checked"
