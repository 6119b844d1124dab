"""``make run``: execute every notebook in order into build/notebooks, leaving the sources untouched.

While it works it shows, on one line per notebook, which cell of how many is running and, during
training, the epoch and an estimate of the time left. At the end: a table of the notebooks with their
seconds and status, and the article model's test accuracy as notebook 06 computes it.

The training budget is ``COURSE_BUDGET`` (quick by default; ``make run COURSE_BUDGET=full`` for the
long version, two to three hours). Kernels talk to the runner over IPC sockets, not TCP. Each notebook's kernel is
started while the notebook before it runs, and loads TensorFlow then, so no notebook waits for that.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
import threading
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


class Kernel:
    """The kernel for one notebook, started ahead of its notebook.

    It talks to the runner over IPC sockets in a scratch folder of its own, where its ``train()`` calls
    also write their progress file; as soon as it is up it loads TensorFlow, in a thread of the runner,
    so the notebook's first cell finds it loaded. ``stop()`` shuts the kernel down and removes the folder.
    """

    PRELOAD = "from course_utils import load_tensorflow\nload_tensorflow()"

    def __init__(self):
        self.scratch = Path(tempfile.mkdtemp(prefix="course-kernel-"))
        self.progress_file = self.scratch / "progress.jsonl"
        self.manager = KernelManager(kernel_name="python3", transport="ipc", ip=str(self.scratch / "kernel"))
        self.manager.start_kernel(cwd=str(NOTEBOOKS), env={**os.environ, progress.PROGRESS_VARIABLE: str(self.progress_file)})
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


def execute(source: Path, target: Path, position: int, total: int, kernel: Kernel | None = None) -> tuple[bool, float]:
    """Run one notebook top to bottom in a fresh kernel (``kernel``, or one started now); write the
    executed copy to ``target``; stop the kernel."""
    notebook = nbformat.read(source, as_version=4)
    start = time.perf_counter()
    kernel = kernel or Kernel()
    with tqdm(
        total=len(notebook.cells), desc=f"[{position}/{total}] {source.stem}", unit="cell", leave=False,
        bar_format="{desc} {n_fmt}/{total_fmt} cells [{elapsed}] {postfix}", file=sys.stdout,
    ) as bar:
        client = ProgressClient(notebook, bar, kernel.progress_file, km=kernel.ready(), timeout=None,
                                resources={"metadata": {"path": str(NOTEBOOKS)}})
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
            if client.kc is not None:
                client.kc.stop_channels()
            kernel.stop()
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
    following = Kernel()
    try:
        for position, source in enumerate(sources, 1):
            # This notebook's kernel, and the next one's, which starts while this notebook runs.
            kernel, following = following, (Kernel() if position < len(sources) else None)
            ok, seconds = execute(source, OUTPUT / source.name, position, len(sources), kernel)
            rows.append((source.stem, seconds, ok))
            print(f"{source.stem:<34}{seconds:>8.0f} s  {'ok' if ok else 'FAILED'}", flush=True)
    finally:
        if following is not None:  # interrupted: the next notebook's kernel is not needed
            following.stop()
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
