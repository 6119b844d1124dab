"""Notebooks in a real JupyterLab, in headless Chromium: what a student would see, checked.

``JupyterLab`` starts a server on 127.0.0.1 (a free port, a random token) over temporary copies of
the notebooks, with its own empty settings: autosave off, every cell in the page, and (for the
negative control) the widget manager optionally disabled. It is always stopped, kernels included.
``open_notebook`` opens one in a Playwright page and ``run_all`` runs its cells; ``inspect`` returns
a ``Report`` of what went wrong: error outputs, errors in the browser console, and widget outputs
that are not live views (a text fallback such as ``VBox(...)``, or "Error displaying widget").

The browser is Debian's ``chromium`` (Playwright cannot download its own without internet), found by
``chromium_path``; run this file to check that it is there: ``python tests/browser/jupyter_browser.py``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from report_lines import problem_lines

INSTALL_CHROMIUM = ("make test-browser needs Chromium: install it with `apt-get install chromium` "
                    "(or set CHROMIUM to a Chromium or Chrome executable)")
#: Flags that let Chromium run headless in a container with no network.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WIDGET_MANAGER = "@jupyter-widgets/jupyterlab-manager"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
#: JupyterLab's settings for the test: no autosave, every cell in the page, nothing fetched.
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
}


class ChromiumMissing(RuntimeError):
    pass


def chromium_path() -> str:
    """The Chromium to drive: ``$CHROMIUM``, else ``chromium`` on the PATH."""
    path = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if not path or not os.access(path, os.X_OK):
        raise ChromiumMissing(INSTALL_CHROMIUM)
    return path


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS)


# --- The server ----------------------------------------------------------------------------------

class JupyterLab:
    """A JupyterLab server over copies of ``notebooks``, for use in a ``with`` block."""

    def __init__(self, notebooks, *, widgets_enabled: bool = True, timeout: float = 90):
        self.notebooks = [Path(notebook) for notebook in notebooks]
        self.widgets_enabled = widgets_enabled
        self.timeout = timeout
        self.token = secrets.token_urlsafe(32)
        self.process = None

    def __enter__(self) -> JupyterLab:
        self._scratch = tempfile.TemporaryDirectory(prefix="course-lab-")
        scratch = Path(self._scratch.name)
        self.root = scratch / "notebooks"
        self.root.mkdir()
        for notebook in self.notebooks:
            shutil.copy(notebook, self.root / notebook.name)
        for name, settings in LAB_SETTINGS.items():
            path = scratch / "settings" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(settings))
        if not self.widgets_enabled:  # what `jupyter labextension disable` writes
            (scratch / "config" / "labconfig").mkdir(parents=True)
            (scratch / "config" / "labconfig" / "page_config.json").write_text(
                json.dumps({"disabledExtensions": {WIDGET_MANAGER: True}}))
        runtime = scratch / "runtime"
        environment = {**os.environ, "JUPYTER_CONFIG_DIR": str(scratch / "config"), "JUPYTER_RUNTIME_DIR": str(runtime)}
        self.log = scratch / "server.log"
        command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
                   "--ServerApp.port=0", "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
                   f"--ServerApp.root_dir={self.root}", f"--LabApp.user_settings_dir={scratch / 'settings'}",
                   f"--LabApp.workspaces_dir={scratch / 'workspaces'}", "--LabApp.expose_app_in_browser=True",
                   "--LabApp.extension_manager=readonly", "--ServerApp.terminals_enabled=False"]
        if os.geteuid() == 0:  # a container or CI
            command.append("--ServerApp.allow_root=True")
        try:
            with open(self.log, "w") as log:
                self.process = subprocess.Popen(command, env=environment, stdout=log, stderr=subprocess.STDOUT,
                                                stdin=subprocess.DEVNULL, start_new_session=True)
            self.url = self._wait_for_url(runtime)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _wait_for_url(self, runtime: Path) -> str:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited at start:\n{self.log.read_text()}")
            for info in runtime.glob(f"jpserver-{self.process.pid}.json"):
                try:
                    server = json.loads(info.read_text())
                except json.JSONDecodeError:  # being written
                    continue
                assert server["hostname"] == "127.0.0.1", server
                return f"http://127.0.0.1:{server['port']}/"
            time.sleep(0.2)
        raise TimeoutError(f"JupyterLab did not start in {self.timeout:.0f} s:\n{self.log.read_text()}")

    def api(self, path: str, method: str = "GET"):
        request = urllib.request.Request(self.url + path, method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def processes(self) -> list[tuple[int, str]]:
        """The server and its children (the kernels), as (process id, start time) pairs."""
        if self.process is None:
            return []
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()  # after "pid (command)"
            except OSError:  # the process ended meanwhile
                continue
            pid, parent, start = int(stat.parent.name), int(fields[1]), fields[19]
            if self.process.pid in (pid, parent):
                found.append((pid, start))
        return found

    def stop(self) -> None:
        """Shut the server down with its kernels; kill what is left of them after 20 seconds."""
        try:
            if self.process is None:
                return
            started = self.processes()
            if self.process.poll() is None:
                try:
                    self.api("api/shutdown", "POST")
                except OSError:
                    self.process.terminate()
                try:
                    self.process.wait(20)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(10)
            for pid, start in started:  # kernels still running only if the shutdown failed
                if alive(pid, start):
                    os.kill(pid, signal.SIGKILL)
        finally:
            self._scratch.cleanup()


def alive(pid: int, start: str) -> bool:
    """Whether the process ``pid`` that started at ``start`` (clock ticks after boot) still runs."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19] == start
    except (OSError, IndexError):
        return False


