"""One course in two languages: the Chinese notebooks (``notebooks/zh/NN_x.ipynb``) kept in step with the
English ones (``notebooks/NN_x.ipynb``), cell by cell.

**Code is shared.** A code cell of a Chinese notebook is its English cell: the same statements, so one set of
checks and one model cache serve both editions. What may differ is the text of string constants (printed
sentences; figure text stays English, see ``course_utils.i18n``), comments, and the language chosen in the
setup cell (``setup_course("zh")``). ``code_signature`` is what must be equal: the cell's Python AST with
every string constant blanked (comments are not in the AST; IPython ``%`` and ``!`` lines are kept as text).

**Text is translated, and each translation says what it translates.** A Chinese markdown cell records the
SHA-256 of the English cell's source it translates (trailing spaces ignored) in its metadata, like d2lbook's
``_origin`` files::

    "metadata": {"translation": {"source_sha256": "<sha256 of the English cell>"}}

When the English cell changes, the hash no longer matches and ``compare`` reports the cell; a new English
cell whose Chinese cell is a "translate me" placeholder (``TODO_MARKER``, no hash) is reported too. A
Chinese-only cell (a section only the Chinese edition has, such as the reading of the article's Chinese
text) is marked ``"translation": {"only": "zh"}`` and is left out of the comparison; only text cells may be.

The command line (``make status-zh``, ``make sync-zh``)::

    python -m course_utils.translation status            # what is out of date; exit status 1 if anything is
    python -m course_utils.translation sync [NN ...]     # bring notebooks/zh/ up to the English notebooks
    python -m course_utils.translation sync --create 05  # start the Chinese edition of notebook 05
    python -m course_utils.translation mark 05 [CELL ...]  # record that cells translate the English as it is now

``sync`` copies each English code cell whose code changed into the Chinese notebook, its outputs cleared so
the notebook is run again; where the rest of a changed cell is the same it keeps the Chinese cell's strings
and comments line by line, else it copies the English cell whole and says so. For each new English text cell
it inserts a placeholder (the English text under ``TODO_MARKER``, no hash); a Chinese text cell whose English
cell is gone is removed. It never rewrites a translation: a stale one is reported, for a translator.

How a contributor updates a translation: run ``make status-zh``; edit the Chinese cell it names; then
``python -m course_utils.translation mark NN CELL`` records the English text it now translates (``mark NN``
alone marks every placeholder whose marker you removed). Cells are numbered from 0 in the English notebook,
as nbformat and nbval count them.
"""

from __future__ import annotations

import argparse
import ast
import copy
import difflib
import hashlib
import io
import re
import sys
import tokenize
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat.warnings import MissingIDFieldWarning

from course_utils import PROJECT_ROOT
from course_utils.files import atomic_write

ENGLISH_DIR = PROJECT_ROOT / "notebooks"
CHINESE_DIR = ENGLISH_DIR / "zh"
#: The English notebooks that have a Chinese edition.
NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"
METADATA_KEY = "translation"
HASH_KEY = "source_sha256"
#: The first line of a placeholder for a new English text cell (the English text follows it).
TODO_MARKER = "**[待翻译 · translate me]**"
LANGUAGE = "zh"
#: Chinese characters (and CJK punctuation): a code cell holding none carries no translation.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
#: Cell metadata that belongs to a run (nbclient's timings), not to the cell.
RUN_METADATA = ("execution", "collapsed", "scrolled")


# --- What must be equal ----------------------------------------------------------------------------

