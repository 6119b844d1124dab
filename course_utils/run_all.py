"""``make run``: execute every notebook in order into build/notebooks, leaving the sources untouched.

    python -m course_utils.run_all                    # make run: every notebook
    python -m course_utils.run_all 08 09 --write-back # refresh the committed outputs of 08 and 09

While it works it shows, on one line per notebook, which cell of how many is running and, during
training, the epoch and an estimate of the time left. At the end: a table of the notebooks with their
seconds and status, and the article model's test accuracy as notebook 06 computes it.

A notebook whose needs (``notebooks/order.toml``) failed is skipped, and a failed cell's exception line
is printed with the course's advice. The training budget is ``COURSE_BUDGET`` (quick by default;
``make run COURSE_BUDGET=full`` for the long version, two to three hours). Kernels talk to the runner
over IPC sockets, not TCP. Each notebook's kernel is started while the notebook before it runs, and
loads TensorFlow then, so no notebook waits for that.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from textwrap import indent

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from tqdm import tqdm

from course_utils import PROJECT_ROOT, setup_course

setup_course()  # first: the course's environment, and TensorFlow quiet before progress loads Keras
from course_utils import install_cell, progress  # noqa: E402
from course_utils.budget import current_budget  # noqa: E402
from course_utils.data import DATA_DIR_VARIABLE, download_advice  # noqa: E402
from course_utils.files import atomic_write  # noqa: E402
from course_utils.i18n import _, ngettext  # noqa: E402
from course_utils.order import blocked_by, read_order  # noqa: E402

NOTEBOOKS = PROJECT_ROOT / "notebooks"
OUTPUT = PROJECT_ROOT / "build" / "notebooks"
EPOCH_LINE = re.compile(r"Epoch (\d+)/(\d+)")


class ProgressClient(NotebookClient):
    """A notebook client that moves a progress bar over the cells and reports training as it goes."""

    def __init__(self, notebook, bar: tqdm, progress_file: Path, **kwargs):
        super().__init__(notebook, **kwargs)
        self.bar, self.progress_file, self.read = bar, progress_file, 0
        self.on_cell_start = self._cell_started
        self.on_cell_executed = self._cell_done
        self.fit_started = None

    def _cell_started(self, cell, cell_index):
        self.fit_started = None
        self.bar.set_postfix_str(_("cell {number}/{count}").format(number=cell_index + 1, count=len(self.nb.cells)),
                                 refresh=True)

    def _cell_done(self, cell, cell_index, execute_reply):
        self.bar.update(1)

    def output(self, outs, msg, display_id, cell_index):
        """Read each output as it arrives: Keras' "Epoch k/N" lines, and the kernels' progress file."""
        text = msg.get("content", {}).get("text", "") if msg["msg_type"] == "stream" else ""
        match = EPOCH_LINE.search(text)
        if match:
            epoch, epochs = int(match[1]), int(match[2])
            self.fit_started = self.fit_started or time.perf_counter()
            left = progress.time_left(time.perf_counter() - self.fit_started, (epoch - 1) / epochs)
            eta = _(", {time_left}").format(time_left=left) if left else ""
            cell = _("cell {number}/{count}").format(number=cell_index + 1, count=len(self.nb.cells))
            self.bar.set_postfix_str(_("{cell}, training: epoch {epoch}/{epochs}{eta}").format(
                cell=cell, epoch=epoch, epochs=epochs, eta=eta))
        return super().output(outs, msg, display_id, cell_index)

    def poll_progress(self):
        """Show the newest line the kernel's ``train()`` wrote to the progress file."""
        if not self.progress_file.exists():
            return
        lines = self.progress_file.read_text(encoding="utf-8").splitlines()
        if len(lines) > self.read:
            self.read = len(lines)
            cell = re.split("[,，]", self.bar.postfix)[0] if self.bar.postfix else ""
            self.bar.set_postfix_str(_("{cell}, {progress}").format(cell=cell,
                                                                   progress=progress.describe(json.loads(lines[-1]))))


