"""Lessons 07-09 as a student reads them: the dropout picture and the seed-by-seed figure of
course_utils.plotting, the results files of the longer runs and what the notebooks say about them, the
scaffolding kept out of the student's way, and the exercises of 08 and 09 (the beginner's wrong answers,
the tolerances, "give more digits"). The kernel and padding exercises of 07 are in test_exercises_inside.py.

No model is trained here.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from types import SimpleNamespace

import matplotlib
import numpy as np
import pytest

from course_utils import PROJECT_ROOT, plotting
from course_utils.exercises import ex08_regularising, ex09_optimizers
from course_utils.results import read_results
from tests.helpers import assert_correct, assert_like_every_question, assert_not_quite, feedback, solve

NOTEBOOKS = PROJECT_ROOT / "notebooks"
LESSONS = {"07": "07_inside_the_convnet", "08": "08_batchnorm_and_dropout", "09": "09_optimizers"}


@pytest.fixture(scope="module", autouse=True)
def figures_off_screen():
    matplotlib.use("Agg")
    yield
    plotting.plt.close("all")


def cells(lesson: str) -> list[dict]:
    return json.loads((NOTEBOOKS / f"{LESSONS[lesson]}.ipynb").read_text(encoding="utf-8"))["cells"]


def markdown(lesson: str) -> str:
    return "\n".join("".join(cell["source"]) for cell in cells(lesson) if cell["cell_type"] == "markdown")


def code(lesson: str) -> list[dict]:
    return [cell for cell in cells(lesson) if cell["cell_type"] == "code"]


def source(cell: dict) -> str:
    return "".join(cell["source"])


# --- The dropout picture ----------------------------------------------------------------------------


def connections(ax) -> int:
    return sum(line.get_gid() == "connection" for line in ax.get_lines())


def units(ax, kind: str) -> int:
    return sum(patch.get_gid() == kind for patch in ax.patches)


def test_the_dropout_picture_draws_the_network_twice():
    figure = plotting.plot_dropout()
    whole, step = figure.axes[:2]
    sizes = (4, 8, 8, 3)
    assert connections(whole) == sum(a * b for a, b in itertools.pairwise(sizes)) == 120
    assert units(whole, "unit") == sum(sizes) and units(whole, "silenced") == 0
    # 25% of each hidden layer of 8 is silenced: 2 units each, 4 of 16, and their connections are gone.
    assert units(step, "silenced") == 4 and units(step, "unit") == sum(sizes) - 4
    assert "4 of 16 hidden units silenced" in step.get_title()
    assert connections(step) < connections(whole)
    assert len(figure.legends) == 1  # below the panels, where it hides nothing


def test_the_silenced_units_lose_their_connections_both_ways():
    figure = plotting.plot_dropout((2, 3, 2), silenced={1: [0]})
    whole, step = figure.axes[:2]
    assert connections(whole) == 2 * 3 + 3 * 2
    assert connections(step) == 2 * 2 + 2 * 2  # the unit's 2 inputs and 2 outputs are gone
    assert units(step, "silenced") == 1


def test_the_default_picture_is_the_same_every_time():
    def silenced_centres(figure):
        return [patch.center for patch in figure.axes[1].patches if patch.get_gid() == "silenced"]

    assert silenced_centres(plotting.plot_dropout()) == silenced_centres(plotting.plot_dropout())


@pytest.mark.parametrize("silenced", [{0: [1]}, {3: [0]}, {1: [8]}, {1: [-1]}])
def test_only_hidden_units_can_be_silenced(silenced):
    with pytest.raises(ValueError, match="hidden units only"):
        plotting.plot_dropout((4, 8, 8, 3), silenced=silenced)


def test_a_network_needs_a_hidden_layer():
    with pytest.raises(ValueError, match="at least one hidden layer"):
        plotting.plot_dropout((4, 3))


# --- Every seed as a dot -----------------------------------------------------------------------------


def fake_run(seed: int, final: float) -> SimpleNamespace:
    return SimpleNamespace(recipe=SimpleNamespace(seed=seed), history={"val_accuracy": [0.1, final]})


GROUPS = {"plain": [fake_run(1, 0.8746), fake_run(2, 0.9300), fake_run(3, 0.9260)],
          "batch norm": [fake_run(1, 0.9482), fake_run(2, 0.9702), fake_run(3, 0.9500)]}


def test_every_seed_is_a_dot_inside_limits_that_show_the_gap():
    figure = plotting.plot_seeds(GROUPS)
    ax = figure.axes[0]
    dots = np.concatenate([line.get_ydata() for line in ax.get_lines() if line.get_marker() == "o"
                           and line.get_label().startswith("_")])
    assert sorted(dots.round(2)) == sorted(round(100 * run.history["val_accuracy"][-1], 2)
                                          for runs in GROUPS.values() for run in runs)
    low, high = ax.get_ylim()
    assert low < dots.min() and dots.max() < high  # every point in view
    assert high - low < 2 * (dots.max() - dots.min())  # and not squashed onto a 0-100% axis
    assert ax.get_ylabel() == "Validation accuracy (%)" and ax.get_xlabel() == "Variant"
    assert [label.get_text() for label in ax.get_xticklabels()] == ["plain", "batch norm"]
    assert sorted(text.get_text() for text in ax.texts) == ["seed 1", "seed 1", "seed 2", "seed 2", "seed 3", "seed 3"]


def test_the_means_are_drawn():
    ax = plotting.plot_seeds(GROUPS, xlabel="Optimizer").axes[0]
    means = sorted(float(segment[0][1]) for collection in ax.collections for segment in collection.get_segments())
    assert means == pytest.approx([100 * np.mean([0.8746, 0.93, 0.926]), 100 * np.mean([0.9482, 0.9702, 0.95])])
    assert ax.get_xlabel() == "Optimizer"


# --- The longer runs: results files, shown by code, not typed into the prose ---------------------------

SPREAD = re.compile(r"(\d+\.\d+) ± (\d+\.\d+)%")


@pytest.mark.parametrize("name, reference", [("batchnorm_dropout", "plain"), ("optimizers", "rmsprop")])
def test_the_results_files_agree_with_themselves(name, reference):
    """Each gain is the difference of the means, and is divided by the larger of the two sds."""
    results = read_results(name)
    assert "2026-11-23" in results["measured"]
    rows = {row[0]: row for row in results["rows"]}
    base_mean, base_sd = map(float, SPREAD.fullmatch(rows[reference][1]).groups())
    for variant, row in rows.items():
        if variant == reference:
            continue
        mean, sd = map(float, SPREAD.fullmatch(row[1]).groups())
        assert float(row[2]) == pytest.approx(mean - base_mean, abs=1e-9)
        assert float(row[3]) == pytest.approx(abs(mean - base_mean) / max(sd, base_sd), rel=0.05)


@pytest.mark.parametrize("lesson, name", [("08", "batchnorm_dropout"), ("09", "optimizers")])
def test_the_longer_runs_are_shown_by_code_not_typed(lesson, name):
    assert any(f'show_results("{name}")' in source(cell) for cell in code(lesson))
    prose = markdown(lesson)
    for row in read_results(name)["rows"]:
        number = SPREAD.fullmatch(row[1]).group(1)
        assert number not in prose, f"{number} is typed into {lesson}'s prose"


@pytest.mark.parametrize("lesson", LESSONS)
def test_the_prose_has_none_of_the_maintainers_words(lesson):
    words = re.findall(r"\b(budgets?|bench|lanes?|cached?|recipe key|Welch|p ≈|2026)\b", markdown(lesson),
                       flags=re.IGNORECASE)
    assert words == []


def test_08_no_longer_claims_what_its_outputs_contradict():
    prose = markdown("08")
    assert "settles within a few dozen steps" not in prose
    assert "faster learning" not in prose
    assert "one sd is" not in prose  # the old rule of thumb ("a gap of about one sd is suggestive")
    # What three seeds can show is said once, with its worked number.
    assert prose.count("## What three seeds can show") == 1 and "in 20 ways" in prose


def test_07_explains_stride_where_it_is_first_used():
    """After the introduction (which lists what the notebook teaches), the first "stride" is its definition."""
    prose = "\n".join("".join(cell["source"]) for cell in cells("07")[1:] if cell["cell_type"] == "markdown")
    first_use = prose.lower().index("stride")
    assert "*stride*" in prose[first_use - 1:first_use + 8]


@pytest.mark.parametrize("lesson, claim", [("08", "every variant ran once per seed"),
                                           ("09", "three optimizers, one run per seed each")])
def test_checks_of_the_package_are_hidden(lesson, claim):
    cell = next(cell for cell in code(lesson) if claim in source(cell))
    assert cell["metadata"]["jupyter"]["source_hidden"] is True
    assert "remove-cell" in cell["metadata"]["tags"]


def test_08_shows_dropout_and_the_seeds():
    sources = "\n".join(source(cell) for cell in code("08"))
    assert "plot_dropout()" in sources and "plot_seeds(groups)" in sources
    assert "training=True" in sources  # the running statistics, tested against each batch's own


# --- Exercises of 08 and 09 -------------------------------------------------------------------------


@pytest.fixture
def ex08():
    return ex08_regularising.exercises()


@pytest.fixture
def ex09():
    return ex09_optimizers.exercises()


def test_08_q3_is_an_exercise_like_the_others(ex08, capsys):
    assert_like_every_question(ex08.q3, capsys)
    assert_correct(ex08.q3, solve(ex08.q3, "split_chance", capsys, math=math), capsys)


def test_the_split_chances_are_what_counting_gives():
    """Of all the ways to rank 2 x n results, the share that puts one variant's n seeds all on top, either way."""
    chances = {3: ex08_regularising.SPLIT_CHANCE_THREE_SEEDS, 6: ex08_regularising.SPLIT_CHANCE_SIX_SEEDS}
    for seeds, answer in chances.items():
        tops = list(itertools.combinations(range(2 * seeds), seeds))  # which results are the top n
        clean = [top for top in tops if set(top) in (set(range(seeds)), set(range(seeds, 2 * seeds)))]
        assert len(clean) / len(tops) == pytest.approx(answer)
    assert ex08_regularising.SPLIT_CHANCE_THREE_SEEDS == pytest.approx(0.1)  # the notebook's "1 time in 10"


