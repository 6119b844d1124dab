"""The notebooks' install cell: on Colab, or in any fresh environment, it installs the course package.

A notebook opened outside this repository (on Colab, or a downloaded file) would stop at its setup cell
(``from course_utils import setup_course``) with ``ModuleNotFoundError``. So each notebook's first code
cell, just before the setup cell, installs ``course_utils`` when it is missing:

- from ``COURSE_PACKAGE`` when that environment variable is set (a wheel file or any pip requirement:
  ``make test-colab`` points it at a wheel built here), else from ``git+<Repository>``, the address that
  pyproject.toml's ``[project.urls]`` gives (the one place it is set; the website's launch buttons use it too);
- first the course's other run-time packages (``anywidget`` for the drawing canvas, ``tqdm`` for ``make run``'s
  progress), only those missing, at pyproject.toml's pins; then the package itself with ``--no-deps``: Colab has
  its own TensorFlow, Keras, NumPy, matplotlib, Pillow and ipywidgets, and the course's exact pins must not
  replace them (``COLAB_PROVIDES``). In this order pip has nothing to check the course's pins against: the
  other way round, the second install would end in red ``ERROR: pip's dependency resolver ...`` lines, one
  for each pin that Colab's versions differ from (and for JupyterLab, which the notebooks do not need).

Where the package is installed (this repository's .venv) the cell prints nothing and does nothing, so the
notebooks' stored output of it is empty and nbval stays right without running them again. It is tagged
``remove-cell`` (the website leaves it out) and folded in JupyterLab (``source_hidden``). The cell is made
from pyproject.toml, never edited by hand: after changing the address or a pin, run this command
(``tests/test_install_cell.py`` fails, naming the notebook, until it was run)::

    python -m course_utils.install_cell              # every notebooks/NN_*.ipynb and notebooks/zh/NN_*.ipynb
    python -m course_utils.install_cell 01 02 07     # these notebooks (English and, where it exists, Chinese)
    python -m course_utils.install_cell notebooks/01_loading_mnist.ipynb   # this file alone
    python -m course_utils.install_cell --check      # only say which are out of date (exit status 1 if any)
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
import tomllib
from pathlib import Path

from course_utils import PROJECT_ROOT
from course_utils.files import atomic_write

#: The cell's id, and the first line of its source: either finds it in a notebook.
CELL_ID = "install-course"
FIRST_LINE = "# Installs the course package when it is missing (on Colab, in a fresh environment); else does nothing."
METADATA = {"jupyter": {"source_hidden": True}, "tags": ["remove-cell"]}
#: The dependencies (pyproject.toml) that Colab has installed already, in versions of its own: never installed.
COLAB_PROVIDES = ("tensorflow", "keras", "numpy", "matplotlib", "pillow", "ipywidgets")
#: The dependencies for make lab on this machine (JupyterLab, its Chinese menus): a notebook never imports them.
NOT_AT_RUN_TIME = ("jupyterlab", "jupyterlab-language-pack-zh-cn")
#: A distribution whose module is not named like it.
MODULE_NAMES = {"pillow": "PIL"}
NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"

TEMPLATE = '''\
{first_line}
import importlib.util
import os
import subprocess
import sys

if importlib.util.find_spec("course_utils") is None:
    # From COURSE_PACKAGE when it is set (a wheel file or a pip requirement), else from the course's repository.
    source = os.environ.get("COURSE_PACKAGE") or "git+{url}"
    print(f"Installing the course package from {{source}}: this takes a minute.")
    # First the course's other packages (module: requirement), only those that are missing here.
    needed = {needed}
    missing = [package for module, package in needed.items() if importlib.util.find_spec(module) is None]
    if missing:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *missing], check=True)
    # Then the package alone: the TensorFlow, Keras, NumPy, matplotlib, Pillow and ipywidgets installed here stay.
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", source], check=True)
    importlib.invalidate_caches()  # so that the import in the next cell finds the new package
    print("Installed; continuing.")'''


def read_project(root: Path = PROJECT_ROOT) -> dict:
    """pyproject.toml's ``[project]`` table."""
    return tomllib.loads((Path(root) / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def repository_url(project: dict) -> str:
    """``Repository`` in ``[project.urls]``: the one place the course's address is set."""
    urls = {key.lower(): value for key, value in project.get("urls", {}).items()}
    if "repository" not in urls:
        raise SystemExit("pyproject.toml: add the repository's address as Repository under [project.urls]")
    return urls["repository"].rstrip("/")


def requirement_name(requirement: str) -> str:
    """The normalised distribution name of a requirement: ``"Pillow==13.0.0"`` -> ``"pillow"``."""
    return re.sub(r"[-_.]+", "-", re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)[1]).lower()


def pinned(project: dict) -> dict[str, str]:
    """Each dependency's requirement (``"tqdm==4.70.1"``) by its normalised name."""
    return {requirement_name(requirement): requirement.strip() for requirement in project["dependencies"]}


def extra_requirements(project: dict) -> dict[str, str]:
    """What the cell installs when missing: ``{module: requirement}`` for each dependency Colab does not have
    and a notebook's kernel may import (every dependency but ``COLAB_PROVIDES`` and ``NOT_AT_RUN_TIME``)."""
    return {MODULE_NAMES.get(name, name.replace("-", "_")): requirement for name, requirement in pinned(project).items()
            if name not in COLAB_PROVIDES and name not in NOT_AT_RUN_TIME}


def render(root: Path = PROJECT_ROOT) -> str:
    """The install cell's source, from ``root``'s pyproject.toml."""
    project = read_project(root)
    needed = "{" + ", ".join(f"{json.dumps(module)}: {json.dumps(requirement)}"
                             for module, requirement in extra_requirements(project).items()) + "}"
    return TEMPLATE.format(first_line=FIRST_LINE, url=repository_url(project), needed=needed)


def make_cell(source: str) -> dict:
    """The install cell as it is stored: its id, folded and tagged ``remove-cell``, not run (no outputs)."""
    lines = source.splitlines(keepends=True)
    return {"cell_type": "code", "execution_count": None, "id": CELL_ID, "metadata": copy.deepcopy(METADATA),
            "outputs": [], "source": lines}


def source_of(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def is_install_cell(cell: dict) -> bool:
    return cell.get("cell_type") == "code" and (
        cell.get("id") == CELL_ID or source_of(cell).split("\n", 1)[0] == FIRST_LINE)


def with_install_cell(cells: list[dict], source: str) -> list[dict]:
    """``cells`` with the install cell as the first code cell: where the first code cell is an install cell it
    is replaced in place; otherwise any install cell elsewhere is removed and the new one goes before the first
    code cell (the setup cell)."""
    new = make_cell(source)
    codes = [index for index, cell in enumerate(cells) if cell.get("cell_type") == "code"]
    if codes and is_install_cell(cells[codes[0]]):
        first = codes[0]
        rest = [cell for cell in cells[first + 1:] if not is_install_cell(cell)]
        return cells[:first] + [new] + rest
    kept = [cell for cell in cells if not is_install_cell(cell)]
    first = next((index for index, cell in enumerate(kept) if cell.get("cell_type") == "code"), len(kept))
    return kept[:first] + [new] + kept[first:]


def update_notebook(path: Path, source: str, *, write: bool = True) -> str | None:
    """Give the notebook at ``path`` the install cell ``source``; return what changed ("added", "updated") or
    None when it was up to date. Only that cell changes: the rest of the file stays byte for byte."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    had = any(is_install_cell(cell) for cell in nb["cells"])
    cells = with_install_cell(nb["cells"], source)
    if cells == nb["cells"]:
        return None
    nb["cells"] = cells
    if write:
        with atomic_write(Path(path)) as file:
            file.write(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    return "updated" if had else "added"


def notebook_paths(given: list[str] = (), root: Path = PROJECT_ROOT) -> list[Path]:
    """notebooks/NN_*.ipynb and notebooks/zh/NN_*.ipynb: all of them, or those ``given``: a number ("01", "7")
    stands for the notebook in both languages, a path (ending in .ipynb) for that file alone."""
    folders = [Path(root) / "notebooks", Path(root) / "notebooks" / "zh"]
    paths = [path for folder in folders for path in sorted(folder.glob(NOTEBOOK_GLOB))]
    if not given:
        return paths
    files = [Path(item).resolve() for item in given if item.endswith(".ipynb")]
    wanted = {f"{int(item):02d}" if item.isdigit() else item for item in given if not item.endswith(".ipynb")}
    unknown = sorted(wanted - {path.name[:2] for path in paths}) + [str(file) for file in files if not file.is_file()]
    if unknown:
        raise SystemExit(f"no such notebook: {', '.join(unknown)}")
    return [path for path in paths if path.name[:2] in wanted] + files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_utils.install_cell", description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="only these: numbers (01 02 ...: English and Chinese) or "
                        ".ipynb paths (default: every notebook)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit status 1 if one is out of date")
    options = parser.parse_args(argv)
    source, stale = render(), 0
    for path in notebook_paths(options.notebooks):
        done = update_notebook(path, source, write=not options.check)
        shown = path.relative_to(PROJECT_ROOT).as_posix() if path.is_relative_to(PROJECT_ROOT) else path
        if done is None:
            print(f"{shown}: up to date")
        else:
            stale += 1
            print(f"{shown}: {'out of date' if options.check else f'install cell {done}'}")
    return 1 if options.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
