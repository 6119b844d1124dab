"""The notebooks as documents: what they teach runs in their code cells, the package keeps exactly the
code a notebook wrote, every lesson has exercises, and the README's course map lists every notebook."""

from __future__ import annotations

import ast
import inspect
import re

import pytest

from course_utils import PROJECT_ROOT
from course_utils.training import EpochTimer
from tests.helpers import code_cells

NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def test_notebooks_are_numbered_in_sequence():
    numbers = [int(path.name[:2]) for path in NOTEBOOKS]
    assert numbers == list(range(1, len(NOTEBOOKS) + 1)), [path.name for path in NOTEBOOKS]


#: Each line of the article, as it is written in the notebook that teaches it, in plain Keras.
ARTICLE_LINES = {
    "01_loading_mnist": ["keras.datasets.mnist.load_data()"],
    "02_reshaping_and_encoding": ["x_train.reshape((60000, 28, 28, 1))", 'x_train.astype("float32") / 255',
                                  "to_categorical(y_train)"],
    "03_building_the_convnet": [
        "keras.Sequential([", 'layers.Conv2D(32, (3, 3), activation="relu", padding="same")',
        "layers.MaxPooling2D((2, 2))", 'layers.Dense(10, activation="softmax")',
        'model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"])', "model.summary()",
    ],
    "04_training": ["model.fit(x_train, y_train, epochs=10, batch_size=200", "model.save("],
    "05_plotting_history": ['plt.plot(epochs, loss, "bo"', 'plt.plot(epochs, accuracy, "b"'],
    "06_evaluating": ["model.evaluate(x_test, y_test", "model.predict(", "keras.models.load_model("],
}


def without_comments(cell: str) -> str:
    return "\n".join(line.split("#")[0] for line in cell.splitlines())


@pytest.mark.parametrize("name", ARTICLE_LINES)
def test_the_articles_keras_runs_in_the_notebook_that_teaches_it(name):
    code = "\n".join(without_comments(cell) for cell in code_cells(PROJECT_ROOT / "notebooks" / f"{name}.ipynb"))
    assert [line for line in ARTICLE_LINES[name] if line not in code] == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_has_at_least_two_exercises(path):
    checks = {match for cell in code_cells(path) for match in re.findall(r"ex\.(q\d)\.check\(", cell)}
    assert len(checks) >= 2, f"{path.name} has exercises {sorted(checks)}"


def test_the_package_epoch_timer_is_notebook_04s():
    cell = next(c for c in code_cells(PROJECT_ROOT / "notebooks" / "04_training.ipynb") if "class EpochTimer" in c)
    assert cell.strip() == inspect.getsource(EpochTimer).strip()


def test_the_readme_course_map_lists_every_notebook():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        assert f"(notebooks/{path.name})" in readme, path.name


def test_no_public_function_in_the_package_is_named_like_a_test():
    names = []
    for module in (PROJECT_ROOT / "course_utils").rglob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        names += [f"{module.name}:{node.name}" for node in ast.walk(tree)
                  if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")]
    assert names == []
