"""make test: the lanes of notebooks/order.toml, each in its own pytest process, the two at once.

    python tests/lanes.py [pytest options]      # what make test runs

Each lane's lines are printed as they come, after its name; each lane's whole output is also kept in
build/lanes/<lane>.log. The lanes tell each other which notebooks they have finished through marker
files in build/lanes/ (conftest.py): a lane waits there for a need of the other lane. When a lane's
process ends, every file it did not get to is marked failed, so the other lane never waits in vain.
At the end: each lane's result, the whole run's seconds and what that is in article epochs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from course_utils.order import read_order  # noqa: E402  (the project root is on the path only now)

FOLDER = ROOT / "build" / "lanes"


def start(lane: str, arguments: list[str]) -> subprocess.Popen:
    # The article's model is trained by notebook 04 only: a notebook that asks for it too early fails.
    environment = {**os.environ, "COURSE_LANES_DIR": str(FOLDER), "COURSE_MUST_LOAD": "ARTICLE"}
    return subprocess.Popen([sys.executable, "-m", "pytest", "--lane", lane, *arguments], cwd=ROOT, env=environment,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)


def relay(lane: str, process: subprocess.Popen, width: int, last_lines: list[str]) -> None:
    """Print the lane's lines as they come, and keep them in its log."""
    with open(FOLDER / f"{lane}.log", "w", encoding="utf-8") as log:
        for line in process.stdout:
            log.write(line)
            print(f"{lane:<{width}} | {line}", end="", flush=True)
            last_lines.append(line.rstrip())


def mark_unfinished(lane: str, order) -> None:
    """Mark every file of ``lane`` without a marker as failed: its process has ended."""
    for name in order.lanes[lane]:
        marker = FOLDER / f"{name.replace('/', '__')}.done"
        if not marker.exists():
            marker.write_text("failed", encoding="utf-8")


def main(arguments: list[str]) -> int:
    order = read_order()
    shutil.rmtree(FOLDER, ignore_errors=True)
    FOLDER.mkdir(parents=True)
    started, width = time.time(), max(map(len, order.lanes))
    processes = {lane: start(lane, arguments) for lane in order.lanes}
    outputs: dict[str, list[str]] = {lane: [] for lane in order.lanes}
    relays = {lane: threading.Thread(target=relay, args=(lane, process, width, outputs[lane]))
              for lane, process in processes.items()}
    for thread in relays.values():
        thread.start()
    pending = dict(processes)
    while pending:
        for lane, process in list(pending.items()):
            if process.poll() is not None:
                relays[lane].join()
                mark_unfinished(lane, order)
                del pending[lane]
        time.sleep(0.5)
    print()
    for lane, process in processes.items():
        result = next((line for line in reversed(outputs[lane]) if line.startswith("=")), "(no summary)")
        print(f"{lane:<{width}} lane: {result.strip('= ')} (exit {process.returncode}; log build/lanes/{lane}.log)")
    print(cost_line(time.time() - started))
    return max(process.returncode for process in processes.values())


def cost_line(seconds: float) -> str:
    """The run's seconds, and in article epochs when notebook 04 trained in this run."""
    from course_utils import load_tensorflow

    load_tensorflow()  # quietly, before the cache imports Keras
    from course_utils.cache import epoch_seconds_since
    from course_utils.training import ARTICLE

    epoch = epoch_seconds_since(ARTICLE, time.time() - seconds)
    if epoch is None:
        return f"make test: {seconds:.0f} s (the article's model came from the cache: no epoch was timed)"
    return (f"make test: {seconds:.0f} s = {seconds / epoch:.1f} article epochs of {epoch:.1f} s, as notebook 04 timed "
            "them beside the other lane (the budget, 30 epochs, counts epochs timed alone: see docs/measurements.md)")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