# --- The page ------------------------------------------------------------------------------------

@dataclass
class Report:
    """What is wrong with a notebook in the page (empty lists: nothing)."""

    widgets: int = 0  # widget outputs, from the notebook's own outputs
    live_widgets: int = 0  # of which the page shows a live view
    errors: list[str] = field(default_factory=list)  # error outputs
    kernel_errors: list[str] = field(default_factory=list)  # raised by widget callbacks, outside any cell
    not_rendered: list[str] = field(default_factory=list)  # widget outputs the page does not show live
    console_errors: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return problem_lines(("error output: {}", self.errors), ("a widget callback raised {}", self.kernel_errors),
                             ("widget not rendered: {}", self.not_rendered),
                             ("browser console: {}", self.console_errors))


def watch_console(page) -> list[str]:
    """Collect the page's console errors and uncaught exceptions in a list, from now on."""
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(f"uncaught {error}"))
    return errors


def open_notebook(page, lab: JupyterLab, name: str, timeout: float = 90) -> None:
    """Open ``name`` in JupyterLab and wait until its kernel is ready."""
    page.goto(f"{lab.url}lab/tree/{name}?token={lab.token}&reset")
    page.wait_for_function(
        """name => {
            const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
            const kernel = panel && panel.context && panel.context.path === name && panel.sessionContext.session
                && panel.sessionContext.session.kernel;
            return kernel && kernel.status === 'idle' && panel.content.widgets.length > 0;
        }""", arg=name, timeout=timeout * 1000)
    page.evaluate("""() => {
        window.jupyterapp.shell.collapseLeft();
        window.jupyterapp.shell.collapseRight();
        // Errors raised in the kernel outside a cell's run (a widget's on_click, say) come as messages
        // answering a widget's message; JupyterLab shows them only in its log console.
        window.courseKernelErrors = [];
        window.jupyterapp.shell.currentWidget.sessionContext.iopubMessage.connect((_, message) => {
            if (message.header.msg_type === 'error' && message.parent_header.msg_type !== 'execute_request') {
                window.courseKernelErrors.push(`${message.content.ename}: ${message.content.evalue}`);
            }
        });
    }""")


