"""Lessons 04-06 read as documents, and the checks that moved out of them.

- Every ``solution()`` of 04, 05 and 06 uses only names its notebook has defined before the exercise.
- The checks that course_utils agrees with a notebook's own lines, which the notebooks no longer show:
  05's figure and ``plot_history``, 06's lines and ``course_utils.evaluation``.
- The figures show what the prose reads from them: 04's legend covers no point, 05's article figure has
  a y label and its log axis a tick at each value the prose reads.
- 05's exercises: the figure of the gap between the losses, and the epoch where early stopping stops
  (against Keras' own EarlyStopping).
- 06's article section: the broken lines shown, the empty cell, the check that sees only the script.
"""

from __future__ import annotations

import ast
import builtins
import json
import re

import keras
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_utils import PROJECT_ROOT
from course_utils.exercises import ex04_training, ex05_history, ex06_article, ex06_evaluating
from tests.helpers import assert_correct, assert_not_quite, code_cells, solve

NOTEBOOKS = PROJECT_ROOT / "notebooks"
#: Notebook 04's history as its committed output prints it (seed 42): the best validation loss in epoch 7,
#: the training loss lower every epoch.
HISTORY_04 = {
    "loss": [0.2739, 0.0597, 0.0366, 0.0260, 0.0188, 0.0139, 0.0118, 0.0096, 0.0072, 0.0066],
    "accuracy": [0.9143, 0.9811, 0.9886, 0.9923, 0.9944, 0.9956, 0.9964, 0.9972, 0.9980, 0.9978],
    "val_loss": [0.0758, 0.0360, 0.0353, 0.0318, 0.0312, 0.0338, 0.0309, 0.0379, 0.0330, 0.0357],
    "val_accuracy": [0.9790, 0.9906, 0.9906, 0.9920, 0.9930, 0.9918, 0.9914, 0.9924, 0.9930, 0.9932],
}
LABELS = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 3, 3, 0, 1, 2, 4, 5, 6, 8, 9])
PREDICTED = np.array([0, 1, 2, 8, 4, 5, 6, 8, 8, 9, 8, 5, 0, 1, 2, 4, 5, 6, 8, 9])
PROBABILITIES = np.eye(10)[PREDICTED] * 0.9 + 0.01


@pytest.fixture(scope="module", autouse=True)
def figures_off_screen():
    matplotlib.use("Agg")
    yield
    plt.close("all")


def cells_of(name: str) -> list[dict]:
    return json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))["cells"]


def code_cell(name: str, start: str) -> str:
    """The one code cell of notebook ``name`` that starts with ``start``."""
    found = [cell for cell in code_cells(NOTEBOOKS / f"{name}.ipynb") if cell.startswith(start)]
    assert len(found) == 1, (name, start, len(found))
    return found[0]


def run(cell: str, **names) -> dict:
    """Run a notebook cell with ``names`` defined (plt.show draws nothing here); return its namespace."""
    namespace = {"plt": plt, "np": np, "keras": keras, **names}
    exec(cell, namespace)
    return namespace


# --- Every solution() runs in its notebook -------------------------------------------------------------


def defined_names(code: str) -> set[str]:
    """The names a cell binds: assignments, loop and with targets, imports, functions and classes."""
    names = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
    return names


def free_names(code: str) -> set[str]:
    """The names a piece of code reads but does not bind itself, builtins left out."""
    read = {node.id for node in ast.walk(ast.parse(code)) if isinstance(node, ast.Name)
            and isinstance(node.ctx, ast.Load)}
    return read - defined_names(code) - set(dir(builtins))


EXERCISES = {
    "04_training": ex04_training.exercises,
    "05_plotting_history": lambda: ex05_history.exercises(HISTORY_04),
    "06_evaluating": lambda: ex06_evaluating.exercises(PROBABILITIES, LABELS),
}


@pytest.mark.parametrize("notebook", EXERCISES)
def test_every_solution_uses_only_names_its_notebook_defined_before(notebook, capsys):
    cells = code_cells(NOTEBOOKS / f"{notebook}.ipynb")
    ex = EXERCISES[notebook]()
    questions = sorted(vars(ex))
    assert len(questions) >= 2
    for q in questions:
        index = next(i for i, cell in enumerate(cells) if f"ex.{q}.check(" in cell)
        before = set().union(*(defined_names(cell) for cell in cells[:index + 1]))  # with the exercise's own cell
        getattr(ex, q).solution()
        code = capsys.readouterr().out.removeprefix("Solution:\n")
        assert free_names(code) <= before, f"{notebook} {q}: {sorted(free_names(code) - before)} are not defined"


