"""``make test-colab``: the install cell's real path, as on Colab, on this machine.

Colab opens one notebook in an environment that has TensorFlow, Keras, NumPy, matplotlib, Pillow and
ipywidgets, but not the course package; the notebook's first code cell (``course_utils.install_cell``)
installs it and the notebook runs on. This script does the same, everything under build/colab/:

1. ``wheel``: a wheel of the course, ``pip wheel --no-deps`` of this repository, into build/colab/wheel/;
2. ``venv``: a fresh virtual environment, build/colab/venv/, with ipykernel and Colab's packages at the
   versions pyproject.toml pins (``install_cell.COLAB_PROVIDES``; pip takes them from its cache), and not
   course-utils;
3. ``notebook``: notebooks/01_loading_mnist.ipynb, alone in an empty folder (build/colab/run/), run by
   nbclient with a kernel spec (in a temporary JUPYTER_PATH) that starts the fresh venv's python, with
   ``COURSE_PACKAGE`` set to the wheel and ``MNIST_DATA_DIR`` passed on;
4. ``checks``: the install cell printed its two lines, no cell failed, course-utils is now installed in the
   fresh venv (``pip show``'s location is inside build/colab/venv) and nothing it had was changed.

It prints each step's seconds, the install cell's own, and the total, and writes them to
build/colab/timings.json; the executed notebook is build/colab/run/01_loading_mnist.ipynb.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from importlib.metadata import version
from pathlib import Path

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from course_utils import ENVIRONMENT, PROJECT_ROOT, install_cell

ROOT = PROJECT_ROOT
COLAB = ROOT / "build" / "colab"
WHEELS, VENV, RUN = COLAB / "wheel", COLAB / "venv", COLAB / "run"
NOTEBOOK = ROOT / "notebooks" / "01_loading_mnist.ipynb"
KERNEL = "colab-like"
#: pip's word on this machine's own configuration (an extra index folder without the package): never on Colab.
THIS_MACHINES_PIP = re.compile(r"^WARNING: Location 'file://[^']*' is ignored: it is neither a file nor a directory")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
#: What setuptools leaves in build/ when it builds the wheel in the repository (removed, if it made them).
SETUPTOOLS_LEFTOVERS = ("lib", "bdist.linux-x86_64")


@contextlib.contextmanager
def step(name: str, timings: dict):
    """``with step("venv", timings):`` prints the step's name, then its seconds, and records them."""
    print(f"[{name}] ...", flush=True)
    start = time.perf_counter()
    yield
    timings[f"{name}_s"] = round(time.perf_counter() - start, 1)
    print(f"[{name}] {timings[f'{name}_s']:.1f} s", flush=True)


def run(*command) -> str:
    return subprocess.run([str(part) for part in command], check=True, capture_output=True, text=True).stdout


def build_wheel() -> Path:
    left_before = {name for name in SETUPTOOLS_LEFTOVERS if (ROOT / "build" / name).exists()}
    shutil.rmtree(WHEELS, ignore_errors=True)
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", WHEELS, ROOT)
    for name in set(SETUPTOOLS_LEFTOVERS) - left_before:
        shutil.rmtree(ROOT / "build" / name, ignore_errors=True)
    (wheel,) = WHEELS.glob("course_utils-*.whl")
    return wheel


def colab_requirements() -> list[str]:
    """ipykernel (this project's version) and Colab's packages at pyproject.toml's pins."""
    pins = install_cell.pinned(install_cell.read_project(ROOT))
    return [f"ipykernel=={version('ipykernel')}"] + [pins[name] for name in install_cell.COLAB_PROVIDES]


def make_venv() -> Path:
    shutil.rmtree(VENV, ignore_errors=True)
    run(sys.executable, "-m", "venv", VENV)
    python = VENV / "bin" / "python"
    run(python, "-m", "pip", "install", "--quiet", f"pip=={version('pip')}")
    run(python, "-m", "pip", "install", "--quiet", *colab_requirements())
    return python


def installed(python: Path) -> dict[str, str]:
    listed = json.loads(run(python, "-m", "pip", "list", "--format=json"))
    return {entry["name"].lower(): entry["version"] for entry in listed}


def kernel_environment(wheel: Path) -> dict[str, str]:
    """This process's environment as a fresh machine's: the fresh venv first on PATH, this repository's venv and
    PYTHONPATH gone, the course's own variables unset (the notebook's setup cell sets them), COURSE_PACKAGE set."""
    project_bin = str(ROOT / ".venv" / "bin")
    dropped = {"PYTHONPATH", "VIRTUAL_ENV", "COURSE_PACKAGE", "JUPYTER_PATH", *ENVIRONMENT}
    environment = {key: value for key, value in os.environ.items() if key not in dropped}
    path = [part for part in environment.get("PATH", "").split(os.pathsep) if part != project_bin]
    environment["PATH"] = os.pathsep.join([str(VENV / "bin"), *path])
    environment.update(VIRTUAL_ENV=str(VENV), COURSE_PACKAGE=str(wheel))
    return environment


