"""The cache of trained models: the only code that reads or writes ``build/cache`` (or ``$COURSE_CACHE_DIR``).

A recipe's entry is two files named by ``Recipe.key()``: ``<key>.keras`` (the model, Keras' own
format) and ``<key>.json`` (the recipe, the training history and, once measured, the test scores).

- ``load_or_train(recipe)`` returns ``(model, history)``: from the cache, else trained and stored.
- ``load_or_score(recipe)`` returns ``(history, scores)`` for the experiments: it loads no model when
  the scores are stored, and trains only when the entry is missing.
- ``store(recipe, model, history)`` keeps a model trained elsewhere (notebook 04 trains the article's
  recipe in plain Keras and stores it here, so later notebooks need not train it again).

A damaged entry (a truncated or foreign ``.keras``, a broken ``.json``, a record of another recipe,
half an entry) is never fatal: one line names the file and what is wrong, the files are moved to
``damaged/`` in the cache folder, and the recipe is trained again. Every write goes to a temporary
file first and is renamed into place, so an interrupted save never leaves half a file.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path

from course_utils import PROJECT_ROOT
from course_utils.data import PreparedData, load_prepared
from course_utils.files import atomic_path, atomic_write
from course_utils.i18n import _, ngettext
from course_utils.training import Recipe, train

CACHE_VARIABLE = "COURSE_CACHE_DIR"
#: Set by make test (tests/lanes.py): recipes of ``course_utils.training`` by name (``ARTICLE``) that one
#: notebook trains and stores; whatever else asks for them before that notebook ran is out of order.
MUST_LOAD_VARIABLE = "COURSE_MUST_LOAD"


class CacheError(RuntimeError):
    """The cache folder cannot be used. The message names the folder and says what to do."""


def cache_dir() -> Path:
    """The cache folder: ``$COURSE_CACHE_DIR``, else ``build/cache`` in the project."""
    return Path(os.environ.get(CACHE_VARIABLE) or PROJECT_ROOT / "build" / "cache")


def entry_paths(recipe: Recipe) -> tuple[Path, Path]:
    """Where the model (``.keras``) and the record (``.json``) of ``recipe`` are kept."""
    folder = cache_dir()
    return folder / f"{recipe.key()}.keras", folder / f"{recipe.key()}.json"


def load_or_train(recipe: Recipe, data: PreparedData | None = None) -> tuple:
    """The trained ``(model, history)`` of ``recipe``: from the cache, else trained quietly and stored.

    It prints the same line either way, so a notebook's output does not depend on the cache.
    """
    stored = load(recipe)
    if stored is None:
        _check_may_train(recipe)
        _check_writable()
        model, history = train(recipe, data, verbose=0)
        store(recipe, model, history)
    else:
        model, history = stored
    epochs = len(history["loss"])
    print(ngettext("Model ready: recipe {key}, {epochs} epoch", "Model ready: recipe {key}, {epochs} epochs",
                   epochs).format(key=recipe.key(), epochs=epochs))
    return model, history


def epoch_seconds_since(recipe: Recipe, since: float) -> float | None:
    """The mean seconds of an epoch of ``recipe``'s entry when it was stored after ``since`` (a time), else None
    (it came from the cache): what make test's cost line divides by."""
    record_path = entry_paths(recipe)[1]
    if not record_path.is_file() or record_path.stat().st_mtime < since:
        return None
    seconds = json.loads(record_path.read_text(encoding="utf-8"))["history"]["seconds"]
    return sum(seconds) / len(seconds)


def load(recipe: Recipe) -> tuple | None:
    """The stored ``(model, history)`` of ``recipe``, or None: never trains (a damaged entry is set aside)."""
    record = _read_record(recipe)
    model = _read_model(recipe) if record else None
    return None if model is None else (model, record["history"])


def load_or_score(recipe: Recipe, data: PreparedData | None = None) -> tuple[dict, dict]:
    """``(history, scores)`` of ``recipe``, scores being its test ``{"loss", "accuracy"}``.

    From the record when it holds scores; a stored model without scores is evaluated (not trained
    again); a missing or damaged entry is trained and stored with its scores.
    """
    from course_utils.evaluation import evaluate

    record = _read_record(recipe)
    if record and record.get("scores"):
        return record["history"], record["scores"]
    model = _read_model(recipe) if record else None
    data = data or load_prepared()
    if model is None:
        _check_may_train(recipe)
        _check_writable()
        model, history = train(recipe, data, verbose=0)
        scores = evaluate(model, data.x_test, data.y_test)
        store(recipe, model, history, scores)
    else:
        history, scores = record["history"], evaluate(model, data.x_test, data.y_test)
        _write_record(recipe, history, scores)
    return history, scores


def store(recipe: Recipe, model, history: dict, scores: dict | None = None) -> None:
    """Keep ``model`` and its ``history`` (and test ``scores``) as the cache entry of ``recipe``.

    The model is written under a temporary name in the cache folder, then renamed into place; the
    record, which names the recipe, comes last, so a half-finished save is never loaded.
    """
    history = {name: [float(value) for value in values] for name, values in history.items()}
    scores = None if scores is None else {name: float(value) for name, value in scores.items()}
    problem = _history_problem(history)
    if problem:
        raise ValueError(_("store({key}): the {problem}; pass fit's history.history plus the seconds of each "
                           "epoch, e.g. {{**history.history, \"seconds\": timer.seconds}}").format(
            key=recipe.key(), problem=problem))
    model_path = entry_paths(recipe)[0]
    folder = _check_writable()
    try:
        with atomic_path(model_path) as scratch_model:
            model.save(scratch_model)
    except OSError as error:
        raise _unwritable(folder, error) from error
    _write_record(recipe, history, scores)


