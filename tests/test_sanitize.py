"""tests/sanitize.cfg masks only trained figures (course_utils.figures' marks, Keras' progress lines)
and times: every other number in the notebooks' outputs, the lessons' worked numbers first, is
compared exactly by nbval."""

from __future__ import annotations

import json
import re

import pytest
from nbval.plugin import get_sanitize_patterns

from course_utils import PROJECT_ROOT
from course_utils.figures import PATTERN, marked, masked, trained, unmarked

PATTERNS = get_sanitize_patterns((PROJECT_ROOT / "tests" / "sanitize.cfg").read_text(encoding="utf-8"))


def sanitized(text: str) -> str:
    """What nbval compares: ``text`` after every pattern of sanitize.cfg, in order (as nbval applies them)."""
    for regex, replace in PATTERNS:
        text = re.sub(regex, replace, text)
    return text


def stored_output(notebook: str, containing: str) -> str:
    """The committed text output of ``notebook`` that contains ``containing``."""
    cells = json.loads((PROJECT_ROOT / "notebooks" / f"{notebook}.ipynb").read_text(encoding="utf-8"))["cells"]
    texts = ["".join(output.get("text", "")) for cell in cells if cell["cell_type"] == "code"
             for output in cell["outputs"]]
    (text,) = [text for text in texts if containing in text]
    return text


@pytest.mark.parametrize("notebook, containing", [
    ("03_building_the_convnet", "[0.659 0.242 0.099]"),  # the softmax of scores (2.0, 1.0, 0.1)
    ("03_building_the_convnet", "patch x kernel, summed:"),
    ("03_building_the_convnet", "-> loss 2.303"),  # the -log p table
    ("04_training", "rmsprop step 0.001000"),  # the rmsprop table
    ("02_reshaping_and_encoding", "0.318 0.941 0.992"),  # pixel values scaled to [0, 1]
    ("09_optimizers", "adam     default learning rate 0.001"),
])
def test_the_worked_numbers_of_the_lessons_are_compared_exactly(notebook, containing):
    text = stored_output(notebook, containing)
    assert sanitized(text) == text


def test_the_model_summary_is_compared_exactly():
    cells = json.loads((PROJECT_ROOT / "notebooks" / "03_building_the_convnet.ipynb").read_text(encoding="utf-8"))
    summaries = [output["data"]["text/plain"] if "data" in output else "".join(output.get("text", ""))
                 for cell in cells["cells"] if cell["cell_type"] == "code" for output in cell["outputs"]]
    summary = "".join(text if isinstance(text, str) else "".join(text) for text in summaries if "1004.54 KB" in
                      (text if isinstance(text, str) else "".join(text)))
    assert "1004.54 KB" in summary and sanitized(summary) == summary


def test_a_marked_figure_is_masked_and_the_text_around_it_is_kept():
    line = f"seed 1: validation accuracy {trained(0.91234, '.2%')}, test accuracy {trained(0.9, '.2%')}\n"
    assert unmarked(line) == "seed 1: validation accuracy 91.23%, test accuracy 90.00%\n"
    assert sanitized(line) == "seed 1: validation accuracy FIGURE, test accuracy FIGURE\n" == masked(line)
    assert sanitized(f"{trained(9.87, '>8.1f')} s") == sanitized(f"{trained(120.31, '>8.1f')} s")  # padding too


def test_keras_progress_lines_lose_their_times_and_metrics_only():
    line = "275/275 - 35s - 129ms/step - accuracy: 0.9154 - loss: 0.2720 - val_accuracy: 0.9798 - val_loss: 7.3e-02\n"
    assert sanitized(line) == ("275/275 - TIME - accuracy: FIGURE - loss: FIGURE - val_accuracy: FIGURE - "
                               "val_loss: FIGURE\n")
    assert sanitized("Epoch 3/10\n") == "Epoch 3/10\n"


def test_unmarked_numbers_are_never_masked_and_no_pattern_crosses_a_line():
    text = "learning rate 0.002\nbalance 0.35 0.41\n3 seeds x 2 epochs\ntook 12 s\n"
    assert sanitized(text) == text
    broken = marked("99.1%")[:-2] + "\n" + marked("0.5")  # a mark left open is not closed on the next line
    assert sanitized(broken).count("FIGURE") == 1


def test_the_formatter_and_the_file_agree():
    sample = f"a {trained(1.5, '.2f')} b {marked('3 of 4')} c\n{trained(2, 'd')}\n"
    assert [m.span() for m in re.finditer(PATTERNS[0][0], sample)] == [m.span() for m in PATTERN.finditer(sample)]
    assert len(PATTERN.findall(sample)) == 3
    with pytest.raises(ValueError, match="plain text"):
        marked(trained(1.0))