@pytest.mark.parametrize("answer", [2 / 924, 1 / 462, 0.0022, 0.00216, 0.002165])
def test_08_q3_accepts_what_a_person_writes(answer, ex08, capsys):
    assert_correct(ex08.q3, answer, capsys)


@pytest.mark.parametrize("answer, phrase", [
    (0.002, "give more digits"),
    (0.0021, "give more digits"),  # cut off, not rounded
    (0.1, "for 3 seeds"),  # the number given in the question
    (0.05, "one way round"),
    (1 / 924, "one way round only"),
    (0.216, "percentage"),
    (924, "number of ways"),
    (462, "write it as a fraction"),
    (5, "between 0 and 1"),
    (0.01, "ex.q3.hint()"),
])
def test_08_q3_mistakes_get_specific_feedback(answer, phrase, ex08, capsys):
    assert_not_quite(ex08.q3, answer, phrase, capsys)


@pytest.mark.parametrize("q, answer, phrase", [
    ("q1", 672, "how much the count grew"),  # 257,834 - 257,162, printed above
    ("q1", 2 * (224 + 10), "does not follow the output layer"),
    ("q1", 257_834, "every parameter"),
    ("q1", 500, "ex.q1.hint()"),
    ("q2", 1.3, "give more digits"),
    ("q2", 1.34, "give more digits"),
    ("q2", 133.33, "percentage"),
    ("q2", 0.25, "the rate"),
    ("q2", 2, "ex.q2.hint()"),
])
def test_08_mistakes_get_specific_feedback(q, answer, phrase, ex08, capsys):
    assert_not_quite(getattr(ex08, q), answer, phrase, capsys)


