"""The notebooks' install cell (course_utils.install_cell): in every notebook, first among the code cells, as
pyproject.toml makes it; silent where the package is installed; what it runs where it is not.
The real install, in a fresh virtual environment, is ``make test-colab`` (tests/colab_path.py)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys

import pytest

from course_utils import PROJECT_ROOT, install_cell

NOTEBOOKS = install_cell.notebook_paths()
RENDERED = install_cell.render()


def code_cells(path) -> list[dict]:
    return [cell for cell in json.loads(path.read_text(encoding="utf-8"))["cells"] if cell["cell_type"] == "code"]


def first_code_cell(path) -> dict:
    return code_cells(path)[0]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.relative_to(PROJECT_ROOT / "notebooks").as_posix())
def test_every_notebook_starts_with_the_install_cell_pyproject_makes(path):
    cell, setup = code_cells(path)[:2]
    shown, rerun = path.relative_to(PROJECT_ROOT), f"run: python -m course_utils.install_cell {path.name[:2]}"
    assert install_cell.is_install_cell(cell), f"{shown}: its first code cell is not the install cell; {rerun}"
    assert install_cell.source_of(cell) == RENDERED, f"{shown}: the install cell is out of date; {rerun}"
    assert cell["id"] == install_cell.CELL_ID and cell["metadata"]["tags"] == ["remove-cell"], shown
    assert cell["metadata"]["jupyter"]["source_hidden"] is True, shown
    assert cell["outputs"] == [] and cell["execution_count"] is None, shown
    assert "setup_course(" in install_cell.source_of(setup), f"{shown}: the setup cell must follow the install cell"


def run_cell(monkeypatch, capsys, *, missing=(), environment=None) -> tuple[str, list[list[str]]]:
    """Execute the rendered cell with subprocess.run recorded, not run; ``missing``: modules it must not find."""
    import importlib.util

    calls, find_spec = [], importlib.util.find_spec
    monkeypatch.setattr(subprocess, "run", lambda command, **options: calls.append((command, options)))
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name in missing else find_spec(name, *a))
    for name, value in (environment or {}).items():
        monkeypatch.setenv(name, value)
    exec(compile(RENDERED, "install-cell", "exec"), {})
    assert all(options == {"check": True} for _, options in calls)
    return capsys.readouterr().out, [command for command, _ in calls]


def test_where_the_package_is_installed_the_cell_does_nothing(monkeypatch, capsys):
    monkeypatch.delenv("COURSE_PACKAGE", raising=False)
    assert run_cell(monkeypatch, capsys) == ("", [])


def test_where_it_is_missing_it_installs_the_missing_dependencies_then_the_package_alone(monkeypatch, capsys):
    printed, commands = run_cell(monkeypatch, capsys, missing={"course_utils", "anywidget"},
                                 environment={"COURSE_PACKAGE": "/wheels/course_utils-0.2.0-py3-none-any.whl"})
    assert printed.splitlines() == [
        "Installing the course package from /wheels/course_utils-0.2.0-py3-none-any.whl: this takes a minute.",
        "Installed; continuing."]
    pip = [sys.executable, "-m", "pip", "install", "--quiet"]
    assert commands == [pip + [install_cell.pinned(install_cell.read_project())["anywidget"]],
                        pip + ["--no-deps", "/wheels/course_utils-0.2.0-py3-none-any.whl"]]


def test_without_course_package_it_installs_from_pyprojects_repository(monkeypatch, capsys):
    monkeypatch.delenv("COURSE_PACKAGE", raising=False)
    printed, commands = run_cell(monkeypatch, capsys, missing={"course_utils"})
    url = install_cell.repository_url(install_cell.read_project())
    assert commands == [[sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", f"git+{url}"]]
    assert printed.startswith(f"Installing the course package from git+{url}: ")


def test_changing_the_address_in_pyproject_makes_the_notebooks_out_of_date(tmp_path):
    text = (PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    url = install_cell.repository_url(install_cell.read_project())
    (tmp_path / "pyproject.toml").write_text(text.replace(url, "https://github.com/someone/else"), encoding="utf-8")
    moved = install_cell.render(tmp_path)
    assert '"git+https://github.com/someone/else"' in moved and url not in moved
    notebook = tmp_path / "01.ipynb"
    notebook.write_text((PROJECT_ROOT / "notebooks" / "01_loading_mnist.ipynb").read_text(encoding="utf-8"))
    before = notebook.read_bytes()
    assert install_cell.update_notebook(notebook, moved, write=False) == "updated" and notebook.read_bytes() == before
    assert install_cell.update_notebook(notebook, moved) == "updated"
    assert install_cell.source_of(first_code_cell(notebook)) == moved
    assert install_cell.update_notebook(notebook, moved) is None


def test_adding_the_cell_changes_nothing_else_in_the_file(tmp_path):
    original = PROJECT_ROOT / "notebooks" / "01_loading_mnist.ipynb"
    nb = json.loads(original.read_text(encoding="utf-8"))
    nb["cells"] = [cell for cell in nb["cells"] if not install_cell.is_install_cell(cell)]
    notebook = tmp_path / "01.ipynb"
    notebook.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert install_cell.update_notebook(notebook, RENDERED) == "added"
    assert notebook.read_bytes() == original.read_bytes()


def test_a_misplaced_install_cell_is_moved_before_the_setup_cell_and_kept_once():
    markdown, setup = {"cell_type": "markdown", "source": "# 01"}, {"cell_type": "code", "source": "setup_course()"}
    old = install_cell.make_cell("# old")
    old["id"] = install_cell.CELL_ID
    cells = install_cell.with_install_cell([markdown, setup, old], RENDERED)
    assert cells == [markdown, install_cell.make_cell(RENDERED), setup]
    assert install_cell.with_install_cell(cells, RENDERED) == cells


def third_party_modules() -> set[str]:
    """The top-level modules course_utils imports, other than the standard library's and its own."""
    found = set()
    for path in (PROJECT_ROOT / "course_utils").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"course_utils"}


#: What a Colab kernel has besides COLAB_PROVIDES: ipywidgets' traitlets, and Jupyter's own packages
#: (course_utils.run_all and translation use them; jupyterlab only for make lab).
JUPYTER_ITSELF = {"traitlets", "nbformat", "nbclient", "jupyter_client", "jupyterlab"}


def test_the_cell_installs_every_dependency_course_utils_imports_that_colab_lacks():
    project = install_cell.read_project()
    colab = {install_cell.MODULE_NAMES.get(name, name) for name in install_cell.COLAB_PROVIDES}
    extras = install_cell.extra_requirements(project)
    assert third_party_modules() - colab - JUPYTER_ITSELF == set(extras) == {"anywidget", "tqdm"}
    assert set(install_cell.pinned(project)) == (
        set(install_cell.COLAB_PROVIDES) | set(install_cell.NOT_AT_RUN_TIME) | set(extras))