def run_all(page, timeout: float = 300) -> None:
    """Run every cell, as Run > Run All Cells does, and wait until they are done."""
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(
        """() => {
            const panel = window.jupyterapp.shell.currentWidget;
            const cells = panel.content.widgets.filter(cell => cell.model.type === 'code');
            const failed = cells.some(cell => cell.model.outputs.toJSON().some(o => o.output_type === 'error'));
            const done = cells.every(cell => cell.model.executionCount !== null
                                             && cell.promptNode.textContent !== '[*]:');
            return panel.sessionContext.session.kernel.status === 'idle' && (done || failed);
        }""", timeout=timeout * 1000, polling=250)


INSPECT = """mime => {
    const cells = window.jupyterapp.shell.currentWidget.content.widgets;
    const found = {widgets: 0, live: 0, errors: [], notRendered: [], pending: 0};
    cells.forEach((cell, index) => {
        if (cell.model.type !== 'code') return;
        const where = `cell ${index + 1}`;
        cell.model.outputs.toJSON().forEach((output, i) => {
            if (output.output_type === 'error') found.errors.push(`${where}: ${output.ename}: ${output.evalue}`);
            if (!(output.data && output.data[mime])) return;
            found.widgets += 1;
            const child = cell.outputArea.widgets[i];
            const node = child && child.node.querySelector('.jp-OutputArea-output');
            const text = node ? node.innerText.trim().slice(0, 100) : '';
            const shown = node && node.getAttribute('data-mime-type');  // the widget renderer sets none
            if (!node) found.notRendered.push(`${where}: no output in the page`);
            else if (shown && shown !== mime) found.notRendered.push(`${where} shows ${shown}: ${text}`);
            else if (/Loading widget/.test(text)) found.pending += 1;
            else if (/Error displaying widget/.test(text)) found.notRendered.push(`${where}: ${text}`);
            else if (node.querySelector('.jupyter-widgets') && node.getBoundingClientRect().height > 0) found.live += 1;
            else found.notRendered.push(`${where}: an empty widget view`);
        });
    });
    return found;
}"""


def inspect(page, console_errors: list[str], timeout: float = 30) -> Report:
    """What the page shows wrong now; widget views still loading get ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found = page.evaluate(INSPECT, WIDGET_MIME)
        if not found["pending"] or time.monotonic() > deadline:
            break
        page.wait_for_timeout(250)
    not_rendered = found["notRendered"] + [f"{found['pending']} widget view(s) still loading"] * bool(found["pending"])
    kernel_errors = page.evaluate("() => window.courseKernelErrors")
    return Report(found["widgets"], found["live"], found["errors"], kernel_errors, not_rendered, list(console_errors))


def screenshot(page, path: Path) -> None:
    """The whole notebook in one PNG: the window grows by what the notebook scrolls (to 12,000 px at most)."""
    height = page.evaluate("""() => {
        const panel = window.jupyterapp.shell.currentWidget.node;
        const scrollers = [...panel.querySelectorAll('*')].filter(node => node.scrollHeight > node.clientHeight + 1
            && ['auto', 'scroll'].includes(getComputedStyle(node).overflowY));
        const hidden = Math.max(0, ...scrollers.map(node => node.scrollHeight - node.clientHeight));
        scrollers.forEach(node => { node.scrollTop = 0; });
        return window.innerHeight + hidden;
    }""")
    viewport = page.viewport_size
    height = min(height, 12_000)
    page.set_viewport_size({"width": viewport["width"], "height": height})
    page.evaluate("() => window.jupyterapp.shell.currentWidget.node.querySelectorAll('*')"
                  ".forEach(n => { n.scrollTop = 0; })")
    page.wait_for_timeout(500)
    bottom = page.evaluate("() => [...document.querySelectorAll('.jp-Cell')].pop().getBoundingClientRect().bottom")
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=path, clip={"x": 0, "y": 0, "width": viewport["width"], "height": min(bottom + 30, height)})
    page.set_viewport_size(viewport)


if __name__ == "__main__":
    try:
        print(f"Chromium: {chromium_path()}")
    except ChromiumMissing as missing:
        sys.exit(str(missing))
