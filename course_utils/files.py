"""Writing files whole: ``atomic_write`` is the one place the course writes to a temporary file and
renames it into place, so an interrupted write never leaves half a file under the real name."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


@contextlib.contextmanager
def atomic_write(path: Path | str, mode: str = "w", *, encoding: str | None = "utf-8"):
    """Open a temporary file beside ``path`` and yield it; on success rename it to ``path``.

    On any error (a full disk, a value that cannot be written, Ctrl-C) the temporary file is removed
    and ``path`` is left as it was. ``mode`` is ``"w"`` for text or ``"wb"`` for bytes.
    """
    path = Path(path)
    encoding = None if "b" in mode else encoding
    handle, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    try:
        with os.fdopen(handle, mode, encoding=encoding) as file:
            yield file
        os.chmod(partial, 0o644)
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_path(path: Path | str):
    """Yield a temporary path beside ``path`` for a library that writes by name (``model.save``);
    on success rename it to ``path``; on error remove it. The temporary name keeps ``path``'s suffix."""
    path = Path(path)
    scratch = Path(tempfile.mkdtemp(dir=path.parent, prefix=".partial-"))
    try:
        yield scratch / path.name
        os.replace(scratch / path.name, path)
    finally:
        for leftover in scratch.iterdir():
            leftover.unlink()
        scratch.rmdir()
