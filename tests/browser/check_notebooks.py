"""The widget notebooks in a real JupyterLab, in headless Chromium (``make test-browser``).

For each notebook: run all cells in the page, then assert that no cell has an error output, that
no widget callback raised and the browser console stays free of errors, and that every widget
output is a live view (not a text fallback, not "Error displaying widget"). Then use each widget as
a student would: a stroke drawn with the mouse on a drawing canvas makes a prediction appear,
Clear empties it, and a stroke drawn with a finger (touch events) makes one appear again;
dragging an explorer's slider changes the digit shown; a photo chosen in an upload gets a
prediction; a playground trains, tells the time left, and stops on Stop. A screenshot of each
notebook goes to build/screenshots/. The notebooks are served from temporary copies; the last test
checks that nothing under notebooks/ changed.

What the widgets say is matched in the notebook's language: ``Wording.of(language)`` takes each status
text and button label from the course's catalogue (course_utils.i18n; English is the messages themselves),
and the canvas's Clear button is found by its class and its label (set from Python, in the catalogue).
check_lab_zh.py runs the same checks, ``check_widget_notebook``, on the Chinese edition (notebooks/zh/) in
a Chinese JupyterLab.

Not collected by ``make test`` (its name does not start with ``test_``): ``make test-browser`` runs it.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from jupyter_browser import JupyterLab, inspect, open_notebook, run_all, screenshot, watch_console
from playwright.sync_api import expect

from course_utils import i18n

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


def touch_stroke(page, canvas, points) -> None:
    """The same with a finger: touch events, as a phone or a tablet sends them."""
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    touch = page.context.new_cdp_session(page)
    touch.send("Emulation.setTouchEmulationEnabled", {"enabled": True})
    for index, (x, y) in enumerate(points):
        point = {"x": box["x"] + x * box["width"], "y": box["y"] + y * box["height"]}
        touch.send("Input.dispatchTouchEvent", {"type": "touchMove" if index else "touchStart", "touchPoints": [point]})
    touch.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    touch.detach()


SEVEN = [(0.25, 0.2), (0.75, 0.2), (0.45, 0.85)]  # a 7, as fractions of the canvas
ONE = [(0.5, 0.15), (0.5, 0.35), (0.5, 0.6), (0.5, 0.85)]


# --- What the widgets say, in the notebook's language ----------------------------------------------

def translated(message: str, language: str) -> str:
    """``message`` in ``language``, from the course's catalogue; outside English it must have a translation."""
    with i18n.language(language):
        text = i18n._(message)
    assert language == "en" or text != message, f"the {language} catalogue does not translate {message!r}"
    return text


def said(message: str, language: str, **fields: str) -> re.Pattern:
    """``message`` as the course says it in ``language``, as a pattern: the text matched literally, each
    ``{field}`` by the pattern given for it (every field must be given one)."""
    text = translated(message, language)
    assert "{{" not in text and "}}" not in text, f"literal braces in {text!r}"
    pieces = re.split(r"\{(\w+)(?:[:!][^{}]*)?\}", text)  # text, field, text, field, ..., text
    return re.compile("".join(fields[piece] if index % 2 else re.escape(piece) for index, piece in enumerate(pieces)))


def either(*patterns: re.Pattern) -> str:
    return "(?:" + "|".join(pattern.pattern for pattern in patterns) + ")"


NUMBER = r"\d+"


@dataclass(frozen=True)
class Wording:
    """The status texts and button labels the checks look for, in one language (``Wording.of``)."""

    language: str
    empty_canvas: re.Pattern  # the canvas's advice before anything is drawn
    verdict: re.Pattern  # "This looks like a 7 (98%). Second guess: ..."
    first_test_image: re.Pattern  # the explorer's status at test image 0
    not_first_test_image: re.Pattern  # the beginning of that status, whatever follows
    test_image: re.Pattern  # the explorer's status at any test image
    upload: str  # the upload button's label
    train: str
    stop: str
    time_left: re.Pattern  # the playground's estimate while it trains
    stopped: re.Pattern  # the playground's status after Stop
    clear_label: str | None  # the canvas's Clear button (its label comes from Python): None: not checked

    @classmethod
    def of(cls, language: str) -> Wording:
        def say(message, **fields):
            return said(message, language, **fields)

        def label(message):
            return translated(message, language)

        percent = NUMBER + "%"
        guess = say("{digit} ({probability:.0%})", digit=r"\d", probability=percent).pattern
        image = "Test image {index:,}: true {truth} · predicted {guess} {mark}"
        mark = either(re.compile("✔"), say("✘ a mistake"))
        return cls(
            language=language,
            empty_canvas=say("The canvas is empty: draw one digit, big enough to fill most of the box."),
            verdict=say("This looks like a {guess}. Second guess: {second} ({probability:.0%}).", guess=guess,
                        second=r"\d", probability=percent),
            first_test_image=say(image, index="0", truth=r"\d", guess=guess, mark=mark),
            not_first_test_image=say(image, index="0", truth=".*", guess=".*", mark=".*"),
            test_image=say(image, index=r"[\d,]+", truth=r"\d", guess=guess, mark=mark),
            upload=label("Upload a digit"),
            train=label("Train"),
            stop=label("Stop"),
            time_left=re.compile(either(say("about {minutes:.0f} min left", minutes=NUMBER),
                                        say("about {seconds:.0f} s left", seconds=NUMBER))),
            stopped=say("Stopped after {seconds:.0f} s, in epoch {epoch} at batch {batch} of {batches}: validation "
                        "accuracy {accuracy:.2%}.", seconds=NUMBER, epoch=NUMBER, batch=NUMBER, batches=NUMBER,
                        accuracy=r"\d+\.\d\d%"),
            clear_label=label("Clear"))