def test_the_article_solution_needs_nothing_from_the_notebook(capsys):
    ex06_article.exercises().solution()
    assert free_names(capsys.readouterr().out.removeprefix("Solution:\n")) == set()


def test_06_q2_solution_runs_with_the_notebooks_names(capsys):
    q2 = ex06_evaluating.exercises(PROBABILITIES, LABELS).q2
    answer = solve(q2, "wrong_confidence", capsys, np=np, probabilities=PROBABILITIES, labels_test=LABELS)
    assert_correct(q2, answer, capsys)


# --- The checks that moved out of the notebooks -----------------------------------------------------------


def test_plot_history_draws_the_curves_of_05s_figure():
    from course_utils.plotting import plot_history

    history = {**HISTORY_04, "seconds": [20.0] * 10}
    namespace = run(code_cell("05_plotting_history", "figure, (loss_ax, accuracy_ax)"),
                    history=history, epochs=range(1, 11))
    ours = [line.get_ydata().tolist() for ax in namespace["figure"].axes for line in ax.get_lines()]
    theirs = [line.get_ydata().tolist() for ax in plot_history(history).axes for line in ax.get_lines()]
    assert ours == theirs
    plt.close("all")


def test_course_utils_evaluation_agrees_with_06s_lines():
    from course_utils import evaluation
    from course_utils.model import make_classifier

    namespace = run(code_cell("06_evaluating", "matrix = np.zeros((10, 10)"), labels_test=LABELS,
                    predicted=PREDICTED)
    assert np.array_equal(evaluation.confusion_matrix(LABELS, PREDICTED), namespace["matrix"])

    keras.utils.set_random_seed(0)
    model = make_classifier("rmsprop")
    images = np.random.default_rng(0).random((40, 28, 28, 1), dtype=np.float32)
    labels = keras.utils.to_categorical(np.arange(40) % 10, 10)
    loss, accuracy = model.evaluate(images, labels, verbose=0)
    scores = evaluation.evaluate(model, images, labels)
    assert abs(scores["loss"] - loss) < 1e-4 and abs(scores["accuracy"] - accuracy) < 1e-6
    assert np.allclose(evaluation.predict_probabilities(model, images), model.predict(images, verbose=0), atol=1e-6)


# --- The figures show what the prose reads -------------------------------------------------------------


def test_04s_legend_covers_no_point_and_the_limits_keep_every_point():
    namespace = run(code_cell("04_training", "def descend(learning_rate"))
    figure = namespace["figure"]
    ax = figure.axes[0]
    figure.canvas.draw()
    legend = ax.get_legend().get_window_extent()
    bottom, top = ax.get_ylim()
    for line in ax.get_lines():
        xy = np.column_stack([line.get_xdata(), line.get_ydata()]).astype(float)
        if len(xy) == 2 and xy[0, 1] == xy[1, 1]:  # axhline: in axes coordinates, drawn across the axes
            continue
        assert ((bottom <= xy[:, 1]) & (xy[:, 1] <= top)).all(), line.get_label()
        inside = [legend.contains(*point) for point in ax.transData.transform(xy)]
        assert not any(inside), line.get_label()
    plt.close(figure)


def test_05s_figures_label_their_axes_and_tick_the_values_the_prose_reads():
    history = {**HISTORY_04, "seconds": [20.0] * 10}
    article = run(code_cell("05_plotting_history", 'loss = history["loss"]'), history=history)
    assert plt.gca().get_ylabel() and plt.gca().get_xlabel()
    plt.close("all")
    namespace = run(code_cell("05_plotting_history", "figure, (loss_ax, accuracy_ax)"), history=history,
                    epochs=article["epochs"])
    loss_ax, accuracy_ax = namespace["figure"].axes
    assert loss_ax.get_yscale() == "log"
    prose = "".join("".join(cell["source"]) for cell in cells_of("05_plotting_history")
                    if cell["cell_type"] == "markdown")
    for value in ("0.03", "0.04", "0.01", "0.3"):
        assert f" {value} " in prose or f" {value}." in prose or f" {value}," in prose, value
        assert float(value) in [round(tick, 6) for tick in loss_ax.get_yticks()], value
    low, high = loss_ax.get_ylim()
    assert low <= min(HISTORY_04["loss"]) and max(HISTORY_04["loss"]) <= high
    assert all(ax.get_xlabel() and ax.get_ylabel() for ax in (loss_ax, accuracy_ax))
    plt.close("all")