class Kernel:
    """The kernel for one notebook, started ahead of its notebook.

    It talks to the runner over IPC sockets in a scratch folder of its own, where its ``train()`` calls
    also write their progress file; as soon as it is up it loads TensorFlow, in a thread of the runner,
    so the notebook's first cell finds it loaded. ``stop()`` shuts the kernel down and removes the folder.
    """

    PRELOAD = "from course_utils import load_tensorflow\nload_tensorflow()"

    def __init__(self, folder: Path = NOTEBOOKS):
        self.scratch = Path(tempfile.mkdtemp(prefix="course-kernel-"))
        self.progress_file = self.scratch / "progress.jsonl"
        self.manager = KernelManager(kernel_name="python3", transport="ipc", ip=str(self.scratch / "kernel"))
        environment = {**os.environ, progress.PROGRESS_VARIABLE: str(self.progress_file)}
        self.manager.start_kernel(cwd=str(folder), env=environment)
        self.loading = threading.Thread(target=self._preload, daemon=True)
        self.loading.start()

    def _preload(self) -> None:
        client = self.manager.client()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=120)
            client.execute(self.PRELOAD, silent=True, store_history=False)
            client.get_shell_msg(timeout=300)  # the reply: TensorFlow is loaded
        except Exception:  # noqa: BLE001 - a slow or failed preload only costs time: the first cell loads it
            pass
        finally:
            client.stop_channels()

    def ready(self) -> KernelManager:
        self.loading.join()
        return self.manager

    def stop(self) -> None:
        self.loading.join()
        if self.manager.has_kernel:
            self.manager.shutdown_kernel()
        shutil.rmtree(self.scratch, ignore_errors=True)


def execute(source: Path, target: Path, position: int, total: int,
            kernel: Kernel | None = None) -> tuple[str | None, float]:
    """Run one notebook top to bottom in a fresh kernel (``kernel``, or one started now); write the
    executed copy to ``target``; stop the kernel. Returns ``(error, seconds)``: ``error`` is None, or
    the failing cell's exception line with the course's advice."""
    notebook = nbformat.read(source, as_version=4)
    start = time.perf_counter()
    kernel = kernel or Kernel(source.parent)
    with tqdm(
        total=len(notebook.cells), desc=f"[{position}/{total}] {source.stem}", unit="cell", leave=False,
        bar_format=_("{desc} {n_fmt}/{total_fmt} cells [{elapsed}] {postfix}"), file=sys.stdout,
    ) as bar:
        client = ProgressClient(notebook, bar, kernel.progress_file, km=kernel.ready(), timeout=None,
                                resources={"metadata": {"path": str(source.parent)}})
        stop = threading.Event()

        def poll():
            while not stop.wait(2):
                client.poll_progress()

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        try:
            client.execute()
            error = None
        except CellExecutionError as failure:
            error = describe_error(failure)
        finally:
            stop.set()
            poller.join()
            if client.kc is not None:
                client.kc.stop_channels()
            kernel.stop()
    seconds = time.perf_counter() - start
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(target) as file:
        nbformat.write(notebook, file)
    return error, seconds


def describe_error(failure: CellExecutionError) -> str:
    """The exception line of a failed cell, with what to do when it is Keras failing to download MNIST."""
    line = f"{failure.ename}: {failure.evalue}"
    if "URL fetch failure" in failure.evalue and DATA_DIR_VARIABLE not in failure.evalue:
        line += f"\n{download_advice()}"
    return line


def final_test_accuracy() -> str:
    """The article model's test accuracy and loss, as notebook 06 reports them (``setup_course`` ran at import)."""
    import contextlib
    import io

    from course_utils.cache import load_or_score
    from course_utils.training import ARTICLE

    with contextlib.redirect_stdout(io.StringIO()):  # no "Model ready" line in the summary
        scores = load_or_score(ARTICLE)[1]
    return _("{accuracy:.2%} (loss {loss:.4f}), the article's recipe, as in 06_evaluating").format(
        accuracy=scores["accuracy"], loss=scores["loss"])


