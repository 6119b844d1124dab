"""The notebooks' prose speaks to the student: no dates, machines or the project's own words, short
markdown cells, short sentences (many readers learn English as a second language)."""

from __future__ import annotations

import json
import re

import pytest

from course_utils import PROJECT_ROOT

NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
#: Words that belong to the maintainers (docs/), not to a lesson.
BANNED = re.compile(r"\b(20\d\d-\d\d-\d\d|AMD|EPYC|Intel|bench of|quick budget|lanes?)\b", re.IGNORECASE)
MAX_WORDS_PER_CELL = 300
MAX_MEAN_SENTENCE_WORDS = 20


def markdown_cells(path) -> list[str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown"]


def prose(cell: str) -> str:
    """The running text of a markdown cell: without fenced blocks, tables, headings and inline code."""
    cell = re.sub(r"```.*?```", " ", cell, flags=re.DOTALL)
    lines = [line for line in cell.splitlines() if not line.lstrip().startswith(("|", "#"))]
    text = re.sub(r"`[^`]*`", "code", "\n".join(lines))
    text = re.sub(r"\$[^$]*\$", "formula", text)
    return re.sub(r"\]\([^)]*\)", "]", text)  # a link's address


def sentences(text: str) -> list[list[str]]:
    """The sentences of ``text`` (split at . ! and ? followed by a space or the end; a list item or a
    paragraph ends one too), each as its words."""
    text = re.sub(r"(\d)\.(\d)", r"\1_\2", text)  # 0.5 is one number, not the end of a sentence
    text = re.sub(r"\b(e\.g|i\.e|etc|vs)\.", r"\1", text)
    pieces = re.split(r"[.!?](?:\s|$)|\n\s*\n|\n\s*(?:[-*]|\d+\.)\s", text)
    return [words for piece in pieces if (words := re.findall(r"[\w'’%±-]+", piece))]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_no_markdown_cell_uses_the_maintainers_words(path):
    found = [(index, match.group(0)) for index, cell in enumerate(markdown_cells(path))
             for match in BANNED.finditer(cell)]
    assert found == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_markdown_cells_are_short(path):
    long = [(index, len(prose(cell).split())) for index, cell in enumerate(markdown_cells(path))
            if len(prose(cell).split()) > MAX_WORDS_PER_CELL]
    assert long == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_sentences_are_short_on_average(path):
    lengths = [len(words) for cell in markdown_cells(path) for words in sentences(prose(cell))]
    assert sum(lengths) / len(lengths) <= MAX_MEAN_SENTENCE_WORDS


def test_the_sentence_counter_counts_what_a_reader_counts():
    assert [len(words) for words in sentences("It has 0.5 of it. Is it? Yes!\n\n- one item\n- two items")] == [
        5, 2, 1, 2, 2]
    assert prose("## Head\nText `code here` and [a link](http://x.y/z).\n| a | b |\n```\nx = 1\n```") == (
        "Text code and [a link].\n ")