# --- 05 · The gap between the losses ---------------------------------------------------------------------


def gap_figure(y, x=range(1, 11), xlabel="Epoch", ylabel="Gap"):
    figure, ax = plt.subplots()
    ax.plot(list(x), list(y))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return figure


GAP = np.array(HISTORY_04["val_loss"]) - np.array(HISTORY_04["loss"])


def q(name: str):
    return getattr(ex05_history.exercises(HISTORY_04), name)


def test_the_gap_solution_is_accepted_as_figure_or_axes(capsys):
    q1 = q("q1")
    figure = solve(q1, "figure", capsys, np=np, plt=plt, history=HISTORY_04)
    assert_correct(q1, figure, capsys)
    assert_correct(q1, figure.axes[0], capsys)
    assert_correct(q1, gap_figure(GAP.tolist()), capsys)
    plt.close("all")


@pytest.mark.parametrize("make, phrase", [
    (lambda: gap_figure(-GAP), "sign is reversed"),
    (lambda: gap_figure(np.array(HISTORY_04["val_loss"]) / np.array(HISTORY_04["loss"])), "divides the two losses"),
    (lambda: gap_figure(HISTORY_04["val_loss"]), "history['val_loss'] itself"),
    (lambda: gap_figure(HISTORY_04["loss"]), "history['loss'] itself"),
    (lambda: with_line(gap_figure(HISTORY_04["val_loss"]), HISTORY_04["loss"]), "shows the two losses"),
    (lambda: with_line(gap_figure(GAP), HISTORY_04["val_loss"]), "gap alone"),
    (lambda: gap_figure(GAP, x=range(10)), "epochs start at 0"),
    (lambda: gap_figure(GAP, ylabel=""), "label both axes"),
    (lambda: gap_figure(GAP[::-1]), "no line shows"),
    (lambda: plt.subplots()[0], "no line yet"),
    (lambda: GAP, "matplotlib Figure"),
])
def test_gap_figure_mistakes_get_specific_feedback(make, phrase, capsys):
    assert_not_quite(q("q1"), make(), phrase, capsys)
    plt.close("all")


def with_line(figure, values):
    figure.axes[0].plot(range(1, len(values) + 1), values)
    return figure


def test_a_zero_line_beside_the_gap_is_accepted(capsys):
    figure = gap_figure(GAP)
    figure.axes[0].axhline(0, linestyle=":")
    assert_correct(q("q1"), figure, capsys)
    plt.close("all")


# --- 05 · When early stopping stops ----------------------------------------------------------------------


def keras_stop_epoch(values, patience=2) -> int:
    """The epoch (from 1) after which Keras' own EarlyStopping ends training on ``values``."""

    class Model:
        stop_training = False

    callback = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience)
    callback.set_model(Model())
    callback.on_train_begin()
    for epoch, value in enumerate(values):
        callback.on_epoch_end(epoch, {"val_loss": value})
        if callback.model.stop_training:
            return epoch + 1
    return len(values)


@pytest.mark.parametrize("values", [
    HISTORY_04["val_loss"], HISTORY_04["loss"], [0.5, 0.4, 0.45, 0.46, 0.3], [0.5, 0.6, 0.7], [0.3, 0.3, 0.3],
    [1.0, 0.9, 0.95, 0.85, 0.9, 0.95, 0.99], [0.2],
])
@pytest.mark.parametrize("patience", [1, 2, 3])
def test_the_stop_epoch_is_keras_own(values, patience):
    assert ex05_history.early_stop_epoch(values, patience) == keras_stop_epoch(values, patience)


