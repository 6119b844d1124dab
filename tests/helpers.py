"""Helpers the test modules share, so that no test module imports another:

- the exercise tests': each takes one question (an ``Exercise``, such as ``ex.q1``) and checks what its
  ``check``, ``hint`` and ``solution`` print, as a student sees it in a notebook cell;
- the notebooks' code cells (``code_cells``);
- digits drawn for course_utils.digit_image and the widgets: photos of a digit (``drawing``), canvas ink
  (``canvas_ink``), what the digit upload makes of a photo (``upload_image``) and ``assert_like_mnist``.

A helper, not a test module: it defines no tests, and the test modules import it (``from tests.helpers import ...``).
"""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from course_utils.digit_image import open_photo, prepare_photo
from course_utils.exercises.core import Exercise


def feedback(exercise: Exercise, answer: Any, capsys) -> str:
    """What ``exercise.check(answer)`` prints; check itself must return None."""
    assert exercise.check(answer) is None
    return capsys.readouterr().out


def assert_correct(exercise: Exercise, answer: Any, capsys) -> None:
    """check(answer) must accept the answer."""
    out = feedback(exercise, answer, capsys)
    assert out.startswith("Correct: "), out


def assert_not_quite(exercise: Exercise, answer: Any, phrase: str, capsys) -> None:
    """check(answer) must reject the answer with feedback that contains ``phrase``."""
    out = feedback(exercise, answer, capsys)
    assert out.startswith("Not quite: ") and phrase in out, out


def assert_feedback(exercise: Exercise, capsys, right=(), wrong=()) -> None:
    """check accepts each answer of ``right``, and rejects each ``(answer, phrase)`` of ``wrong`` with feedback
    that contains ``phrase``."""
    for answer in right:
        assert_correct(exercise, answer, capsys)
    for answer, phrase in wrong:
        assert_not_quite(exercise, answer, phrase, capsys)


def assert_not_answered(exercise: Exercise, capsys) -> None:
    """The placeholder ``...`` is reported kindly, and the message says how to get a hint."""
    out = feedback(exercise, ..., capsys)
    assert out.startswith("Not answered yet: replace ... with your answer"), out
    assert f"ex.{exercise.name}.hint()" in out, out


def assert_refused_kindly(exercise: Exercise, answer: Any, capsys) -> str:
    """An answer of the wrong type is rejected, not raised, with a message that is the same on every run
    (no object ids); returns the message."""
    out = feedback(exercise, answer, capsys)
    assert out.startswith("Not quite: ") and "0x" not in out, out
    return out


def assert_hint_and_solution_print_text(exercise: Exercise, capsys) -> None:
    """hint() and solution() each print a message with some text in it, and return None."""
    assert exercise.hint() is None
    out = capsys.readouterr().out
    assert out.startswith("Hint: ") and len(out.strip()) > len("Hint: ") + 10, out
    assert exercise.solution() is None
    out = capsys.readouterr().out
    assert out.startswith("Solution:\n") and len(out.strip()) > len("Solution:") + 10, out


#: Answers of the wrong kind that every checker refuses, saying what kind of answer it wants.
WRONG_KINDS = (None, object(), "text", {"a": 1})


def assert_like_every_question(exercise: Exercise, capsys, answers=WRONG_KINDS) -> None:
    """The placeholder ``...``, hint() and solution() work as for every question, and each answer of ``answers``
    is refused kindly with a message that names what kind of answer is wanted (not "could not be checked")."""
    assert_not_answered(exercise, capsys)
    assert_hint_and_solution_print_text(exercise, capsys)
    for answer in answers:
        assert "could not be checked" not in assert_refused_kindly(exercise, answer, capsys)


def solve(exercise: Exercise, variable: str, capsys, **names) -> Any:
    """Run the code ``exercise.solution()`` prints with only ``names`` defined (what the notebook has at that
    point, such as ``np=np``); return the value it gives ``variable``."""
    exercise.solution()
    code = capsys.readouterr().out.removeprefix("Solution:\n")
    namespace = dict(names)
    exec(code, namespace)
    return namespace[variable]


# --- Notebooks -----------------------------------------------------------------------------------

def code_cells(path) -> list[str]:
    """The source of each code cell of the notebook at ``path``, in order."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]


# --- Digits --------------------------------------------------------------------------------------

def sheet(paper="white", ink="black", strokes=(((100, 40), (100, 260)),), size=(200, 300), mode="L",
          width=24) -> Image.Image:
    """A thick-stroked digit (a "1" by default) on a sheet of paper."""
    image = Image.new(mode, size, paper)
    pen = ImageDraw.Draw(image)
    for stroke in strokes:
        pen.line(stroke, fill=ink, width=width, joint="curve")
    return image


def encode(image: Image.Image, fmt: str = "PNG", **options) -> bytes:
    """``image`` saved as a file of format ``fmt``: the bytes an upload sends."""
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def drawing(paper="white", ink="black", strokes=(((100, 40), (100, 260)),), size=(200, 300), mode="L",
            fmt="PNG") -> bytes:
    """A photo of a digit, encoded as PNG or JPEG bytes."""
    return encode(sheet(paper, ink, strokes, size, mode), fmt)


def upload_image(data: bytes) -> np.ndarray:
    """What the digit upload widget makes of an uploaded file: ``open_photo``, then ``prepare_photo``."""
    return prepare_photo(open_photo(data))


CANVAS = 112  # the canvas widget's default size
CANVAS_ONE = (((56, 15), (56, 95)),)
CANVAS_SEVEN = (((30, 20), (85, 20), (50, 95)),)


def canvas_ink(strokes, width: int = 8) -> np.ndarray:
    """What the canvas sends: ink (0 none, 255 full) on a 112x112 grid."""
    return np.asarray(sheet(0, 255, strokes, size=(CANVAS, CANVAS), width=width))


def assert_like_mnist(image: np.ndarray) -> None:
    """28x28 float32 in [0, 1], light on black, the digit in a 20x20 box, centred by centre of mass."""
    assert image.shape == (28, 28) and image.dtype == np.float32
    assert image.min() >= 0 and 0.9 < image.max() <= 1
    rows, columns = np.nonzero(image > 0)
    height, width = rows.max() - rows.min() + 1, columns.max() - columns.min() + 1
    assert max(height, width) in (19, 20, 21) and height <= 21 and width <= 21  # a 20x20 box (+ resampling halo)
    assert image[[0, 0, -1, -1], [0, -1, 0, -1]].max() == 0  # black background, like MNIST
    centre_of_mass = np.array([(np.indices(image.shape)[axis] * image).sum() / image.sum() for axis in (0, 1)])
    assert np.abs(centre_of_mass - 13.5).max() <= 0.6
