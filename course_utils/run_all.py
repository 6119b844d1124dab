"""``make run``: execute every notebook in order into build/notebooks, leaving the sources untouched.

Prints one line per notebook (name, seconds, ok or failed), then the final test accuracy of the
article's recipe, computed the way notebook 06 computes it.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from course_utils import PROJECT_ROOT, setup_course

NOTEBOOKS = PROJECT_ROOT / "notebooks"
OUTPUT = PROJECT_ROOT / "build" / "notebooks"


def execute(source: Path, target: Path) -> bool:
    """Run one notebook top to bottom in a fresh kernel; write the executed copy to ``target``."""
    notebook = nbformat.read(source, as_version=4)
    client = NotebookClient(notebook, timeout=None, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}})
    try:
        client.execute()
        ok = True
    except CellExecutionError:
        ok = False
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=target.parent, suffix=".partial", delete=False, encoding="utf-8") as partial:
        nbformat.write(notebook, partial)
    os.chmod(partial.name, 0o644)
    os.replace(partial.name, target)
    return ok


def final_test_accuracy() -> str:
    """The article model's test accuracy and loss, as notebook 06 reports them."""
    setup_course()
    from course_utils.cache import load_or_score
    from course_utils.training import ARTICLE

    _, scores = load_or_score(ARTICLE)
    return f"{scores['accuracy']:.2%} (loss {scores['loss']:.4f}), article recipe, as in 06_evaluating"


def main() -> int:
    sources = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    print(f"Executing {len(sources)} notebooks into {OUTPUT.relative_to(PROJECT_ROOT)}/ "
          f"(COURSE_SCALE={os.environ.get('COURSE_SCALE', 'quick')})", flush=True)
    failed = []
    for source in sources:
        start = time.perf_counter()
        ok = execute(source, OUTPUT / source.name)
        print(f"{source.stem:<32}{time.perf_counter() - start:>8.1f} s  {'ok' if ok else 'FAILED'}", flush=True)
        if not ok:
            failed.append(source.name)
    print(f"Final test accuracy: {final_test_accuracy()}")
    if failed:
        print(f"Failed: {', '.join(failed)}; open the copies in build/notebooks to see the error.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