def test_the_stop_solution_is_accepted(capsys):
    q2 = q("q2")
    answer = solve(q2, "stop_epoch", capsys, np=np, history=HISTORY_04)
    assert answer == keras_stop_epoch(HISTORY_04["val_loss"]) == 9
    assert_correct(q2, answer, capsys)
    assert_correct(q2, 9.0, capsys)


@pytest.mark.parametrize("answer, phrases", [
    (7, ["lowest validation loss", "2 more epochs"]),
    (6, ["first epoch without a new low"]),
    (8, ["counts the epochs from 0"]),
    # 10 comes from three mistakes at once: the feedback names each one as a possibility.
    (10, ["10 is the last epoch", "Or: that waits for three epochs", "Or: that follows the training loss"]),
    (3, ["go through the epochs"]),
    (9.5, ["whole number"]),
    (11, ["epochs 1 to 10"]),
    ("9", ["without quotes"]),
])
def test_stop_mistakes_get_specific_feedback(answer, phrases, capsys):
    for phrase in phrases:
        assert_not_quite(q("q2"), answer, phrase, capsys)


def test_stop_feedback_never_gives_the_answer(capsys):
    for answer in range(1, 12):
        if answer == 9:
            continue
        q("q2").check(answer)
        assert not re.search(r"\b9\b", capsys.readouterr().out)


# --- 06 · The article in one piece ----------------------------------------------------------------------


def test_06_shows_the_articles_script_and_its_two_broken_lines():
    markdown = "\n".join("".join(cell["source"]) for cell in cells_of("06_evaluating")
                         if cell["cell_type"] == "markdown")
    assert "## The article in one piece" in markdown
    for line in ("model = models.Sequential()", "input_shape=(28, 28, 1)))",
                 "model.compile(optimizer='optimizer', loss='categorical_crossentropy', metrics=['accuracy'])",
                 "history = model.fit(train_images, train_labels, epochs=10, batch_size=200)",
                 "acc = history_dict['acc']", "plt.plot(epochs, loss, 'bo', label='Training loss')",
                 "plt.title('Training loss and accuracy')", "plt.xlabel('Epochs')",
                 "model.evaluate(test_images, test_labels)"):
        assert line in markdown, line
    assert markdown.count("**Broken.**") == 2


def test_06s_demonstration_prints_what_todays_keras_says():
    cells = cells_of("06_evaluating")
    cell = next(c for c in cells if "".join(c["source"]).startswith("import warnings"))
    out = "".join("".join(o.get("text", "")) for o in cell["outputs"])
    assert "input_shape=(28, 28, 1) works, with a warning: Do not pass an `input_shape`" in out
    assert "optimizer='optimizer' fails: TypeError:" in out
    assert "history['acc'] fails: KeyError: 'acc'" in out


def test_06s_script_cell_is_empty_and_the_check_sees_only_what_it_sets():
    cells = [cell for cell in cells_of("06_evaluating") if cell["cell_type"] == "code"]
    setup = next(i for i, cell in enumerate(cells) if "ex06_article.exercises()" in "".join(cell["source"]))
    assignment = "".join(cells[setup]["source"]).splitlines()[-1]
    assert assignment == " = ".join(ex06_article.NAMES) + " = ..."
    script = "".join(cells[setup + 1]["source"])
    assert all(line.startswith("#") for line in script.splitlines()) and script.strip()
    check = "".join(cells[setup + 2]["source"])
    assert check.startswith("article.check(")
    assert all(f"{name}={name}" in check for name in ex06_article.NAMES)
    out = "".join("".join(o.get("text", "")) for o in cells[setup + 2]["outputs"])
    assert out.startswith("Not answered yet: write your script in the empty cell above"), out


# --- 06 · The confidence on the mistakes: what a person types -------------------------------------------


def test_06_q2_accepts_three_digits_and_asks_for_more_when_close(capsys):
    q2 = ex06_evaluating.exercises(PROBABILITIES, LABELS).q2
    wrong = PREDICTED != LABELS
    exact = float(PROBABILITIES.max(axis=1)[wrong].mean())
    assert_correct(q2, exact, capsys)
    assert_correct(q2, round(exact, 3), capsys)
    assert_not_quite(q2, round(exact, 2) + 0.005, "give more digits", capsys)
    assert_not_quite(q2, 100 * exact, "percentage", capsys)
    assert_not_quite(q2, 0.5, "not the mean confidence", capsys)
