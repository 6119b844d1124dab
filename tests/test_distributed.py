"""Training that survives an interruption: a run killed after an epoch resumes from its backup.

tests/train_with_backup.py trains the article's network for 3 epochs on 2 replicas with
keras.callbacks.BackupAndRestore. Here one run goes through uninterrupted; another is killed
(SIGKILL, no chance to clean up) once epoch 1 is backed up; a third, started like the second, must
train only epochs 2 and 3 and end where the uninterrupted run ended.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np

SCRIPT = Path(__file__).with_name("train_with_backup.py")
EPOCHS, STEPS_PER_EPOCH = 3, 4  # 256 images in global batches of 64
TIME_LIMIT = 300  # seconds for one run, a generous bound on a busy 2-core machine


def start(backup: Path, result: Path, *options: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(SCRIPT), str(backup), str(result), *options],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish(process: subprocess.Popen) -> list[str]:
    """Wait for a run to end (killing it past the time limit); return its output lines."""
    try:
        output, _ = process.communicate(timeout=TIME_LIMIT)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == 0, output
    return output.splitlines()


def outcome(process: subprocess.Popen, result: Path) -> dict:
    """What a run printed and saved, once it has ended."""
    lines = finish(process)
    with np.load(result, allow_pickle=False) as saved:
        return {"lines": lines, **{key: saved[key] for key in saved.files}}


def kill_after_epoch(process: subprocess.Popen, epoch: int) -> list[str]:
    """SIGKILL a run started with --pause-after-epoch once it says that epoch is backed up."""
    watchdog = threading.Timer(TIME_LIMIT, process.kill)  # a run that never pauses must not hang the test
    watchdog.start()
    lines = []
    try:
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith(f"paused after epoch {epoch}"):
                process.kill()
                break
    finally:
        watchdog.cancel()
        process.kill()
        process.wait()
        process.stdout.close()
    assert lines and lines[-1] == f"paused after epoch {epoch}", lines
    return lines


def weights(run: dict) -> list[np.ndarray]:
    return [run[key] for key in sorted((k for k in run if k.startswith("weight_")), key=lambda k: int(k[7:]))]


def test_a_killed_run_resumes_from_its_last_epoch(tmp_path):
    backup = tmp_path / "backup"
    # The uninterrupted run and the one to kill start together: most of their time is importing TensorFlow.
    uninterrupted = start(tmp_path / "reference-backup", tmp_path / "reference.npz")
    try:
        kill_after_epoch(start(backup, tmp_path / "resumed.npz", "--pause-after-epoch", "1"), epoch=1)
    finally:
        reference = outcome(uninterrupted, tmp_path / "reference.npz")
    assert reference["epochs"].tolist() == [1, 2, 3]
    assert not (tmp_path / "reference-backup").exists()  # a finished run deletes its backup

    assert not (tmp_path / "resumed.npz").exists()  # killed: it never finished
    # What the killed run left behind: the weights and the number of finished epochs.
    assert json.loads((backup / "training_metadata.json").read_text())["epoch"] == 1
    assert (backup / "latest.weights.h5").is_file()

    resumed = outcome(start(backup, tmp_path / "resumed.npz"), tmp_path / "resumed.npz")
    # The second start trains epochs 2 and 3 only, instead of starting over...
    assert resumed["epochs"].tolist() == [2, 3]
    finished = [line for line in resumed["lines"] if line.startswith("finished")]
    assert finished == ["finished epoch 2", "finished epoch 3"]
    # ...and ends with the uninterrupted run's number of epochs and weight updates...
    assert int(resumed["iterations"]) == int(reference["iterations"]) == EPOCHS * STEPS_PER_EPOCH
    # ...and its weights: the backup restored the weights and the optimizer's state (rmsprop's averages).
    for ours, theirs in zip(weights(resumed), weights(reference), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    assert not backup.exists()