@pytest.mark.parametrize("answer", [0.0031623, 0.003162, 0.00316, 0.0032, 0.001 * 0.5 / math.sqrt(0.025)])
def test_09_q1_accepts_the_figure_its_own_correct_text_shows(answer, ex09, capsys):
    assert_correct(ex09.q1, answer, capsys)
    assert "0.0032" in feedback(ex09.q1, answer, capsys)


@pytest.mark.parametrize("answer, phrase", [
    (0.003, "give more digits"),
    (0.0031, "give more digits"),  # cut off, not rounded
    (0.0033, "give more digits"),
    (0.001, "the learning rate itself"),  # v = gradient², without (1 - rho)
    (0.5 / math.sqrt(0.025), "left out the learning rate"),
    (-0.0032, "a positive number"),
    (0.004, "ex.q1.hint()"),
])
def test_09_q1_mistakes_get_specific_feedback(answer, phrase, ex09, capsys):
    assert_not_quite(ex09.q1, answer, phrase, capsys)


@pytest.mark.parametrize("answer, phrase", [
    (0.1, "share lost each step"),
    (1 / 0.9, "divides by the share kept"),
    (9.9, "give more digits"),
    (11, "ex.q2.hint()"),
])
def test_09_q2_mistakes_get_specific_feedback(answer, phrase, ex09, capsys):
    assert_not_quite(ex09.q2, answer, phrase, capsys)


