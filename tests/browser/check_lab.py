"""Tests of the browser test's own helper (jupyter_browser.py), run by ``make test-browser``.

The checker must see what is broken, not only pass what works: with JupyterLab's widget manager
disabled (the negative control), the same widgets must be reported as not rendered; an error output,
a console error, a widget that cannot be displayed and a widget callback that raises must each be
reported. And the server must be gone, kernels included, when its ``with`` block ends.
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest
from jupyter_browser import (
    INSTALL_CHROMIUM,
    ChromiumMissing,
    JupyterLab,
    alive,
    chromium_path,
    inspect,
    open_notebook,
    run_all,
    watch_console,
)

HELPER = Path(__file__).with_name("jupyter_browser.py")

WIDGETS = ["import ipywidgets\nipywidgets.IntSlider(3)",
           "from course_utils.model import make_classifier\nfrom course_utils.widgets import draw_digit\n"
           "draw_digit(make_classifier())"]
BROKEN = [
    # A widget view whose model does not exist: "Error displaying widget: model not found".
    "from IPython.display import Javascript, display\n"
    "display({'application/vnd.jupyter.widget-view+json': {'model_id': 'f' * 32, 'version_major': 2, "
    "'version_minor': 0}, 'text/plain': 'a lost widget'}, raw=True)",
    "display(Javascript('console.error(\"planted console error\")'))",
    "import ipywidgets\nbutton = ipywidgets.Button(description='Break')\n"
    "button.on_click(lambda _: 1 / 0)\nbutton",
    "slider = ipywidgets.IntSlider(description='Break too')\n"
    "slider.observe(lambda change: {}['missing'], 'value')\nslider",
    "raise ValueError('planted error')",
]


def write_notebook(path: Path, cells: list[str]) -> Path:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)
    return path


@pytest.fixture(scope="module")
def notebooks(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("notebooks")
    return {"widgets": write_notebook(folder / "widgets.ipynb", WIDGETS),
            "broken": write_notebook(folder / "broken.ipynb", BROKEN)}


@pytest.fixture(scope="module")
def lab(notebooks):
    with JupyterLab(notebooks.values()) as server:
        yield server


def run_in_lab(browser, lab: JupyterLab, notebook: Path, then=None):
    """Open, run all and inspect ``notebook``; ``then(page)`` acts on the page before the inspection."""
    page = browser.new_page()
    try:
        errors = watch_console(page)
        open_notebook(page, lab, notebook.name)
        run_all(page)
        if then:
            then(page)
        return inspect(page, errors)
    finally:
        page.close()


def test_a_missing_chromium_fails_with_one_line_that_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.delenv("CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ChromiumMissing, match="apt-get install chromium"):
        chromium_path()
    monkeypatch.setenv("CHROMIUM", str(tmp_path / "nowhere"))
    with pytest.raises(ChromiumMissing):
        chromium_path()
    # What `make test-browser` runs first:
    check = subprocess.run([sys.executable, str(HELPER)], capture_output=True, text=True,
                           env={**os.environ, "PATH": str(tmp_path), "CHROMIUM": ""})
    assert check.returncode == 1 and check.stdout == "" and check.stderr == INSTALL_CHROMIUM + "\n"


def test_live_widgets_pass(browser, lab, notebooks):
    report = run_in_lab(browser, lab, notebooks["widgets"])
    assert report.problems() == []
    assert report.widgets == report.live_widgets == 2


def test_what_is_broken_is_reported(browser, lab, notebooks):
    def break_things(page):
        page.get_by_role("button", name="Break").click()
        page.locator(".noUi-handle").focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(3000)

    report = run_in_lab(browser, lab, notebooks["broken"], then=break_things)
    assert report.errors == ["cell 5: ValueError: planted error"]
    assert report.console_errors[0] == "planted console error"
    assert all("widget model not found" in error for error in report.console_errors[1:])  # the lost widget's
    assert len(report.not_rendered) == 1 and report.not_rendered[0].startswith("cell 1: Error displaying widget")
    assert report.widgets == 3 and report.live_widgets == 2  # the button and the slider are live
    assert report.kernel_errors[0] == "ZeroDivisionError: division by zero"  # the button's click
    assert report.kernel_errors[1] == "KeyError: 'missing'"  # the slider's observer
    assert len(report.kernel_errors) == 2
    assert len(report.problems()) == 4 + len(report.console_errors)


@pytest.fixture(scope="module")
def without_widget_manager(browser, notebooks):
    """The negative control: the widgets notebook in a JupyterLab whose widget manager is disabled."""
    before = {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in notebooks.values()}
    with JupyterLab(notebooks.values(), widgets_enabled=False) as lab:
        report = run_in_lab(browser, lab, notebooks["widgets"])
        processes, port = lab.processes(), int(lab.url.rsplit(":", 1)[1].strip("/"))
    after = {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in notebooks.values()}
    return report, processes, port, lab, before == after


def test_negative_control_widgets_are_reported_not_rendered(without_widget_manager):
    report = without_widget_manager[0]
    assert report.widgets == 2 and report.live_widgets == 0
    assert report.not_rendered == ["cell 1 shows text/plain: IntSlider(value=3)",
                                   "cell 2 shows text/plain: Draw a digit"]
    assert report.problems()


def test_the_server_and_its_kernels_are_stopped(without_widget_manager):
    report, processes, port, lab, notebooks_unchanged = without_widget_manager
    assert len(processes) == 2  # the server and the notebook's kernel
    assert not [pid for pid, start in processes if alive(pid, start)]
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    assert not lab.root.exists()  # the copies it served are gone
    assert notebooks_unchanged  # and the originals were never written


def test_the_server_listens_on_localhost_and_wants_its_token(lab):
    assert lab.url.startswith("http://127.0.0.1:") and len(lab.token) >= 32
    with pytest.raises(urllib.error.HTTPError, match="403"):
        urllib.request.urlopen(lab.url + "api/contents", timeout=10)
    assert {entry["name"] for entry in lab.api("api/contents")["content"]} == {"widgets.ipynb", "broken.ipynb"}
