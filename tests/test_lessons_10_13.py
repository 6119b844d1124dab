"""Notebooks 10 to 13 as lessons: what the checks moved out of them still hold, the figures they show from
longer runs are in results files, their new exercises judge answers as a beginner writes them, and every
solution runs with what its notebook has imported.

The questions tests/test_exercises.py does not list (10's q3) are checked here in full, and 13's q1 against
the answer a beginner gives without an axis. No model is trained here.
"""

from __future__ import annotations

import ast
import importlib
import json
import math
import re

import keras
import matplotlib
import numpy as np
import pytest
from keras import layers

from course_utils import PROJECT_ROOT
from course_utils.exercises import ex10_fast_track, ex11_augmentation, ex12_distributed, ex13_playground
from course_utils.model import architecture, make_augmentation, make_dense_classifier
from course_utils.results import RESULTS, read_results
from tests.helpers import (
    WRONG_KINDS,
    assert_correct,
    assert_like_every_question,
    assert_not_quite,
    code_cells,
    feedback,
    solve,
)

NOTEBOOKS = {number: next((PROJECT_ROOT / "notebooks").glob(f"{number}_*.ipynb"))
             for number in ("10", "11", "12", "13")}


@pytest.fixture(scope="module", autouse=True)
def figures_off_screen():
    matplotlib.use("Agg")


def cell_defining(number: str, name: str) -> str:
    """The source of the code cell of notebook ``number`` that assigns ``name`` first."""
    pattern = re.compile(rf"^{re.escape(name)} = ", re.MULTILINE)
    return next(cell for cell in code_cells(NOTEBOOKS[number]) if pattern.search(cell))


def imported_names(number: str) -> dict:
    """What the import statements of notebook ``number`` bind (``np``, ``keras``, ``tf``, ...): the names a
    solution printed in that notebook may use. Only the imports are run, not the cells."""
    names = {}
    for cell in code_cells(NOTEBOOKS[number]):
        for node in ast.walk(ast.parse(cell)):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    module = importlib.import_module(alias.name)
                    names[alias.asname or alias.name.split(".")[0]] = module if alias.asname else (
                        importlib.import_module(alias.name.split(".")[0]))
            elif isinstance(node, ast.ImportFrom):
                module = importlib.import_module(node.module)
                for alias in node.names:
                    names[alias.asname or alias.name] = getattr(module, alias.name, None) or importlib.import_module(
                        f"{node.module}.{alias.name}")
    return names


# --- The checks moved out of notebook 11 -------------------------------------------------------------------


def test_notebook_11s_dense_network_is_the_one_its_runs_train():
    """The runs of notebook 11 train make_dense_classifier (Recipe(architecture="dense")): it is the network the
    notebook builds and counts in its own cell."""
    namespace = {"keras": keras, "layers": layers, "ARTICLE_PARAMETER_COUNT": 257_162}
    exec(cell_defining("11", "dense").split("for layer")[0], namespace)
    assert architecture(make_dense_classifier()) == architecture(namespace["dense"])


def settings(stack):
    """Each layer's type and configuration, without its name."""
    return [(type(layer).__name__, {k: v for k, v in layer.get_config().items() if k != "name"}) for layer in stack]


def test_notebook_11s_augmentation_is_the_one_its_runs_train():
    """Recipe(augment=True) puts make_augmentation() in front of the network: the same layers as the
    notebook's own `augment`."""
    namespace = {"keras": keras, "layers": layers}
    exec(cell_defining("11", "augment"), namespace)
    assert settings(make_augmentation()) == settings(namespace["augment"].layers)


# --- Figures from longer runs come from results files -------------------------------------------------------


def shown_results(number: str) -> list[str]:
    return [name for cell in code_cells(NOTEBOOKS[number]) for name in re.findall(r'show_results\("(\w+)"\)', cell)]


@pytest.mark.parametrize("number, names", [
    ("10", ["bench"]),
    ("11", ["dense_vs_convnet", "best_rounds", "best_round3", "best_fresh_seeds", "bench"]),
])
def test_the_results_each_notebook_shows_are_committed_and_say_where_they_were_measured(number, names):
    assert shown_results(number) == names
    for name in names:
        results = read_results(name)
        assert re.search(r"\b20\d\d-\d\d-\d\d\b", results["measured"]), name  # when
        assert "CPU" in results["measured"], name  # and on what


def test_the_fresh_seeds_are_the_mean_and_sd_of_their_own_seeds():
    """The results file of 11's fresh seeds agrees with itself: each row's mean ± sd (sample sd) is that of its
    seeds, and the fresh seeds are 4, 5 and 6, which the rounds never used."""
    rows = read_results("best_fresh_seeds")["rows"]
    assert [row[0].split(" (")[0] for row in rows] == ["1, 2, 3", "4, 5, 6"]
    for _, seeds, summary in rows:
        values = [float(value) for value in seeds.rstrip("%").split(", ")]
        mean, sd = (float(value) for value in summary.rstrip("%").split(" ± "))
        assert round(np.mean(values), 2) == mean and round(np.std(values, ddof=1), 2) == sd