WRONG = {"08": [("q1", a) for a in (896, 672, 224, 320, 468, 0, 500)]
         + [("q2", a) for a in (0.75, 1.25, 4, 0.25, 1, 1.3, 133.33, 2)]
         + [("q3", a) for a in (0.1, 0.05, 1 / 924, 0.216, 924, 5, 0.002, 0.01)],
         "09": [("q1", a) for a in (0.0005, 0.001054, 0.001, 0.02, 3.162, -0.0032, 0.003, 0.004)]
         + [("q2", a) for a in (0.9, 1.9, 9, 0.1, 1.111, 9.9, 11)]}
ANSWERS = {("08", "q1"): ["448"], ("08", "q2"): ["1.333", "4/3"], ("08", "q3"): ["0.0022", "0.00216", "1/462", "2/924"],
           ("09", "q1"): ["0.0032", "0.00316"], ("09", "q2"): ["10"]}


@pytest.mark.parametrize("lesson, q, answer", [(lesson, q, answer) for lesson, pairs in WRONG.items()
                                               for q, answer in pairs])
def test_no_wrong_answer_is_told_the_expected_value(lesson, q, answer, capsys):
    exercises = ex08_regularising.exercises() if lesson == "08" else ex09_optimizers.exercises()
    out = feedback(getattr(exercises, q), answer, capsys)
    assert out.startswith("Not quite: ")
    assert [value for value in ANSWERS[lesson, q] if value in out] == [], out


# --- 09 q3: rmsprop's first step does not depend on the gradient's size --------------------------------


def test_09_q3_is_an_exercise_like_the_others(ex09, capsys):
    assert_like_every_question(ex09.q3, capsys)
    assert_correct(ex09.q3, solve(ex09.q3, "small_gradient_step", capsys, math=math), capsys)


def test_09_q3_accepts_the_step_keras_takes(ex09, capsys):
    import keras

    weight = keras.Variable(np.array([1.0], dtype="float32"))
    keras.optimizers.RMSprop(learning_rate=0.001, rho=0.9).apply([keras.ops.convert_to_tensor([0.01])], [weight])
    step = 1.0 - float(weight.numpy()[0])
    assert step == pytest.approx(0.001 / math.sqrt(0.1), rel=0.01)  # as for a gradient of 0.5 (epsilon: 0.5%)
    assert_correct(ex09.q3, step, capsys)


@pytest.mark.parametrize("answer, phrase", [
    (0.0031623 / 50, "50 times smaller"),  # scaled with the gradient, as SGD would
    (0.00001, "plain SGD's step"),
    (1.0, "square root of v"),  # divided by v = 0.00001
    (0.001, "the learning rate itself"),
    (0.003, "give more digits"),
    (0.5, "ex.q3.hint()"),
])
def test_09_q3_mistakes_get_specific_feedback(answer, phrase, ex09, capsys):
    out = feedback(ex09.q3, answer, capsys)
    assert out.startswith("Not quite: ") and phrase in out, out
    assert "0.0032" not in out and "0.00316" not in out
