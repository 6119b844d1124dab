"""``make run``: execute every notebook in order into build/notebooks, leaving the sources untouched.

While it works it shows, on one line per notebook, which cell of how many is running and, during
training, the epoch and an estimate of the time left. At the end: a table of the notebooks with their
seconds and status, and the article model's test accuracy as notebook 06 computes it.

The training budget is ``COURSE_BUDGET`` (quick by default; ``make run COURSE_BUDGET=full`` for the
hour-long version). Kernels talk to the runner over IPC sockets, not TCP.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from tqdm import tqdm

from course_utils import PROJECT_ROOT, setup_course

setup_course()  # first: the course's environment, and TensorFlow quiet before progress loads Keras
from course_utils import progress  # noqa: E402
from course_utils.budget import current_budget

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
        self.bar.set_postfix_str(f"cell {cell_index + 1}/{len(self.nb.cells)}", refresh=True)

    def _cell_done(self, cell, cell_index, execute_reply):
        self.bar.update(1)

    def output(self, outs, msg, display_id, cell_index):
        """Read each output as it arrives: Keras' "Epoch k/N" lines, and the kernels' progress file."""
        text = msg.get("content", {}).get("text", "") if msg["msg_type"] == "stream" else ""
        match = EPOCH_LINE.search(text)
        if match:
            epoch, epochs = int(match[1]), int(match[2])
            self.fit_started = self.fit_started or time.perf_counter()
            left = (time.perf_counter() - self.fit_started) / max(epoch - 1, 1) * (epochs - epoch + 1) if epoch > 1 else None
            eta = f", about {left / 60:.0f} min left" if left else ""
            self.bar.set_postfix_str(f"cell {cell_index + 1}/{len(self.nb.cells)}, training: epoch {epoch}/{epochs}{eta}")
        return super().output(outs, msg, display_id, cell_index)

    def poll_progress(self):
        """Show the newest line the kernel's ``train()`` wrote to the progress file."""
        if not self.progress_file.exists():
            return
        lines = self.progress_file.read_text(encoding="utf-8").splitlines()
        if len(lines) > self.read:
            self.read = len(lines)
            cell = self.bar.postfix.split(",")[0] if self.bar.postfix else ""
            self.bar.set_postfix_str(f"{cell}, {progress.describe(json.loads(lines[-1]))}")


def execute(source: Path, target: Path, position: int, total: int) -> tuple[bool, float]:
    """Run one notebook top to bottom in a fresh kernel; write the executed copy to ``target``."""
    notebook = nbformat.read(source, as_version=4)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch, tqdm(
        total=len(notebook.cells), desc=f"[{position}/{total}] {source.stem}", unit="cell", leave=False,
        bar_format="{desc} {n_fmt}/{total_fmt} cells [{elapsed}] {postfix}", file=sys.stdout,
    ) as bar:
        progress_file = Path(scratch) / "progress.jsonl"
        os.environ[progress.PROGRESS_VARIABLE] = str(progress_file)
        manager = KernelManager(kernel_name="python3", transport="ipc", ip=str(Path(scratch) / "kernel"))
        client = ProgressClient(notebook, bar, progress_file, km=manager, timeout=None,
                                resources={"metadata": {"path": str(NOTEBOOKS)}})
        import threading

        stop = threading.Event()

        def poll():
            while not stop.wait(2):
                client.poll_progress()

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        try:
            client.execute()
            ok = True
        except CellExecutionError:
            ok = False
        finally:
            stop.set()
            poller.join()
            del os.environ[progress.PROGRESS_VARIABLE]
    seconds = time.perf_counter() - start
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=target.parent, suffix=".partial", delete=False, encoding="utf-8") as partial:
        nbformat.write(notebook, partial)
    os.chmod(partial.name, 0o644)
    os.replace(partial.name, target)
    return ok, seconds


def final_test_accuracy() -> str:
    """The article model's test accuracy and loss, as notebook 06 reports them (``setup_course`` ran at import)."""
    from course_utils.cache import load_or_score
    from course_utils.training import ARTICLE

    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):  # no "Model ready" line in the summary
        _, scores = load_or_score(ARTICLE)
    return f"{scores['accuracy']:.2%} (loss {scores['loss']:.4f}), the article's recipe, as in 06_evaluating"


def main() -> int:
    budget = current_budget()
    sources = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    print(f"Running {len(sources)} notebooks into {OUTPUT.relative_to(PROJECT_ROOT)}/ with the {budget.name!r} "
          f"budget ({budget}).", flush=True)
    rows = []
    for position, source in enumerate(sources, 1):
        ok, seconds = execute(source, OUTPUT / source.name, position, len(sources))
        rows.append((source.stem, seconds, ok))
        print(f"{source.stem:<34}{seconds:>8.0f} s  {'ok' if ok else 'FAILED'}", flush=True)
    total = sum(seconds for _, seconds, _ in rows)
    print(f"{'total':<34}{total:>8.0f} s  ({total / 60:.1f} min)")
    failed = [name for name, _, ok in rows if not ok]
    if failed:
        print(f"Failed: {', '.join(failed)}; open their copies in build/notebooks/ to see the error.")
        return 1
    print(f"Final test accuracy: {final_test_accuracy()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