def execute(python: Path, wheel: Path) -> nbformat.NotebookNode:
    """Run the notebook alone in an empty folder, in a kernel of the fresh venv; the kernel is always shut down."""
    shutil.rmtree(RUN, ignore_errors=True)
    RUN.mkdir(parents=True)
    copy = RUN / NOTEBOOK.name
    shutil.copyfile(NOTEBOOK, copy)
    notebook = nbformat.read(copy, as_version=4)
    with tempfile.TemporaryDirectory(prefix="colab-kernels-") as jupyter_path:
        spec = Path(jupyter_path) / "kernels" / KERNEL
        spec.mkdir(parents=True)
        (spec / "kernel.json").write_text(json.dumps({
            "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Colab-like (build/colab/venv)", "language": "python"}), encoding="utf-8")
        os.environ["JUPYTER_PATH"] = jupyter_path
        manager = KernelManager(kernel_name=KERNEL, transport="ipc", ip=str(Path(jupyter_path) / "kernel"))
        try:
            manager.start_kernel(cwd=str(RUN), env=kernel_environment(wheel))
            client = NotebookClient(notebook, km=manager, timeout=900, resources={"metadata": {"path": str(RUN)}})
            try:
                client.execute()
            finally:
                nbformat.write(notebook, copy)
                if client.kc is not None:
                    client.kc.stop_channels()
        finally:
            if manager.has_kernel:
                manager.shutdown_kernel(now=False)
            os.environ.pop("JUPYTER_PATH", None)
    return notebook


def cell_seconds(cell) -> float:
    timing = cell.metadata.get("execution", {})
    began, ended = (datetime.fromisoformat(timing[key].replace("Z", "+00:00"))
                    for key in ("iopub.execute_input", "shell.execute_reply"))
    return round((ended - began).total_seconds(), 1)


def check(notebook, wheel: Path, python: Path, before: dict[str, str]) -> dict:
    """The install cell's two lines, course-utils installed from the wheel into the fresh venv, nothing replaced."""
    cell = next(cell for cell in notebook.cells if install_cell.is_install_cell(cell))
    printed = [output for output in cell.outputs if output.get("name") == "stdout"]
    others = [line for output in cell.outputs if output.get("name") != "stdout"
              for line in ANSI.sub("", output.get("text", json.dumps(output))).splitlines()
              if not THIS_MACHINES_PIP.search(ANSI.sub("", line))]
    lines = "".join(output["text"] for output in printed).splitlines()
    assert lines == [f"Installing the course package from {wheel}: this takes a minute.",
                     "Installed; continuing."], lines
    assert others == [], f"the install cell also showed: {others}"
    shown = dict(line.split(": ", 1) for line in run(python, "-m", "pip", "show", "course-utils").splitlines()
                 if ": " in line)
    location = Path(shown["Location"]).resolve()
    assert location.is_relative_to(VENV.resolve()), f"course-utils is installed in {location}, not in {VENV}"
    assert "Editable project location" not in shown or not shown["Editable project location"], shown
    after = installed(python)
    changed = {name: (before[name], after.get(name)) for name in before if after.get(name) != before[name]}
    assert changed == {}, f"the install cell changed packages the venv had: {changed}"
    added = {name: after[name] for name in sorted(set(after) - set(before))}
    assert "course-utils" in added, added
    return {"install_cell_s": cell_seconds(cell), "added": added, "location": str(location)}


def main() -> int:
    timings: dict = {}
    started = time.perf_counter()
    COLAB.mkdir(parents=True, exist_ok=True)
    with step("wheel", timings):
        wheel = build_wheel()
    with step("venv", timings):
        python = make_venv()
        before = installed(python)
    with step("notebook", timings):
        try:
            notebook = execute(python, wheel)
        except CellExecutionError as error:
            print(f"FAILED: notebook 01 stopped with an error in the fresh venv:\n{error}")
            return 1
    with step("checks", timings):
        found = check(notebook, wheel, python, before)
    timings.update(install_cell_s=found["install_cell_s"], total_s=round(time.perf_counter() - started, 1))
    (COLAB / "timings.json").write_text(json.dumps({**timings, "added": found["added"]}, indent=1) + "\n")
    print(f"The install cell took {found['install_cell_s']:.1f} s and added: "
          + ", ".join(f"{name} {number}" for name, number in found["added"].items()))
    print(f"course-utils is installed in {found['location']}")
    print("Seconds: " + ", ".join(f"{key.removesuffix('_s')} {value}" for key, value in timings.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