def shown(path: Path) -> Path:
    """``path`` from the project root when it is inside it (as the README names it), else whole."""
    return path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m course_utils.run_all", description=__doc__.splitlines()[0])
    parser.add_argument("numbers", nargs="*", help=_("run only these notebooks (01 05 ...); what they need must be "
                                                     "in the model cache already"))
    parser.add_argument("--write-back", action="store_true", help=_(
        "write each notebook that ran without error back over its source in notebooks/, outputs and all (how the "
        "committed outputs are refreshed)"))
    parser.add_argument("--zh", action="store_true", help=_("run the Chinese edition, notebooks/zh/, into "
                                                             "build/notebooks/zh/"))
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    options, budget, order = parse(argv), current_budget(), read_order()
    folder, output = (NOTEBOOKS / "zh", OUTPUT / "zh") if options.zh else (NOTEBOOKS, OUTPUT)
    sources = [path for path in sorted(folder.glob("[0-9][0-9]_*.ipynb"))
               if not options.numbers or path.name[:2] in options.numbers]
    print(_("Running {count} notebooks into {folder}/ with the {budget} budget ({details}).").format(
        count=len(sources), folder=shown(output), budget=repr(budget.name), details=budget), flush=True)
    rows, failed, skipped = run_in_order(sources, order, output)
    total = sum(seconds for _name, seconds in rows)
    print(_("{total:<34}{seconds:>8.0f} s  ({minutes:.1f} min)").format(total=_("total"), seconds=total,
                                                                       minutes=total / 60))
    if options.write_back:
        for name, _seconds in rows:
            if name not in failed:
                os.replace(output / f"{name}.ipynb", folder / f"{name}.ipynb")
                # The install cell is stored as never run (it printed nothing here): as install_cell makes it.
                install_cell.update_notebook(folder / f"{name}.ipynb", install_cell.render())
        print(_("Wrote {count} executed notebooks back into {folder}/.").format(count=len(rows) - len(failed),
                                                                              folder=shown(folder)))
    if failed or skipped:
        also = ngettext("; skipped: {count} notebook that needs it", "; skipped: {count} notebooks that need it",
                        skipped).format(count=skipped) if skipped else ""
        print(_("Failed: {notebooks}{skipped}.").format(notebooks=", ".join(failed), skipped=also))
        return 1
    if len(sources) == len(list(folder.glob("[0-9][0-9]_*.ipynb"))):
        print(_("Final test accuracy: {accuracy}").format(accuracy=final_test_accuracy()))
    return 0


def run_in_order(sources: list[Path], order, output: Path = OUTPUT) -> tuple[list[tuple[str, float]], list[str], int]:
    """Run ``sources`` one after the other, skipping those whose needs failed; print a line each.
    Returns the (name, seconds) of those that ran, the names that failed, and how many were skipped."""
    rows, not_done, failed, following = [], set(), [], None
    try:
        for position, source in enumerate(sources, 1):
            blocked = blocked_by(source.stem, not_done, order)
            if blocked:
                not_done.add(source.stem)
                needs = ", ".join(name[:2] for name in blocked)
                print(_("{notebook:<34}{blank:>10}  skipped: needs {needs}").format(
                    notebook=source.stem, blank="", needs=needs), flush=True)
                continue
            # This notebook's kernel, and the next one's, which starts while this notebook runs.
            kernel = following or Kernel(source.parent)
            following = Kernel(source.parent) if position < len(sources) else None
            error, seconds = execute(source, output / source.name, position, len(sources), kernel)
            rows.append((source.stem, seconds))
            status = _("ok") if error is None else _("FAILED")
            print(_("{notebook:<34}{seconds:>8.0f} s  {status}").format(notebook=source.stem, seconds=seconds,
                                                                       status=status), flush=True)
            if error is not None:
                not_done.add(source.stem)
                failed.append(source.stem)
                copy = shown(output / source.name)
                print(indent(error, "    "), _("    (the whole notebook: {path})").format(path=copy), sep="\n",
                      flush=True)
    finally:
        if following is not None:  # not needed: interrupted, or the next notebooks are skipped
            following.stop()
    return rows, failed, len(not_done) - len(failed)


if __name__ == "__main__":
    sys.exit(main())