def test_the_results_files_of_11_are_valid_json_with_rows_as_long_as_the_columns():
    for name in ("dense_vs_convnet", "best_rounds", "best_round3", "best_fresh_seeds"):
        results = json.loads((RESULTS / f"{name}.json").read_text(encoding="utf-8"))
        assert all(len(row) == len(results["columns"]) for row in results["rows"]), name


# --- Figures: legends that hide nothing, limits that keep every point ----------------------------------------


def test_a_single_run_is_labelled_as_one_seed_and_the_limits_keep_every_point():
    from course_utils import experiments, plotting, training

    history = {"val_accuracy": [0.979, 0.99, 0.993], "seconds": [20.0, 20.0, 20.0]}
    single = [experiments.Run("article", training.ARTICLE, history, {})]
    seeds = [experiments.Run("x", training.ARTICLE, {"val_accuracy": [0.994], "seconds": [21.0]}, {})] * 3
    figure = plotting.plot_runs({"article": single, "three": seeds}, metrics=("val_accuracy",), x="seconds")
    ax = figure.axes[0]
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["article (1 seed)", "three (mean of 3 seeds)"]
    low, high = ax.get_ylim()
    assert low < 0.979 and high > 0.994
    assert "set_ylim" not in cell_defining("10", "article_run")  # notebook 10 keeps matplotlib's limits
    plotting.plt.close("all")


# --- Every solution runs with what its notebook imported -----------------------------------------------------


class TemplateModel:
    """A hand-made classifier for 13's checkers: the nearest of 10 fixed templates, by dot product. Like a real
    model it is thrown by shifts and by inversion, and it needs no training."""

    def __init__(self):
        self.templates = np.random.default_rng(1).random((10, 28 * 28)).astype("float32")

    def __call__(self, images, training=False):
        scores = np.asarray(images).reshape(len(images), -1) @ self.templates.T
        return keras.ops.softmax(scores)

    def predict(self, images, verbose=0):
        return np.asarray(self(images))


#: Images with ink in their left half only, so that a roll to the right wraps nothing but blank pixels.
IMAGES = np.random.default_rng(2).random((60, 28, 28, 1)).astype("float32") * (np.arange(28) < 14)[None, None, :, None]
MODEL = TemplateModel()


@pytest.fixture(scope="module")
def labels():
    """The template model's own digits for IMAGES, so it is right on every unmoved image."""
    return MODEL.predict(IMAGES).argmax(axis=1)


def accuracy(images, labels) -> float:
    return float((MODEL.predict(images).argmax(axis=1) == labels).mean())


@pytest.mark.parametrize("number, factory, variables", [
    ("10", ex10_fast_track.exercises, {"q1": "schedule", "q2": "right_digit_target", "q3": "lowest_loss"}),
    ("11", ex11_augmentation.exercises, {"q1": "first_layer_parameters", "q2": "cells", "q3": "augment"}),
    ("12", ex12_distributed.exercises, {"q1": "per_replica_batch", "q2": "learning_rate", "q3": "my_optimizer"}),
    ("13", None, {"q1": "shifted_accuracy", "q2": "inverted_accuracy"}),
])
def test_every_solution_runs_with_the_notebooks_imports_and_is_accepted(number, factory, variables, labels, capsys):
    names = imported_names(number)
    if number == "13":
        ex = ex13_playground.exercises(MODEL, IMAGES, labels)
        names |= {"model": MODEL, "images": IMAGES, "labels": labels}
    else:
        ex = factory()
    checked = {cell.split("ex.")[1].split(".")[0] for cell in code_cells(NOTEBOOKS[number]) if ".check(" in cell}
    assert checked == set(variables)  # every exercise the notebook asks is solved here
    for q, variable in variables.items():
        assert_correct(getattr(ex, q), solve(getattr(ex, q), variable, capsys, **names), capsys)


# --- 10 · Exercise 3: the lowest label-smoothed loss ---------------------------------------------------------


@pytest.fixture
def q3():
    return ex10_fast_track.exercises().q3


