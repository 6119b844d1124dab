"""make run's machinery: notebooks executed over IPC into a copy, progress read from the kernels."""

from __future__ import annotations

import json

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from course_utils import progress, run_all


def test_progress_lines_read_as_words():
    line = {"epoch": 3, "epochs": 10, "step": 275, "steps": 275, "seconds": 60.0}
    assert progress.describe(line) == "training: epoch 3/10, about 2 min left"
    assert progress.describe({**line, "epoch": 10}) == "training: epoch 10/10, about 0 s left"


def test_progress_file_is_written_only_when_asked(tmp_path, monkeypatch):
    monkeypatch.delenv(progress.PROGRESS_VARIABLE, raising=False)
    assert progress.callbacks(10) == []
    path = tmp_path / "progress.jsonl"
    monkeypatch.setenv(progress.PROGRESS_VARIABLE, str(path))
    (callback,) = progress.callbacks(50)
    callback.set_params({"epochs": 2})
    callback.on_train_begin()
    callback.on_epoch_begin(0)
    for batch in range(50):
        callback.on_train_batch_end(batch)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(line["epoch"], line["step"]) for line in lines] == [(1, 25), (1, 50)]


def test_a_notebook_runs_over_ipc_into_a_copy(tmp_path, capfd):
    source, target = tmp_path / "00_tiny.ipynb", tmp_path / "out" / "00_tiny.ipynb"
    notebook = new_notebook(cells=[new_code_cell("print('Epoch 1/2')"), new_code_cell("print(6 * 7)")])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, source)
    before = source.read_bytes()
    error, seconds = run_all.execute(source, target, 1, 1)
    assert error is None and seconds > 0
    assert source.read_bytes() == before  # the source is never written
    executed = nbformat.read(target, as_version=4)
    assert executed.cells[1].outputs[0]["text"] == "42\n"
    assert "without encryption" not in capfd.readouterr().err  # the kernel writes to file descriptor 2


def test_a_failing_notebook_is_reported_not_raised(tmp_path):
    source = tmp_path / "00_broken.ipynb"
    notebook = new_notebook(cells=[new_code_cell("1 / 0")])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, source)
    error, _ = run_all.execute(source, tmp_path / "out.ipynb", 1, 1)
    assert error == "ZeroDivisionError: division by zero"
    assert nbformat.read(tmp_path / "out.ipynb", as_version=4).cells[0].outputs[0]["ename"] == "ZeroDivisionError"


def test_a_kernel_started_ahead_has_tensorflow_loaded_and_is_stopped_after(tmp_path):
    source = tmp_path / "00_check.ipynb"
    notebook = new_notebook(cells=[new_code_cell("import sys\nprint('tensorflow' in sys.modules)")])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, source)
    kernel = run_all.Kernel()
    error, _ = run_all.execute(source, tmp_path / "out.ipynb", 1, 1, kernel)
    assert error is None
    executed = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    assert executed.cells[0].outputs[0]["text"] == "True\n"  # loaded before the first cell ran
    assert executed.cells[0].execution_count == 1  # the preload left no trace in the notebook
    assert not kernel.manager.has_kernel and not kernel.scratch.exists()  # shut down, not left for exit


def test_without_the_data_make_run_says_why_and_skips_what_needs_it(tmp_path, monkeypatch, capsys):
    """01 fails on an empty MNIST_DATA_DIR; the terminal shows its error and advice, 02 is not started."""
    monkeypatch.setenv("MNIST_DATA_DIR", str(tmp_path / "empty"))
    (tmp_path / "empty").mkdir()
    monkeypatch.setattr(run_all, "OUTPUT", tmp_path / "out")
    assert run_all.main(["01", "02"]) == 1
    out = capsys.readouterr().out
    assert "01_loading_mnist" in out and "FAILED" in out
    assert "MnistDataError: train-images-idx3-ubyte.gz (or train-images-idx3-ubyte) is missing from" in out
    assert "02_reshaping_and_encoding" in out and "skipped: needs 01" in out
    assert "Failed: 01_loading_mnist; skipped: 1 notebook that needs it." in out
    assert not (tmp_path / "out" / "02_reshaping_and_encoding.ipynb").exists()


def test_a_download_failure_gets_the_offline_advice():
    from nbclient.exceptions import CellExecutionError

    failure = CellExecutionError("traceback", "Exception", "URL fetch failure on https://storage.googleapis.com/x")
    described = run_all.describe_error(failure)
    assert described.startswith("Exception: URL fetch failure")
    assert "set the environment variable MNIST_DATA_DIR to that folder" in described
