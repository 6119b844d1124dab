"""course_utils.cache: one door to build/cache, atomic writes, and damaged entries that never crash.

The tiny recipe (a few dozen images, two epochs) is trained once per module and stored into each test's
own temporary cache folder; the tests that are about training train it themselves.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pytest

from course_utils import cache
from course_utils.training import train
from tests.tiny import TINY

#: An unprivileged user and group id that owns nothing here (``nobody``'s on Debian; any id but root's would do).
NOBODY = 65534


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture(scope="module")
def trained(tiny_data):
    """The tiny recipe trained once for the whole module: (model, history)."""
    return train(TINY, tiny_data, verbose=0)


@pytest.fixture
def stored(folder, trained):
    """The tiny recipe's entry, stored in this test's own cache folder; returns (model, history)."""
    cache.store(TINY, *trained)
    return trained


def ready_line() -> str:
    return f"Model ready: recipe {TINY.key()}, 2 epochs\n"


def test_load_or_train_trains_once_and_prints_the_same_line(folder, tiny_data, capsys):
    model, trained = cache.load_or_train(TINY, tiny_data)
    first = capsys.readouterr().out
    loaded_model, loaded = cache.load_or_train(TINY, tiny_data)
    assert capsys.readouterr().out == first == ready_line()
    assert loaded == trained
    np.testing.assert_array_equal(loaded_model.predict(tiny_data.x_test, verbose=0),
                                  model.predict(tiny_data.x_test, verbose=0))
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in cache.entry_paths(TINY))


def test_store_keeps_a_model_trained_elsewhere(folder, tiny_data, capsys):
    model, history = train(TINY, tiny_data, verbose=0)
    cache.store(TINY, model, history)
    _, loaded = cache.load_or_train(TINY, tiny_data)
    assert loaded == history and capsys.readouterr().out == ready_line()


def test_scores_come_from_the_same_entry(stored, tiny_data, folder, monkeypatch):
    history, scores = cache.load_or_score(TINY, tiny_data)
    assert history == stored[1] and set(scores) == {"loss", "accuracy"}
    record = json.loads(cache.entry_paths(TINY)[1].read_text())
    assert record["scores"] == scores
    # Once stored, the scores are read from the record: nothing is trained or even loaded.
    monkeypatch.setattr(cache, "train", lambda *a, **k: pytest.fail("trained again"))
    monkeypatch.setattr(cache, "_read_model", lambda *a, **k: pytest.fail("loaded the model"))
    assert cache.load_or_score(TINY, tiny_data) == (history, scores)


def test_a_new_recipe_is_a_new_entry(stored, tiny_data, capsys):
    other = dataclasses.replace(TINY, seed=8)
    cache.load_or_train(other, tiny_data)
    assert capsys.readouterr().out == f"Model ready: recipe {other.key()}, 2 epochs\n"
    assert cache.entry_paths(other)[0].is_file()


@pytest.fixture
def retrain(trained, monkeypatch):
    """The cache's training, counted: it hands back the module's trained tiny model (what these tests
    check is what the cache does around training, not the training; the tests above train for real)."""
    calls = []

    def train_again(recipe, data, **options):
        calls.append(recipe)
        return trained[0], dict(trained[1])

    monkeypatch.setattr(cache, "train", train_again)
    return calls


def damage_and_reload(folder, data, capsys, damage, retrain) -> str:
    model_path, record_path = cache.entry_paths(TINY)
    damage(model_path, record_path)
    model, history = cache.load_or_train(TINY, data)
    assert retrain == [TINY]  # trained again, once
    out = capsys.readouterr().out
    assert out.endswith(ready_line()) and out.count("\n") == 2, out
    assert model.predict(data.x_test, verbose=0).shape == (len(data.x_test), 10)
    assert model_path.is_file() and json.loads(record_path.read_text())["history"] == history
    return out.splitlines()[0]


def edit_record(path, change):
    record = json.loads(path.read_text())
    change(record)
    path.write_text(json.dumps(record))


def truncate(path, keep=0.5):
    path.write_bytes(path.read_bytes()[: int(path.stat().st_size * keep)])


@pytest.mark.parametrize("damage, names, reason", [
    (lambda m, r: truncate(m), ".keras", "not a complete .keras archive"),
    (lambda m, r: m.write_bytes(b"garbage, not a zip file"), ".keras", "not a complete .keras archive"),
    (lambda m, r: truncate(r), ".json", "not a readable JSON record"),
    (lambda m, r: r.write_bytes(b"\xff\xfe\x00binary"), ".json", "not a readable JSON record"),
    (lambda m, r: r.write_text("[1, 2]"), ".json", "the record has no training history"),
    (lambda m, r: edit_record(r, lambda record: record["history"].pop("val_accuracy")), ".json",
     "the record's history lacks val_accuracy"),
    (lambda m, r: edit_record(r, lambda record: record["history"].update(seconds=[])), ".json",
     "the record's history is not one list of numbers per metric"),
    (lambda m, r: edit_record(r, lambda record: record["history"]["loss"].__setitem__(0, "low")), ".json",
     "the record's history holds something other than numbers"),
    (lambda m, r: edit_record(r, lambda record: record.update(scores={"loss": 0.1})), ".json",
     "the record's test scores lack a loss or an accuracy"),
    (lambda m, r: r.unlink(), ".keras", f"its record {TINY.key()}.json is missing"),
    (lambda m, r: m.unlink(), ".json", f"its model {TINY.key()}.keras is missing"),
])
def test_a_damaged_entry_is_named_set_aside_and_trained_again(stored, folder, tiny_data, capsys, damage, names,
                                                             reason, retrain):
    line = damage_and_reload(folder, tiny_data, capsys, damage, retrain)
    damaged = folder / f"{TINY.key()}{names}"
    assert line.startswith(f"Cache: {damaged} is damaged ({reason}") and "trained again" in line, line
    assert f"moved to {folder / 'damaged'}" in line
    assert (folder / "damaged").is_dir()
    assert "Traceback" not in line and "File not found" not in line


def test_a_record_of_another_recipe_is_set_aside(stored, folder, tiny_data, capsys, retrain):
    def edit(model_path, record_path):
        record = json.loads(record_path.read_text())
        record["recipe"]["epochs"] = 99
        record_path.write_text(json.dumps(record))
    line = damage_and_reload(folder, tiny_data, capsys, edit, retrain)
    assert f"is damaged (the record is of another recipe than {TINY.key()})" in line


def test_a_keras_archive_with_foreign_content_is_set_aside(stored, folder, tiny_data, capsys, retrain):
    def foreign(model_path, record_path):
        with zipfile.ZipFile(model_path, "w") as archive:
            archive.writestr("config.json", "{not json")
    line = damage_and_reload(folder, tiny_data, capsys, foreign, retrain)
    assert "Keras cannot load it" in line


def test_an_interrupted_save_leaves_no_entry(folder, tiny_data, monkeypatch):
    model, history = train(TINY, tiny_data, verbose=0)
    with monkeypatch.context() as patched:
        patched.setattr(json, "dump", lambda *a, **k: (_ for _ in ()).throw(OSError(28, "No space left on device")))
        with pytest.raises(cache.CacheError, match="cannot be written"):
            cache.store(TINY, model, history)
    # No record and no temporary file is left; the model alone is half an entry, reported and replaced.
    assert [p.name for p in folder.iterdir()] == [f"{TINY.key()}.keras"]
    assert cache.load_or_train(TINY, tiny_data)[1]["loss"] == history["loss"]
    assert sorted(p.name for p in folder.iterdir()) == sorted([p.name for p in cache.entry_paths(TINY)] + ["damaged"])


@contextlib.contextmanager
def without_root():
    """Run the block bound by folder permissions. Root may write anywhere, so as root the block runs with
    the effective user and group of ``nobody`` (65534), restored afterwards; anyone else is bound already."""
    if os.geteuid() != 0:
        yield
        return
    try:
        os.setegid(NOBODY)
        os.seteuid(NOBODY)
    except PermissionError:  # a container that took away root's right to change its ids
        os.setegid(0)
        pytest.skip("running as root without the right to change user (CAP_SETUID), so no folder is read-only")
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


def test_an_unwritable_folder_is_named_with_what_to_do(monkeypatch, tiny_data):
    # A folder everyone may read and enter but only its owner may write, in a folder anyone can reach.
    with tempfile.TemporaryDirectory() as home:
        os.chmod(home, 0o755)
        locked = Path(home) / "locked"
        locked.mkdir()
        locked.chmod(0o555)  # r-x for its owner, its group and everyone else
        monkeypatch.setenv("COURSE_CACHE_DIR", str(locked / "cache"))
        with without_root(), pytest.raises(
            cache.CacheError, match=f"The model cache folder {locked / 'cache'} cannot be written.*COURSE_CACHE_DIR"
        ):
            cache.load_or_train(TINY, tiny_data)
        assert not (locked / "cache").exists()


def test_a_cache_path_that_is_a_file_is_named_with_what_to_do(tmp_path, monkeypatch, tiny_data):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("COURSE_CACHE_DIR", str(blocker))
    with pytest.raises(cache.CacheError,
                       match=f"The model cache folder {blocker} cannot be written.*Set COURSE_CACHE_DIR"):
        cache.load_or_train(TINY, tiny_data)


def test_store_refuses_a_history_it_could_not_use_and_writes_nothing(folder, trained):
    model, history = trained
    without_seconds = {name: values for name, values in history.items() if name != "seconds"}
    with pytest.raises(ValueError, match=r"history lacks seconds.*timer\.seconds"):
        cache.store(TINY, model, without_seconds)
    assert not folder.exists() or not any(folder.iterdir())


def test_a_failed_record_write_leaves_no_partial_file(stored, folder, monkeypatch):
    def fail(*args, **kwargs):
        raise TypeError("not JSON serializable")

    monkeypatch.setattr(cache.json, "dump", fail)
    with pytest.raises(TypeError):
        cache.store(TINY, *stored)
    # The entry stored before is left as it was, and nothing else: no temporary file of the failed write.
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in cache.entry_paths(TINY))


def test_epoch_seconds_count_only_an_entry_trained_since(stored, folder):
    """make test's cost line: the mean epoch of an entry stored in this run, None for one from before."""
    import time

    record = cache.entry_paths(TINY)[1]
    seconds = json.loads(record.read_text(encoding="utf-8"))["history"]["seconds"]
    assert cache.epoch_seconds_since(TINY, record.stat().st_mtime - 1) == pytest.approx(sum(seconds) / len(seconds))
    assert cache.epoch_seconds_since(TINY, time.time() + 60) is None