def test_the_lowest_smoothed_loss_is_what_keras_computes(q3, capsys):
    """Keras' smoothed cross-entropy of a prediction equal to the smoothed targets is the answer, and no
    other prediction does better."""
    onehot = np.eye(10, dtype="float32")[[3]]
    targets = onehot * 0.9 + 0.01
    loss = keras.losses.CategoricalCrossentropy(label_smoothing=0.1)
    lowest = float(loss(onehot, targets))
    assert_correct(q3, lowest, capsys)
    assert lowest < float(loss(onehot, onehot * 0.99 + 0.001)) and lowest < float(loss(onehot, np.full((1, 10), 0.1)))
    assert ex10_fast_track.lowest_smoothed_loss() == pytest.approx(lowest, rel=1e-5)


def test_q3_is_reported_like_every_question(q3, capsys):
    assert_like_every_question(q3, capsys, answers=(*WRONG_KINDS, [0.5]))


@pytest.mark.parametrize("answer", [0.5003, 0.50029, 0.5, 0.50, np.float32(0.5003)])
def test_q3_accepts_what_a_person_writes(q3, answer, capsys):
    assert_correct(q3, answer, capsys)


@pytest.mark.parametrize("answer, phrase", [
    (0, "plain loss of a perfect prediction"),
    (-math.log(0.91), "only the right digit's term"),
    (-0.91 * math.log(0.91), "only the right digit's term"),
    (-0.09 * math.log(0.01), "only the 9 wrong digits' terms"),
    (-0.91 * math.log(0.91) - 0.01 * math.log(0.01), "counts one wrong digit"),
    (0.5003 / math.log(10), "log10"),
    (-0.5003, "sign is reversed"),
    (0.49, "give more digits"),
    (0.52, "give more digits"),
    (0.9, "not a mistake this check knows"),
])
def test_q3_names_the_mistake_without_the_answer(q3, answer, phrase, capsys):
    out = feedback(q3, answer, capsys)
    assert out.startswith("Not quite: ") and phrase in out, out
    assert not re.search(r"0\.50\b|0\.5003|0\.5 ", out), out


@pytest.mark.parametrize("answer, phrase", [
    (91, "percentage"), (0.09, "how much smoothing lowers"), (0.99, "only one class's share"),
    (0.95, "not a mistake this check knows"),
])
def test_q2_names_more_mistakes_without_the_answer(answer, phrase, capsys):
    out = feedback(ex10_fast_track.exercises().q2, answer, capsys)
    assert out.startswith("Not quite: ") and phrase in out, out
    assert "0.91" not in out and "0.01" not in out and "Hint:" not in out, out


def test_a_schedule_no_mistake_explains_gets_its_own_rates(capsys):
    schedule = keras.optimizers.schedules.CosineDecay(0.001, decay_steps=1000)
    out = feedback(ex10_fast_track.exercises().q1, schedule, capsys)
    assert "your schedule gives 0.001, " in out and "CosineDecay(" not in out, out


# --- 13 · Exercise 1: a shift down, and the roll without an axis ---------------------------------------------


def test_q1_catches_a_roll_without_an_axis(labels, capsys):
    q1 = ex13_playground.exercises(MODEL, IMAGES, labels).q1
    down, right, no_axis = (accuracy(np.roll(IMAGES, 3, **axis), labels) for axis in ({"axis": 1}, {"axis": 2}, {}))
    assert len({1.0, down, right}) == 3 and no_axis == right  # without an axis, np.roll moves right
    assert_correct(q1, down, capsys)
    assert_not_quite(q1, no_axis, "np.roll without axis=", capsys)
    assert_not_quite(q1, right, "moved to the RIGHT, not down", capsys)


def test_q1_and_q2_name_the_other_mistakes(labels, capsys):
    ex = ex13_playground.exercises(MODEL, IMAGES, labels)
    down, inverted = accuracy(np.roll(IMAGES, 3, axis=1), labels), accuracy(1 - IMAGES, labels)
    assert_not_quite(ex.q1, 100 * down, "percentage", capsys)
    assert_not_quite(ex.q1, down + 0.005, "give more digits", capsys)
    assert_not_quite(ex.q2, 100 * inverted, "percentage", capsys)
    assert_not_quite(ex.q1, down + 0.2 if down < 0.7 else down - 0.2, "not a mistake this check knows", capsys)


def test_q1_catches_a_roll_without_an_axis_when_ink_wraps_around(capsys):
    """With ink up to the right edge a roll without an axis differs from axis=2 (ink wraps into the next row);
    the check still names it."""
    right_half = (np.arange(28) >= 14)[None, None, :, None]
    images = np.random.default_rng(5).random((60, 28, 28, 1)).astype("float32") * right_half
    digits = MODEL.predict(images).argmax(axis=1)
    down, right, no_axis = (accuracy(np.roll(images, 3, **axis), digits) for axis in ({"axis": 1}, {"axis": 2}, {}))
    assert len({1.0, down, right, no_axis}) == 4
    assert_not_quite(ex13_playground.exercises(MODEL, images, digits).q1, no_axis, "np.roll without axis=", capsys)