def _write_record(recipe: Recipe, history: dict, scores: dict | None) -> None:
    record_path = entry_paths(recipe)[1]
    record = {"recipe": recipe.identity(), "history": history, "scores": scores}
    try:
        with atomic_write(record_path) as file:
            json.dump(record, file, indent=1)
    except OSError as error:
        raise _unwritable(record_path.parent, error) from error


def _check_may_train(recipe: Recipe) -> None:
    """Refuse to train a recipe that ``$COURSE_MUST_LOAD`` says another notebook trains."""
    from course_utils import training

    for name in filter(None, os.environ.get(MUST_LOAD_VARIABLE, "").split(",")):
        if getattr(training, name) == recipe:
            raise CacheError(_("{key} ({name}) is trained by another notebook, and it is not in the cache yet: "
                               "this notebook ran before that one. In notebooks/order.toml, add the notebook that "
                               "trains it to this notebook's needs.").format(key=recipe.key(), name=name))


def _check_writable() -> Path:
    """The cache folder, created if needed; a clear ``CacheError`` when it cannot be written."""
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise _unwritable(folder, error) from error
    return folder


def _unwritable(folder: Path, error: OSError) -> CacheError:
    return CacheError(
        _("The model cache folder {folder} cannot be written ({error}). Set {variable} to a folder you can write "
          "to, e.g. export {variable}=$HOME/mnist-course-cache (in a running notebook: %env {variable}=... in a "
          "cell, then run this cell again)").format(folder=folder, error=error.strerror or error,
                                                    variable=CACHE_VARIABLE)
    )


def _read_record(recipe: Recipe) -> dict | None:
    """The record of ``recipe``, or None when there is none; a damaged entry is reported and set aside."""
    model_path, record_path = entry_paths(recipe)
    if not model_path.exists() and not record_path.exists():
        return None
    if not record_path.exists():
        return _set_aside(recipe, model_path, _("its record {name} is missing").format(name=record_path.name))
    if not model_path.exists():
        return _set_aside(recipe, record_path, _("its model {name} is missing").format(name=model_path.name))
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        return _set_aside(recipe, record_path, _("not a readable JSON record: {error}").format(error=error))
    if not isinstance(record, dict) or not isinstance(record.get("history"), dict) or "loss" not in record["history"]:
        return _set_aside(recipe, record_path, _("the record has no training history"))
    if record.get("recipe") != recipe.identity():
        return _set_aside(recipe, record_path, _("the record is of another recipe than {key}").format(
            key=recipe.key()))
    problem = _history_problem(record["history"]) or _scores_problem(record.get("scores"))
    if problem:
        return _set_aside(recipe, record_path, _("the record's {problem}").format(problem=problem))
    return record


#: What every stored history holds, one number per epoch: ``train``'s and notebook 04's ``fit``.
HISTORY_KEYS = ("loss", "accuracy", "val_loss", "val_accuracy", "seconds")


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _history_problem(history: dict) -> str | None:
    """What is wrong with a stored training history, or None."""
    missing = [key for key in HISTORY_KEYS if key not in history]
    if missing:
        return _("history lacks {keys}").format(keys=", ".join(missing))
    lengths = {len(values) if isinstance(values, list) else -1 for values in history.values()}
    if len(lengths) != 1 or lengths == {0} or lengths == {-1}:
        return _("history is not one list of numbers per metric, all as long as the training")
    if not all(_is_number(value) for values in history.values() for value in values):
        return _("history holds something other than numbers")
    return None


def _scores_problem(scores) -> str | None:
    """What is wrong with stored test scores (None when there are none yet), or None."""
    if scores is None:
        return None
    if not isinstance(scores, dict) or not all(_is_number(scores.get(key)) for key in ("loss", "accuracy")):
        return _("test scores lack a loss or an accuracy")
    return None


def _read_model(recipe: Recipe):
    """The stored model of ``recipe``, or None (a damaged model file is reported and set aside)."""
    import keras

    model_path = entry_paths(recipe)[0]
    try:
        with zipfile.ZipFile(model_path) as archive:
            broken = archive.testzip()
        if broken:
            raise zipfile.BadZipFile(f"member {broken} fails its checksum")
        return keras.models.load_model(model_path)
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, TypeError, EOFError) as error:
        incomplete = isinstance(error, (zipfile.BadZipFile, EOFError))
        reason = _("not a complete .keras archive") if incomplete else _("Keras cannot load it")
        return _set_aside(recipe, model_path, _("{reason}: {error}").format(reason=reason, error=error))


def _set_aside(recipe: Recipe, damaged: Path, reason: str) -> None:
    """Report a damaged entry in one line and move its files to ``damaged/``; return None."""
    aside = damaged.parent / "damaged"
    moved = []
    for path in entry_paths(recipe):
        if path.exists():
            try:
                aside.mkdir(exist_ok=True)
                os.replace(path, aside / path.name)
                moved.append(path.name)
            except OSError:
                pass  # a read-only cache: training again still works, storing will say what to do
    where = _("moved to {folder}").format(folder=aside) if moved else _("left in place (the folder is read-only)")
    print(_("Cache: {path} is damaged ({reason}); {where}; {key} will be trained again when needed.").format(
        path=damaged, reason=reason, where=where, key=recipe.key()))
    return None
