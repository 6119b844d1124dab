"""The notebooks as documents: what they teach runs in their code cells, the package keeps exactly the
code a notebook wrote, every lesson has exercises, and the README's course map lists every notebook."""

from __future__ import annotations

import ast
import inspect
import json
import re

import pytest

from course_utils import PROJECT_ROOT

NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def code_cells(path) -> list[str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]


def test_notebooks_are_numbered_in_sequence():
    numbers = [int(path.name[:2]) for path in NOTEBOOKS]
    assert numbers == list(range(1, len(NOTEBOOKS) + 1)), [path.name for path in NOTEBOOKS]


def test_the_articles_keras_runs_in_notebooks_01_to_06():
    code = "\n".join(cell for path in NOTEBOOKS[:6] for cell in code_cells(path))
    calls = ["load_data", ".reshape(", "to_categorical(", "Sequential", ".compile(", ".summary(", ".fit(",
             ".evaluate(", ".predict(", ".save(", "load_model(", "plt."]
    assert [call for call in calls if call not in code] == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_has_at_least_two_exercises(path):
    checks = {match for cell in code_cells(path) for match in re.findall(r"ex\.(q\d)\.check\(", cell)}
    assert len(checks) >= 2, f"{path.name} has exercises {sorted(checks)}"


def test_the_package_epoch_timer_is_notebook_04s():
    from course_utils.training import EpochTimer

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