ENGLISH = Wording.of("en")


# --- Using each widget ---------------------------------------------------------------------------

def check_canvas(page, panel, tmp_path, wording: Wording) -> None:
    status, picture = panel.locator(".course-status"), panel.locator(".jp-OutputArea-output img")
    expect(status).to_contain_text(wording.empty_canvas)
    expect(picture).to_have_count(0)
    draw_stroke(page, panel.locator("canvas.course-draw-canvas"), SEVEN)
    expect(status).to_contain_text(wording.verdict, timeout=30_000)
    expect(picture).to_have_count(1)
    clear = panel.locator("button.course-draw-clear")  # draw.js's button, whatever its label's language
    if wording.clear_label is not None:
        clear = panel.get_by_role("button", name=wording.clear_label).and_(clear)
    clear.click()
    expect(status).to_contain_text(wording.empty_canvas, timeout=30_000)
    expect(picture).to_have_count(0)
    touch_stroke(page, panel.locator("canvas.course-draw-canvas"), ONE)
    expect(status).to_contain_text(wording.verdict, timeout=30_000)


def check_explorer(page, panel, tmp_path, wording: Wording) -> None:
    status, picture = panel.locator(".course-status"), panel.locator(".jp-OutputArea-output img")
    expect(status).to_contain_text(wording.first_test_image)
    before = picture.get_attribute("src")
    handle = panel.locator(".noUi-handle")
    handle.scroll_into_view_if_needed()
    box = handle.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 60, box["y"] + box["height"] / 2, steps=6)
    page.mouse.up()
    expect(status).not_to_contain_text(wording.not_first_test_image, timeout=30_000)
    expect(status).to_contain_text(wording.test_image)
    expect(picture).not_to_have_attribute("src", before)


def check_upload(page, panel, tmp_path, wording: Wording) -> None:
    from PIL import Image, ImageDraw

    photo = Image.new("RGB", (300, 400), (250, 248, 240))
    ImageDraw.Draw(photo).line([(70, 80), (230, 80), (130, 340)], fill=(20, 20, 60), width=28)
    photo.save(tmp_path / "seven.png")
    with page.expect_file_chooser() as chooser:
        panel.get_by_role("button", name=wording.upload).click()
    chooser.value.set_files(tmp_path / "seven.png")
    expect(panel.locator(".course-status")).to_contain_text(wording.verdict, timeout=30_000)
    expect(panel.locator(".jp-OutputArea-output img")).to_have_count(1)


def check_playground(page, panel, tmp_path, wording: Wording) -> None:
    status = panel.locator(".course-status")
    panel.get_by_role("button", name=wording.train).click()
    expect(status).to_contain_text(wording.time_left, timeout=60_000)  # training, with the time left
    panel.get_by_role("button", name=wording.stop).click()
    expect(status).to_contain_text(wording.stopped, timeout=60_000)
    expect(panel.locator(".jp-OutputArea-output img")).to_have_count(1)  # the stopped run's curves
    expect(panel.get_by_role("button", name=wording.train)).to_be_enabled()


#: How each widget is found in the page, and what is done with it there.
CHECKS = {"draw_digit": (".course-draw-digit", check_canvas),
          "digit_explorer": (".course-digit-explorer", check_explorer),
          "digit_upload": (".course-digit-upload", check_upload),
          "training_playground": (".course-training-playground", check_playground)}


def check_widget_notebook(browser, lab: JupyterLab, notebook: Path, tmp_path: Path, wording: Wording,
                          shot: Path, in_page: Callable | None = None) -> None:
    """Open ``notebook`` in ``lab``, run all, assert no error and only live widgets, use each widget (its texts
    in ``wording``), save a screenshot to ``shot`` and assert the interactions broke nothing. ``in_page(page)``
    checks more once the notebook is open (the menus, say)."""
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    try:
        console_errors = watch_console(page)
        open_notebook(page, lab, notebook.name)
        if in_page is not None:
            in_page(page)
        run_all(page)
        report = inspect(page, console_errors)
        assert report.widgets > 0, f"the notebook shows no widget; {report.problems()}"
        assert report.problems() == []
        assert report.live_widgets == report.widgets

        code = code_of(notebook)
        for builder, (selector, check) in CHECKS.items():
            panels = page.locator(selector)
            assert panels.count() >= len(re.findall(rf"\b{builder}\(", code)), f"a {builder} is missing"
            for index in range(panels.count()):
                check(page, panels.nth(index), tmp_path, wording)
        screenshot(page, shot)
        assert inspect(page, console_errors).problems() == []  # the interactions broke nothing
    finally:
        page.close()


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_widgets_are_live_in_jupyterlab(lab, browser, notebook, tmp_path):
    check_widget_notebook(browser, lab, notebook, tmp_path, ENGLISH, SCREENSHOTS / f"{notebook.stem}.png")


def test_the_notebooks_folder_is_untouched():
    assert fingerprint(ROOT / "notebooks") == NOTEBOOKS_BEFORE


def test_there_are_notebooks_to_check():
    assert NOTEBOOKS, f"no notebook calls one of {', '.join(WIDGET_BUILDERS)}: nothing was checked"