def source_of(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def text_sha256(text: str) -> str:
    """The SHA-256 of a text cell's source, trailing spaces and blank first and last lines ignored."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return hashlib.sha256("\n".join(lines).strip("\n").encode("utf-8")).hexdigest()


_MAGIC = re.compile(r"^(?P<indent>[ \t]*)(?P<target>(?:[\w.]+\s*,\s*)*[\w.]+\s*=\s*)?(?P<magic>[%!].*)$")


def _magic_name(text: str) -> str:
    return f"__course_magic_{hashlib.sha256(text.strip().encode('utf-8')).hexdigest()[:12]}__"


def mask_magics(source: str) -> str:
    """``source`` with each IPython line magic or shell line (``%timeit x``, ``!ls``, ``files = !ls``) replaced
    by a name made of its text, so the rest parses as Python and the magic still counts, as text. A cell magic
    (``%%time`` on the first line) is masked the same way."""
    lines = source.split("\n")
    for index, line in enumerate(lines):
        match = _MAGIC.match(line)
        if match and not line.lstrip().startswith(("%=", "!=")):
            lines[index] = f"{match['indent']}{match['target'] or ''}{_magic_name(match['magic'])}"
    return "\n".join(lines)


def _is_setup_course(node: ast.AST) -> bool:
    function = node.func if isinstance(node, ast.Call) else None
    name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", None)
    return name == "setup_course"


class _Blank(ast.NodeTransformer):
    """Blank every string constant, keeping its text in ``strings`` in a fixed order; an f-string keeps its
    expressions (in any order: a translation may reorder them) and their format specs, and its literal text
    counts as one string; the language of ``setup_course`` is dropped."""

    def __init__(self):
        self.strings: list[str] = []

    def visit_Constant(self, node):
        if isinstance(node.value, (str, bytes)):
            self.strings.append(node.value if isinstance(node.value, str) else node.value.decode("latin-1"))
            return ast.copy_location(ast.Constant(value=type(node.value)()), node)
        return node

    def visit_JoinedStr(self, node):
        self.strings.append("".join(value.value for value in node.values if isinstance(value, ast.Constant)))
        fields = []
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                inner = _Blank()
                value.value = inner.visit(value.value)  # the format spec (".2%") is kept: how a number prints
                fields.append((ast.dump(value), value, inner.strings))
        fields.sort(key=lambda item: item[0])
        for _dump, _value, strings in fields:
            self.strings += strings
        return ast.copy_location(ast.JoinedStr(values=[value for _dump, value, _strings in fields]), node)

    def visit_Call(self, node):
        if _is_setup_course(node):
            node.keywords = [keyword for keyword in node.keywords if keyword.arg != "language"]
            if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                node.args = node.args[1:]
        self.generic_visit(node)
        return node


def _blanked(source: str) -> tuple[str, list[str]]:
    try:
        tree = ast.parse(mask_magics(source))
    except SyntaxError:
        return "text:" + "\n".join(line.rstrip() for line in source.strip().splitlines()), []
    blank = _Blank()
    return ast.dump(blank.visit(tree), annotate_fields=False, include_attributes=False), blank.strings


def code_signature(source: str) -> str:
    """What a code cell's code is, whatever its language: the AST with string constants blanked.

    Comments and the text of strings do not count (a Chinese figure label or ``print`` is the same code);
    statements, names, numbers, the order of arguments and the format specs of f-strings do. IPython magics
    count as their text. A cell that is not Python even so counts as its text, comments and all."""
    return _blanked(source)[0]


def string_differences(english: str, chinese: str) -> list[tuple[str, str]]:
    """The string constants of two cells of one code signature that differ although the Chinese one holds no
    Chinese: ``("relu", "sigmoid")`` is code that changed, ``("Loss", "损失")`` a translation."""
    (_, ours), (_, theirs) = _blanked(english), _blanked(chinese)
    return [(a, b) for a, b in zip(ours, theirs, strict=False) if a != b and not has_chinese(b)]


def code_difference(english: str, chinese: str) -> str | None:
    """Why two code cells are not the same code (None when they are): their signatures differ, or a string
    differs that is no translation (a key, a file name, ``activation="relu"``: translated text holds Chinese)."""
    if code_signature(english) != code_signature(chinese):
        return "code differs"
    differences = string_differences(english, chinese)
    if differences:
        ours, theirs = differences[0]
        return f"a string differs and is not Chinese text: {ours!r} in English, {theirs!r} in Chinese"
    return None


def has_chinese(text: str) -> bool:
    return bool(CJK.search(text))


# --- Comparing the two editions -------------------------------------------------------------------

#: The kinds of problem: code that differs (or cells that do not line up, or a missing notebook), and text.
CODE, TEXT = "code", "text"


@dataclass(frozen=True)
class Problem:
    """One thing out of step, named by notebook and cell (the English cell's index, from 0). ``kind`` is
    ``CODE`` (the code-identity test: code, tags, the cells' order, a missing notebook) or ``TEXT`` (the drift
    test: a text cell not translated, or translated from an older English text)."""

    notebook: str
    cell: int | None
    message: str
    detail: str = ""
    kind: str = CODE

    def __str__(self) -> str:
        if self.cell is None:
            head = f"notebook {self.notebook}: {self.message}"
        elif self.message.startswith("cell counts differ"):
            head = f"notebook {self.notebook}, {self.message} {self.cell}"
        else:
            head = f"notebook {self.notebook}, cell {self.cell}: {self.message}"
        return head + (f"\n    {self.detail}" if self.detail else "")


def translation_of(cell) -> dict:
    value = cell.get("metadata", {}).get(METADATA_KEY, {})
    return value if isinstance(value, dict) else {}


def is_chinese_only(cell) -> bool:
    return translation_of(cell).get("only") == LANGUAGE


def _first_line(cell, width: int = 60) -> str:
    line = next((line.strip() for line in source_of(cell).splitlines() if line.strip()), "")
    return repr(line if len(line) <= width else line[: width - 1] + "…")


def _tags(cell) -> list:
    return sorted(cell.get("metadata", {}).get("tags", []))


def _code_detail(english: str, chinese: str) -> str:
    """The first lines where two code cells differ, as a short unified diff (English first)."""
    diff = difflib.unified_diff(english.splitlines(), chinese.splitlines(), "English", "Chinese", lineterm="", n=0)
    lines = [line for line in diff if not line.startswith(("---", "+++", "@@"))][:6]
    return "\n    ".join(lines)


def _key_en(cell) -> tuple:
    if cell["cell_type"] == "code":
        return ("code", code_signature(source_of(cell)))
    return (cell["cell_type"], text_sha256(source_of(cell)))


def _key_zh(cell, index: int) -> tuple:
    if cell["cell_type"] == "code":
        return ("code", code_signature(source_of(cell)))
    return (cell["cell_type"], translation_of(cell).get(HASH_KEY) or f"untranslated {index}")


def align(english_cells: list, chinese_cells: list) -> list[tuple[int | None, int | None]]:
    """Pair the English cells with the Chinese ones (Chinese-only cells left out), in order: ``(i, j)``, or
    ``(i, None)`` for a new English cell, ``(None, j)`` for a Chinese cell whose English cell is gone.

    Unchanged code, and text whose recorded hash is the English cell's, anchor the pairs; between anchors,
    cells of the same kind pair up in order (a changed code cell, a translation of an older text)."""
    english_keys = [_key_en(cell) for cell in english_cells]
    chinese_keys = [_key_zh(cell, index) for index, cell in enumerate(chinese_cells)]
    pairs: list[tuple[int | None, int | None]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, english_keys, chinese_keys, autojunk=False).get_opcodes():
        if tag == "equal":
            pairs += [(i1 + offset, j1 + offset) for offset in range(i2 - i1)]
            continue
        kinds = difflib.SequenceMatcher(None, [key[0] for key in english_keys[i1:i2]],
                                        [key[0] for key in chinese_keys[j1:j2]], autojunk=False)
        for kind, a1, a2, b1, b2 in kinds.get_opcodes():
            if kind == "equal":
                pairs += [(i1 + a1 + offset, j1 + b1 + offset) for offset in range(a2 - a1)]
            else:
                pairs += [(i1 + index, None) for index in range(a1, a2)]
                pairs += [(None, j1 + index) for index in range(b1, b2)]
    return pairs


def _lined_up(cells: list) -> list[tuple[int, object]]:
    """The Chinese cells that line up with English ones: ``(index in the notebook, cell)``."""
    return [(index, cell) for index, cell in enumerate(cells) if not is_chinese_only(cell)]


def compare_cells(name: str, english_cells: list, chinese_cells: list) -> list[Problem]:
    """What is out of step between the cells of the English and the Chinese edition of notebook ``name``:
    cells that do not line up (named once, at the first English cell where they stop), code that differs,
    text not translated or translated from an older English text. Chinese-only text cells are left out."""
    problems = []
    for index, cell in enumerate(chinese_cells):
        if is_chinese_only(cell) and cell["cell_type"] == "code":
            problems.append(Problem(name, None, f"Chinese cell {index} is marked Chinese-only but is code: only "
                                                "text cells may be Chinese-only (code is shared)"))
    chinese = _lined_up(chinese_cells)
    pairs = align(english_cells, [cell for _, cell in chinese])
    counted = len(english_cells) != len(chinese)
    lined_up, next_english = True, 0
    for english_index, chinese_position in pairs:
        if english_index is None or chinese_position is None:
            if lined_up:
                lined_up = False
                position = english_index if english_index is not None else next_english
                if english_index is not None:
                    cell = english_cells[english_index]
                    what = f"English cell {english_index} ({cell['cell_type']} {_first_line(cell)}) has no Chinese cell"
                else:
                    index, cell = chinese[chinese_position]
                    what = f"Chinese cell {index} ({cell['cell_type']} {_first_line(cell)}) has no English cell"
                detail = (f"{what}; the English notebook has {len(english_cells)} cells, the Chinese {len(chinese)} "
                          "(not counting Chinese-only cells, marked \"translation\": {\"only\": \"zh\"}): make "
                          "sync-zh lines them up")
                message = "cell counts differ at cell" if counted else "cells do not line up"
                problems.append(Problem(name, position, message, detail))
            if english_index is not None:
                next_english = english_index + 1
            continue
        next_english = english_index + 1
        english = english_cells[english_index]
        index, translated = chinese[chinese_position]
        where = "" if index == english_index else f" (Chinese cell {index})"
        if english["cell_type"] == "code":
            difference = code_difference(source_of(english), source_of(translated))
            if difference is not None:
                problems.append(Problem(name, english_index, "code differs" + where,
                                        _code_detail(source_of(english), source_of(translated))
                                        if difference == "code differs" else difference))
            elif _tags(english) != _tags(translated):
                problems.append(Problem(name, english_index, "tags differ" + where,
                                        f"English {_tags(english)}, Chinese {_tags(translated)}"))
            continue
        recorded = translation_of(translated).get(HASH_KEY)
        if not recorded:
            todo = " (a 'translate me' placeholder)" if TODO_MARKER in source_of(translated) else ""
            problems.append(Problem(name, english_index, "the English cell has no translation" + todo + where,
                                    f"English: {_first_line(english)}", TEXT))
        elif recorded != text_sha256(source_of(english)):
            problems.append(Problem(name, english_index, "the English text changed since it was translated" + where,
                                    f"English now: {_first_line(english)}; update the Chinese, then: python -m "
                                    f"course_utils.translation mark {name[:2]} {english_index}", TEXT))
    return problems


def read(path: Path):
    with warnings.catch_warnings():  # a cell without an id (an older editor): nbformat gives it one in memory
        warnings.simplefilter("ignore", MissingIDFieldWarning)
        return nbformat.read(path, as_version=4)


def compare(english_path: Path, chinese_path: Path) -> list[Problem]:
    """``compare_cells`` on two notebook files; a missing Chinese notebook is one problem."""
    name = Path(english_path).stem
    if not Path(chinese_path).exists():
        return [Problem(name, None, f"there is no Chinese edition ({_shown(chinese_path)}); start one with: "
                                    f"python -m course_utils.translation sync --create {name[:2]}")]
    return compare_cells(name, read(english_path).cells, read(chinese_path).cells)


def english_notebooks(english_dir: Path = ENGLISH_DIR) -> list[Path]:
    return sorted(Path(english_dir).glob(NOTEBOOK_GLOB))


def chinese_path(english_path: Path, chinese_dir: Path | None = None) -> Path:
    return Path(chinese_dir if chinese_dir is not None else Path(english_path).parent / "zh") / Path(english_path).name


def _shown(path) -> Path:
    path = Path(path).resolve()
    return path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path


# --- Bringing a Chinese notebook up to date --------------------------------------------------------

@dataclass(frozen=True)
class _Chunk:
    """One logical line of a cell (or a blank or comment-only line): ``key`` is its tokens with strings blanked
    and comments left out (``("#",)`` for a comment-only line, ``()`` for a blank one), ``strings`` its string
    tokens as written, ``text`` the line(s) themselves."""

    key: tuple
    text: str
    strings: tuple[str, ...] = ()


def _chunks(source: str) -> list[_Chunk] | None:
    """The logical lines of ``source``; None when it does not tokenize."""
    physical = source.splitlines(keepends=True)
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(mask_magics(source)).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return None
    chunks, key, strings, start, has_comment = [], [], [], 1, False

    def close(end: int) -> None:
        text = "".join(physical[start - 1:end])
        indent = len(text) - len(text.lstrip(" \t"))
        chunks.append(_Chunk((indent, *key) if key else (("#",) if has_comment else ()), text, tuple(strings)))

    for token in tokens:
        if token.type in (tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING, tokenize.ENDMARKER):
            continue
        if token.type in (tokenize.NEWLINE, tokenize.NL):
            close(token.end[0])
            key, strings, start, has_comment = [], [], token.end[0] + 1, False
        elif token.type == tokenize.COMMENT:
            has_comment = True
        elif token.type == tokenize.STRING or token.type == getattr(tokenize, "FSTRING_MIDDLE", -1):
            key.append((tokenize.STRING, ""))
            strings.append(token.string)
        else:
            key.append((token.type, token.string))
    if start <= len(physical):  # a last line without a newline token
        close(len(physical))
    if "".join(chunk.text for chunk in chunks) != source:
        return None
    return chunks


def _keeps_translation(english: _Chunk, chinese: _Chunk) -> bool:
    """Whether the Chinese line is the English line with some strings translated (and its comment)."""
    return all(ours == theirs or has_chinese(theirs) for ours, theirs in zip(english.strings, chinese.strings,
                                                                              strict=True))


def merge_code(english: str, chinese: str) -> str | None:
    """The English code with the Chinese cell's strings and comments kept where its lines are otherwise the
    same; None when that does not give exactly the English code (then the English cell is copied whole)."""
    english_chunks, chinese_chunks = _chunks(english), _chunks(chinese)
    if english_chunks is None or chinese_chunks is None:
        return None
    matcher = difflib.SequenceMatcher(None, [chunk.key for chunk in english_chunks],
                                      [chunk.key for chunk in chinese_chunks], autojunk=False)
    merged = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        ours, theirs = english_chunks[i1:i2], chinese_chunks[j1:j2]
        comments = all(chunk.key in (("#",), ()) for chunk in ours + theirs)
        if tag == "equal":
            merged += [(b if _keeps_translation(a, b) else a).text for a, b in zip(ours, theirs, strict=True)]
        elif tag == "replace" and comments:
            merged += [chunk.text for chunk in theirs]
        elif tag == "insert":  # lines only the Chinese cell has: a translator's extra comment line stays
            merged += [chunk.text for chunk in theirs if chunk.key == ("#",)]
        else:
            merged += [chunk.text for chunk in ours]
    result = "".join(text if text.endswith("\n") else text + "\n" for text in merged[:-1]) + "".join(merged[-1:])
    if not result.endswith("\n") and english.endswith("\n"):
        result += "\n"
    if result.endswith("\n") and not english.endswith("\n"):
        result = result[:-1]
    return result if code_difference(english, result) is None else None


def choose_language(source: str, language: str = LANGUAGE) -> str:
    """``source`` with ``setup_course(...)`` calls that name no language given ``language`` first."""
    try:
        tree = ast.parse(mask_magics(source))
    except SyntaxError:
        return source
    lines = source.split("\n")
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call) and _is_setup_course(node)
             and not any(keyword.arg == "language" for keyword in node.keywords)
             and not (node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str))]
    for call in sorted(calls, key=lambda node: (node.func.end_lineno, node.func.end_col_offset), reverse=True):
        row, column = call.func.end_lineno - 1, call.func.end_col_offset
        line = lines[row]
        opening = line.find("(", column)
        if opening < 0:
            continue
        empty = not call.args and not call.keywords
        lines[row] = line[:opening + 1] + repr(language).replace("'", '"') + ("" if empty else ", ") + \
            line[opening + 1:]
    return "\n".join(lines)


@dataclass
class SyncReport:
    """What ``sync`` did to one notebook, in lines a contributor reads."""

    notebook: str
    actions: list[str] = field(default_factory=list)

    def add(self, cell: int | None, text: str) -> None:
        self.actions.append(f"notebook {self.notebook}" + (f", cell {cell}" if cell is not None else "") + f": {text}")


def _run_free(metadata) -> dict:
    return {key: value for key, value in copy.deepcopy(dict(metadata)).items()
            if key not in RUN_METADATA and key != METADATA_KEY}


def _code_cell(english, source: str, chinese=None):
    """A Chinese code cell with ``source``: the English cell's metadata, the Chinese cell's id, no outputs."""
    cell = nbformat.v4.new_code_cell(source, metadata=_run_free(english.metadata))
    if chinese is not None and translation_of(chinese):
        cell.metadata[METADATA_KEY] = copy.deepcopy(translation_of(chinese))
    cell.id = chinese.get("id") if chinese is not None and chinese.get("id") else english.get("id", cell.id)
    return cell


def placeholder(english):
    """A 'translate me' text cell for a new English text cell: the marker, then the English text; no hash."""
    text = source_of(english)
    make = nbformat.v4.new_markdown_cell if english["cell_type"] == "markdown" else nbformat.v4.new_raw_cell
    cell = make(f"{TODO_MARKER}\n\n{text}" if english["cell_type"] == "markdown" else text,
                metadata=_run_free(english.metadata))
    cell.metadata[METADATA_KEY] = {"todo": True}
    if "attachments" in english:
        cell["attachments"] = copy.deepcopy(english["attachments"])
    if english.get("id"):
        cell.id = english["id"]
    return cell


def _update_code(position: int, english, chinese, report: SyncReport):
    """The Chinese code cell for ``english``, from the Chinese one it pairs with (None: a new English cell)."""
    english_source = source_of(english)
    if chinese is None:
        report.add(position, "new code cell copied from English")
        return _code_cell(english, choose_language(english_source))
    chinese_source = source_of(chinese)
    if code_difference(english_source, chinese_source) is None:
        if not has_chinese(chinese_source) and chinese_source != choose_language(english_source):
            report.add(position, "strings or comments changed in English; this cell holds no Chinese: copied")
            return _code_cell(english, choose_language(english_source), chinese)
        if _tags(english) != _tags(chinese):
            chinese.metadata["tags"] = list(english.metadata.get("tags", []))
            if not chinese.metadata["tags"]:
                del chinese.metadata["tags"]
            report.add(position, "tags copied from English")
        return chinese
    merged = merge_code(english_source, chinese_source) if has_chinese(chinese_source) else None
    if merged is not None and merged != english_source:
        report.add(position, "code updated from English, the Chinese strings and comments kept; outputs cleared")
        return _code_cell(english, choose_language(merged), chinese)
    lost = " (its Chinese strings and comments are lost: translate them again)" if has_chinese(chinese_source) else ""
    report.add(position, f"code copied from English{lost}; outputs cleared")
    return _code_cell(english, choose_language(english_source), chinese)


def sync_cells(name: str, english_cells: list, chinese_cells: list) -> tuple[list, SyncReport]:
    """The Chinese notebook's cells brought up to the English ones (lined up by ``align``), and what was done.
    Chinese-only cells stay before the cell they preceded."""
    report = SyncReport(name)
    aligned, before, pending = [], [], []  # the Chinese cells that line up; the Chinese-only cells before each
    for cell in chinese_cells:
        if is_chinese_only(cell) and cell["cell_type"] != "code":
            pending.append(cell)
        else:
            aligned.append(cell)
            before.append(pending)
            pending = []
    result = []
    for english_index, chinese_index in align(english_cells, aligned):
        if chinese_index is not None:
            result += before[chinese_index]
        if english_index is None:
            chinese = aligned[chinese_index]
            report.add(None, f"removed a Chinese {chinese['cell_type']} cell whose English cell is gone: "
                             f"{_first_line(chinese)}")
            continue
        english = english_cells[english_index]
        chinese = aligned[chinese_index] if chinese_index is not None else None
        if english["cell_type"] == "code":
            result.append(_update_code(english_index, english, chinese, report))
        elif chinese is None:
            result.append(placeholder(english))
            report.add(english_index, "new English text cell: a 'translate me' placeholder inserted")
        else:
            result.append(chinese)
            recorded = translation_of(chinese).get(HASH_KEY)
            if recorded and recorded != text_sha256(source_of(english)):
                report.add(english_index, "the English text changed: update the translation, then mark it")
    result += pending
    used = set()
    for cell in result:  # an English id taken by a new cell may be another Chinese cell's already
        if cell.get("id") in used:
            cell["id"] = nbformat.v4.new_raw_cell().id
        used.add(cell.get("id"))
    return result, report


def sync_notebook(english_path: Path, chinese_path: Path, *, create: bool = False) -> SyncReport:
    """Bring ``chinese_path`` up to ``english_path`` (see ``sync_cells``); write it only when it changed.
    ``create``: start a missing Chinese notebook (code copied, text cells as placeholders, no outputs)."""
    english = read(english_path)
    name = Path(english_path).stem
    existed = Path(chinese_path).exists()
    if not existed:
        if not create:
            report = SyncReport(name)
            report.add(None, f"no Chinese edition yet (python -m course_utils.translation sync --create {name[:2]})")
            return report
        chinese = copy.deepcopy(english)
        chinese.cells = []
        chinese.metadata.pop("widgets", None)  # the English run's widget state: this notebook has not run yet
        chinese.metadata[METADATA_KEY] = {"language": LANGUAGE}
    else:
        chinese = read(chinese_path)
    cells, report = sync_cells(name, english.cells, chinese.cells)
    if chinese.get("nbformat_minor", 5) < 5:
        for cell in cells:
            cell.pop("id", None)
    if cells != chinese.cells or not existed:
        chinese.cells = cells
        Path(chinese_path).parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(Path(chinese_path)) as file:
            nbformat.write(chinese, file)
        if not existed:
            report.add(None, f"created {_shown(chinese_path)}: translate its text cells, then run it")
    return report


def mark(english_path: Path, chinese_path: Path, cells: Iterable[int] = ()) -> list[str]:
    """Record that Chinese text cells translate their English cells as they are now: the English cells
    ``cells`` (from 0), or, when none are named, every cell without a hash whose 'translate me' marker is
    gone. The notebooks must line up (``make sync-zh`` first). Returns what was marked."""
    english, chinese = read(english_path), read(chinese_path)
    name = Path(english_path).stem
    lined_up = [cell for _, cell in _lined_up(chinese.cells)]
    pairs = align(english.cells, lined_up)
    if any(index is None for pair in pairs for index in pair):
        raise SystemExit(f"notebook {name}: the cells do not line up with the English ones; run make sync-zh first")
    wanted = set(cells)
    done = []
    for english_index, chinese_index in pairs:
        source, target = english.cells[english_index], lined_up[chinese_index]
        if source["cell_type"] == "code":
            if english_index in wanted:
                raise SystemExit(f"notebook {name}, cell {english_index} is code: only text cells are marked")
            continue
        info = translation_of(target)
        chosen = (english_index in wanted if wanted
                  else not info.get(HASH_KEY) and TODO_MARKER not in source_of(target))
        if chosen:
            if TODO_MARKER in source_of(target):
                raise SystemExit(f"notebook {name}, cell {english_index} still starts with the 'translate me' "
                                 "marker: translate it and remove the marker first")
            target.metadata[METADATA_KEY] = {HASH_KEY: text_sha256(source_of(source))}
            done.append(f"notebook {name}, cell {english_index}: marked as translating {_first_line(source)}")
    if done:
        with atomic_write(Path(chinese_path)) as file:
            nbformat.write(chinese, file)
    return done


# --- The command line ------------------------------------------------------------------------------

def _selected(numbers: list[str], english_dir: Path) -> list[Path]:
    paths = english_notebooks(english_dir)
    unknown = [number for number in numbers if not any(path.name.startswith(number) for path in paths)]
    if unknown:
        raise SystemExit(f"no English notebook {', '.join(unknown)} in {_shown(english_dir)}")
    return [path for path in paths if not numbers or any(path.name.startswith(number) for number in numbers)]


def status(english_dir: Path = ENGLISH_DIR, chinese_dir: Path = CHINESE_DIR, numbers: list[str] = ()) -> list[Problem]:
    """Every problem of every Chinese notebook (a missing notebook is one), English notebook by notebook."""
    return [problem for path in _selected(list(numbers), english_dir)
            for problem in compare(path, chinese_path(path, chinese_dir))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_utils.translation", description=__doc__.splitlines()[0])
    parser.add_argument("--english", type=Path, default=ENGLISH_DIR, help="the English notebooks' folder")
    parser.add_argument("--chinese", type=Path, default=None, help="the Chinese notebooks' folder (default: zh/ in it)")
    commands = parser.add_subparsers(dest="command", required=True)
    show = commands.add_parser("status", help="what is out of date (exit status 1 if anything is)")
    show.add_argument("numbers", nargs="*", help="only these notebooks (01 05 ...)")
    sync = commands.add_parser("sync", help="bring the Chinese notebooks up to the English ones")
    sync.add_argument("numbers", nargs="*", help="only these notebooks (01 05 ...)")
    sync.add_argument("--create", action="store_true", help="start the Chinese notebooks that do not exist yet")
    marking = commands.add_parser("mark", help="record that Chinese text cells translate the English as it is now")
    marking.add_argument("number", help="the notebook (05)")
    marking.add_argument("cells", nargs="*", type=int, help="English cell numbers, from 0 (default: every "
                         "placeholder whose marker was removed)")
    options = parser.parse_args(argv)
    chinese_dir = options.chinese or options.english / "zh"

    if options.command == "status":
        if not chinese_dir.is_dir():
            print(f"{_shown(chinese_dir)}/ does not exist yet: no Chinese edition to compare "
                  "(python -m course_utils.translation sync --create starts it).")
            return 0
        problems = status(options.english, chinese_dir, options.numbers)
        for problem in problems:
            print(problem)
        print(f"{len(problems)} thing(s) out of date." if problems else "The Chinese edition is up to date.")
        return 1 if problems else 0
    if options.command == "sync":
        if not chinese_dir.is_dir() and not options.create:
            print(f"{_shown(chinese_dir)}/ does not exist yet: nothing to sync (add --create to start it).")
            return 0
        actions = []
        for path in _selected(options.numbers, options.english):
            actions += sync_notebook(path, chinese_path(path, chinese_dir), create=options.create).actions
        print("\n".join(actions) if actions else "Nothing to do: the Chinese code and text cells line up with "
                                                 "the English ones.")
        left = status(options.english, chinese_dir, options.numbers) if chinese_dir.is_dir() else []
        if left:
            print(f"Still to translate or review: {len(left)} (make status-zh lists them).")
        return 0
    path = _selected([options.number], options.english)[0]
    done = mark(path, chinese_path(path, chinese_dir), options.cells)
    print("\n".join(done) if done else "Nothing to mark.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
