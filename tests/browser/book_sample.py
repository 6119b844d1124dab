"""A small bilingual course repository for ``check_book.py``: what the website must handle, in a few cells.

``make_sample(folder)`` writes a repository with what the real course does not have yet (or not
everywhere): a Chinese edition (``notebooks/zh/``, ``README.zh.md``), a glossary (``glossary.toml``),
a ``solution()`` cell, a cell tagged ``remove-cell``, a widget saved with its text fallback
``VBox(...)`` and its state, a figure, and links to a notebook, to a file of the repository and to a
picture of it. Notebook 02 has no translation, so its language switch
goes to the Chinese home page. The markers below must (or must not) appear in the built pages.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

REPOSITORY = "https://github.com/example-org/sample-course"
SCAFFOLD = "scaffold_marker_7f3a"  # in a remove-cell cell's source and output: never in a page
SOLUTION = "solution_marker_42"  # in a solution's output: in the page, folded
WIDGET_FALLBACK = "VBox(children=(IntSlider(value=3, description='digit'),))"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
SEARCH = {"en": "convolution", "zh": "卷积"}
#: Links from the English notebook 01's text: to a file of the repository, to notebook 02, and a picture.
NOTES = "docs/notes.md"
LINKS = (f"See [the notes](../{NOTES}), [the next lesson](02_second_lesson.ipynb) and "
         "![a blue square](../docs/square.png).")


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 90, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


def png() -> str:
    return base64.b64encode(png_bytes()).decode()


def notebook(title: str, text: str, exercises: str, solution_text: str):
    cells = [
        new_markdown_cell(f"# {title}\n\n{text}"),
        new_code_cell(f"{SCAFFOLD} = 1\nprint({SCAFFOLD!r})", metadata={"tags": ["remove-cell"]},
                      outputs=[new_output("stream", name="stdout", text=f"{SCAFFOLD}\n")], execution_count=1),
        new_markdown_cell("## Shapes"),
        new_code_cell("show_figure()", execution_count=2, outputs=[
            new_output("display_data", data={"image/png": png(), "text/plain": "<Figure size 40x30 with 1 Axes>"})]),
        new_code_cell("digit_explorer()", execution_count=3, outputs=[
            new_output("display_data", data={"text/plain": WIDGET_FALLBACK,
                                             WIDGET_MIME: {"model_id": "0123abcd", "version_major": 2,
                                                           "version_minor": 0}})]),
        new_markdown_cell(f"## {exercises}"),
        new_code_cell("ex.q1.solution()", execution_count=4,
                      outputs=[new_output("stream", name="stdout", text=f"{solution_text}\nanswer = '{SOLUTION}'\n")]),
    ]
    book = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                              "language": "python"}})
    book.metadata["widgets"] = {WIDGET_STATE: {"state": {}, "version_major": 2, "version_minor": 0}}
    return book


def make_sample(folder: Path) -> Path:
    """Write the sample repository into ``folder``; returns it."""
    (folder / "notebooks" / "zh").mkdir(parents=True)
    (folder / "docs").mkdir()
    (folder / NOTES).write_text("# Notes\n", encoding="utf-8")
    (folder / "docs" / "square.png").write_bytes(png_bytes())
    (folder / "pyproject.toml").write_text(f'[project]\nname = "sample"\nversion = "0"\n\n'
                                           f'[project.urls]\nRepository = "{REPOSITORY}"\n', encoding="utf-8")
    (folder / "README.md").write_text("# A sample course\n\nA course about the convolution of images.\n\n"
                                      "## Take the course\n\nNot this text.\n", encoding="utf-8")
    (folder / "README.zh.md").write_text("# 示例课程\n\n一门关于图像卷积的课程。\n\n## 参加课程\n\n不是这段。\n",
                                         encoding="utf-8")
    (folder / "glossary.toml").write_text(
        '[[term]]\nen = "convolution"\nzh = "卷积"\n'
        'en_definition = "Sliding a small grid of weights over an image."\n'
        'zh_definition = "在图像上滑动一小格权重。"\n\n'
        '[[term]]\nen = "epoch"\nzh = "轮次"\nen_definition = "One pass over the training images."\n',
        encoding="utf-8")
    nbformat.write(notebook("01 · Sample lesson", f"A convolution slides a kernel over an image. {LINKS}", "Exercises",
                            "Solution:"), folder / "notebooks" / "01_sample_lesson.ipynb")
    nbformat.write(notebook("02 · Second lesson", "Pooling halves the image.", "Exercises", "Solution:"),
                   folder / "notebooks" / "02_second_lesson.ipynb")
    nbformat.write(notebook("01 · 示例课", "卷积在图像上滑动一个卷积核。", "练习", "答案："),
                   folder / "notebooks" / "zh" / "01_sample_lesson.ipynb")
    return folder
