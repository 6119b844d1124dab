"""The course as a static website (``make book``): the committed notebooks, with their stored outputs.

    python book/build.py            # into build/book/: en/ (and zh/ when notebooks/zh/ exists)

Nothing is executed: Sphinx with MyST-NB reads each notebook's stored outputs
(``nb_execution_mode = "off"`` in book/conf.py). The notebooks are never edited either: each is copied
into ``build/book-src/<language>/source/`` and the copy is prepared for reading:

- the output of a cell that calls ``.solution()`` (``ex.q1.solution()``) is folded in a ``<details>``
  ("Show the solution"), with MyST-NB's ``hide-output`` tag;
- a widget output becomes a one-line note that the widget needs a running notebook (the saved widget
  state and the ``VBox(...)`` text fallback are dropped: they would show nothing without a kernel);
- a figure without alternative text gets a short one;
- cells tagged ``remove-cell`` (the test scaffolding) are left out by MyST-NB itself.

Beside the notebooks it writes the home page (the README's first paragraph and the course map, made
from each notebook's title and section headings, so it cannot drift from them) and, when
``glossary.toml`` exists at the repository root, the glossary page.

**Two languages, two sites in one folder.** English is built into ``build/book/en/`` from
``notebooks/``, Chinese into ``build/book/zh/`` from ``notebooks/zh/`` (same file names) as soon as that
folder holds a notebook; ``build/book/index.html`` leads to them. Each language is its own Sphinx
project because Sphinx has one language per project: the ``<html lang>``, the theme's own words and the
search index (Chinese is segmented by jieba) all follow it. A page's language switch links to the page
of the same name in the other tree (``en/04_training.html`` <-> ``zh/04_training.html``); a page with
no translation yet links to the other home page.

**glossary.toml** (optional, at the repository root), one table per term::

    [[term]]
    en = "convolution"
    zh = "卷积"
    zh_also = ["..."]                       # optional: other Chinese names, shown on the Chinese page
    en_definition = "Sliding a small grid of weights (a kernel) over an image ..."
    zh_definition = "..."                   # optional: the English one is shown until it exists

Other keys are ignored. Both pages list the terms sorted by the English term.

The Chinese terms also go into jieba's dictionary, so the Chinese search finds them as whole words.

Settings: the repository's address is ``Repository`` in pyproject.toml's ``[project.urls]`` (the
launch buttons are made from it); ``BOOK_HUB_URL`` is the class hub for the nbgitpuller button
(default: ``make class``'s http://127.0.0.1:8000); ``BOOK_BRANCH`` the branch the buttons open (main).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat.validator import MissingIDFieldWarning

ROOT = Path(__file__).resolve().parents[1]
BOOK = Path(__file__).resolve().parent
NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
SOLUTION_CALL = re.compile(r"\.solution\(\s*\)")
#: A widget's text fallback that is only its Python repr (``VBox(children=...)``): never shown.
REPR = re.compile(r"^\s*[A-Za-z_][\w.]*\(")
#: The file conf.py reads its settings from (written by this script for each language).
SETTINGS_VARIABLE = "COURSE_BOOK_SETTINGS"
DEFAULT_HUB = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class Language:
    code: str  # the folder under build/book/ and the page's lang attribute
    sphinx: str  # Sphinx's language: the theme's own words, the search language
    name: str  # as the language switch says it
    notebooks: str  # where its notebooks are, relative to the repository root
    readme: str
    #: The words this build writes into pages.
    words: dict[str, str] = field(default_factory=dict)
    #: Section headings the course map leaves out (every notebook has them).
    skipped_sections: tuple[str, ...] = ()


LANGUAGES = {
    "en": Language(
        "en", "en", "English", "notebooks", "README.md",
        {
            "course_map": "Course map",
            "notebook": "Notebook",
            "covers": "What it covers",
            "glossary": "Glossary",
            "glossary_intro": "The course's words, each with its Chinese name.",
            "also_called": "",
            "show_solution": "Show the solution",
            "hide_solution": "Hide the solution",
            "widget_named": "{what}: an interactive widget.",
            "widget_unnamed": "An interactive widget.",
            "widget_needs": " It needs a running notebook: open this page on Binder, Colab or your class hub "
                            "(the rocket button at the top of the page).",
            "figure": "A figure made by the code cell above.",
            "run_it": "Each notebook page has a rocket button at the top: it opens the notebook on Binder, on "
                      "Colab or on your class hub, where you can run and change it.",
        },
        ("Exercises", "Recap"),
    ),
    "zh": Language(
        "zh", "zh_CN", "中文", "notebooks/zh", "README.zh.md",
        {
            "course_map": "课程地图",
            "notebook": "笔记本",
            "covers": "内容",
            "glossary": "术语表",
            "glossary_intro": "课程中的术语，附英文原名。",
            "also_called": "（又作 {names}）",
            "show_solution": "显示答案",
            "hide_solution": "隐藏答案",
            "widget_named": "{what}：交互式小部件。",
            "widget_unnamed": "交互式小部件。",
            "widget_needs": "它需要运行中的笔记本：请在 Binder、Colab 或课堂的 JupyterHub 上打开本页"
                            "（页面顶部的火箭按钮）。",
            "figure": "上面代码单元生成的图。",
            "run_it": "每个笔记本页面顶部都有一个火箭按钮：可以在 Binder、Colab 或课堂的 JupyterHub 上打开并运行它。",
        },
        ("练习", "习题", "小结", "回顾", "总结"),
    ),
}


# --- Reading the repository ----------------------------------------------------------------------

def languages(root: Path = ROOT) -> list[Language]:
    """English, and Chinese when ``notebooks/zh/`` holds a notebook."""
    return [language for language in LANGUAGES.values()
            if language.code == "en" or any((root / language.notebooks).glob(NOTEBOOK_GLOB))]


def notebooks(root: Path, language: Language) -> list[Path]:
    return sorted((root / language.notebooks).glob(NOTEBOOK_GLOB))


def repository_url(root: Path = ROOT) -> str:
    """``Repository`` in pyproject.toml's ``[project.urls]``: the one place the address is set."""
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    urls = {key.lower(): value for key, value in project.get("urls", {}).items()}
    if "repository" not in urls:
        raise SystemExit("pyproject.toml: add the repository's address as Repository under [project.urls]; "
                         "the website's launch buttons are made from it")
    return urls["repository"].rstrip("/")


def read_notebook(path: Path) -> nbformat.NotebookNode:
    try:
        with warnings.catch_warnings():  # a cell without an id gets one in the copy (prepare_notebook)
            warnings.simplefilter("ignore", MissingIDFieldWarning)
            return nbformat.read(path, as_version=4)
    except Exception as error:  # a notebook being saved, or a merge conflict
        raise SystemExit(f"{path}: cannot read this notebook ({error})") from error


def headings(notebook) -> list[tuple[int, str]]:
    """The markdown headings of ``notebook``, as (level, text), outside fenced code."""
    found = []
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        source = re.sub(r"```.*?```", "", cell.source, flags=re.DOTALL)
        found += [(len(hashes), text.strip()) for hashes, text in re.findall(r"^(#{1,6})\s+(.+)$", source, re.M)]
    return found


def title_of(notebook, path: Path) -> str:
    titles = [text for level, text in headings(notebook) if level == 1]
    if not titles:
        raise SystemExit(f"{path}: a notebook needs a title, a first-level heading (# 01 · ...), for the website")
    return titles[0]


def readme_intro(path: Path) -> tuple[str, str]:
    """The README's title and first paragraph (empty strings when there is no README)."""
    if not path.exists():
        return "", ""
    text = path.read_text(encoding="utf-8")
    title = re.search(r"^#\s+(.+)$", text, re.M)
    body = text[title.end():] if title else text
    paragraphs = [part.strip() for part in re.split(r"\n\s*\n", body.split("\n## ")[0]) if part.strip()]
    return (title.group(1).strip() if title else ""), (paragraphs[0] if paragraphs else "")


def glossary_terms(root: Path) -> list[dict[str, str]]:
    path = root / "glossary.toml"
    if not path.exists():
        return []
    try:
        terms = tomllib.loads(path.read_text(encoding="utf-8")).get("term", [])
    except tomllib.TOMLDecodeError as error:
        raise SystemExit(f"{path}: {error}") from error
    for number, term in enumerate(terms, 1):
        if not isinstance(term, dict) or not term.get("en"):
            raise SystemExit(f"{path}: term {number} needs at least en = \"...\" (see book/build.py)")
    return terms


# --- The prepared copies -------------------------------------------------------------------------

def prepare_notebook(notebook, language: Language, links: Links | None = None):
    """A copy of ``notebook`` ready for the website (the original is left as it is)."""
    notebook = copy.deepcopy(notebook)
    notebook.metadata.pop("widgets", None)  # the saved widget state: nothing can run it in a static page
    words = language.words
    for index, cell in enumerate(notebook.cells):
        cell.setdefault("id", f"cell-{index}")
        if cell.cell_type == "markdown" and links:
            cell.source = links(cell.source, language.notebooks)
        if cell.cell_type != "code":
            continue
        mystnb = cell.metadata.setdefault("mystnb", {})
        if SOLUTION_CALL.search(cell.source) and cell.outputs:
            tags = cell.metadata.setdefault("tags", [])
            if "hide-output" not in tags:
                tags.append("hide-output")
            mystnb.setdefault("code_prompt_show", words["show_solution"])
            mystnb.setdefault("code_prompt_hide", words["hide_solution"])
        for output in cell.outputs:
            data = output.get("data", {})
            if WIDGET_MIME in data:
                text = data.get("text/plain", "")
                text = "".join(text) if isinstance(text, list) else text
                named = text.strip() and not REPR.match(text)
                note = (words["widget_named"].format(what=escape(text.strip())) if named
                        else words["widget_unnamed"]) + words["widget_needs"]
                output["data"] = {"text/html": f'<p class="course-widget-note">{note}</p>'}
                output.pop("metadata", None)
                output["metadata"] = {}
            for key in [key for key in data if key == WIDGET_STATE]:
                del data[key]
        if any("image/png" in output.get("data", {}) or "image/jpeg" in output.get("data", {})
               for output in cell.outputs):
            mystnb.setdefault("image", {}).setdefault("alt", words["figure"])
        if not mystnb:
            del cell.metadata["mystnb"]
    return notebook


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def table_cell(text: str) -> str:
    return text.replace("|", "\\|")


#: A markdown link or image: [text](target "title") or ![alt](target).
MARKDOWN_LINK = re.compile(r'(!?)\[([^\]]*)\]\(([^)\s]+)(\s+"[^"]*")?\)')
URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass
class Links:
    """Makes the relative links of markdown written in ``folder`` (of the repository) work in the website.

    A link to a notebook of the same language stays a link to its page; a link to another file of the
    repository (``../docs/measurements.md``) goes to that file on the repository's site; a picture
    (``![...](../docs/figure.png)``) is copied beside the pages, so the site needs nothing from outside.
    """

    root: Path
    source: Path  # the language's Sphinx source folder
    language: Language
    blob: str  # https://github.com/OWNER/NAME/blob/BRANCH
    folder: str = ""  # where the markdown is, relative to the repository root

    def __call__(self, text: str, folder: str) -> str:
        self.folder = folder
        return MARKDOWN_LINK.sub(self.replace, text)

    def replace(self, match: re.Match) -> str:
        bang, label, target, title = match.group(1), match.group(2), match.group(3), match.group(4) or ""
        if URL_SCHEME.match(target) or target.startswith(("#", "/")):
            return match.group(0)
        path, _, fragment = target.partition("#")
        resolved = os.path.normpath(os.path.join(self.folder, path)).replace(os.sep, "/")
        if resolved.startswith("../") or not (self.root / resolved).exists():
            return match.group(0)  # outside the repository, or missing: Sphinx says so
        if bang:
            copied = self.source / "_repository" / resolved
            copied.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(self.root / resolved, copied)
            return f"![{label}](_repository/{resolved}{title})"
        page = Path(resolved)
        if page.parent.as_posix() == self.language.notebooks and page.match(NOTEBOOK_GLOB):
            return f"[{label}]({page.name}{'#' + fragment if fragment else ''}{title})"
        return f"[{label}]({self.blob}/{resolved}{'#' + fragment if fragment else ''}{title})"


@dataclass
class Page:
    name: str  # Sphinx's docname: "04_training"
    title: str
    sections: list[str]


def home_page(root: Path, language: Language, pages: list[Page], glossary: bool, links: Links | None = None) -> str:
    words = language.words
    title, intro = readme_intro(root / language.readme)
    intro = links(intro, "") if links else intro
    if not title:  # no README in this language yet: the English one's title
        title = readme_intro(root / LANGUAGES["en"].readme)[0] or "Course"
    rows = [f"| [{table_cell(page.title)}]({page.name}.ipynb) | {table_cell('; '.join(page.sections))} |"
            for page in pages]
    toctree = "\n".join(page.name for page in pages) + ("\nglossary" if glossary else "")
    return "\n".join([
        f"# {title}", "", intro, "", words["run_it"], "",
        f"## {words['course_map']}", "",
        f"| {words['notebook']} | {words['covers']} |", "|---|---|", *rows, "",
        "```{toctree}", ":hidden:", ":maxdepth: 1", "", toctree, "```", "",
    ])


def glossary_page(terms: list[dict], language: Language) -> str:
    """The glossary in ``language``, each term with its translation, sorted by the English term in both
    languages (as course_utils.i18n.glossary_markdown sorts it)."""
    lines = [f"# {language.words['glossary']}", "", language.words["glossary_intro"], "", "```{glossary}"]
    for term in sorted(terms, key=lambda term: term["en"].lower()):
        name = term.get(language.code) or term["en"]
        other = term.get("zh", "") if language.code == "en" else term["en"]
        definition = " ".join((term.get(f"{language.code}_definition") or term.get("en_definition") or "-").split())
        if language.code == "zh" and term.get("zh_also"):
            definition += language.words["also_called"].format(names="、".join(term["zh_also"]))
        lines += [f"{name} ({other})" if other and other != name else name, f"  {definition}", ""]
    return "\n".join(lines + ["```", ""])


def write_if_changed(path: Path, text: str) -> None:
    """Write ``text`` unless the file already holds it, so Sphinx rebuilds only what changed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def prepare(root: Path, staging: Path, language: Language, blob: str) -> list[Page]:
    """Write the prepared copies, the home page and the glossary into ``staging/<code>/source``."""
    source = staging / language.code / "source"
    source.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(source / "_repository", ignore_errors=True)  # the pictures the markdown shows, copied again
    links = Links(root, source, language, blob)
    pages, written = [], {"index.md"}
    for path in notebooks(root, language):
        notebook = read_notebook(path)
        sections = [text for level, text in headings(notebook)
                    if level == 2 and text.strip() not in language.skipped_sections]
        pages.append(Page(path.stem, title_of(notebook, path), sections))
        write_if_changed(source / path.name, nbformat.writes(prepare_notebook(notebook, language, links)) + "\n")
        written.add(path.name)
    terms = glossary_terms(root)
    if terms:
        write_if_changed(source / "glossary.md", glossary_page(terms, language))
        written.add("glossary.md")
    write_if_changed(source / "index.md", home_page(root, language, pages, bool(terms), links))
    for stale in source.iterdir():  # a notebook removed or renamed since the last build
        if stale.is_file() and stale.name not in written:
            stale.unlink()
    return pages


def jieba_dictionary(root: Path, staging: Path) -> str | None:
    """The glossary's Chinese terms as a jieba user dictionary (one word and a frequency a line)."""
    words = sorted({word for term in glossary_terms(root) for word in [term.get("zh", "")] + term.get("zh_also", [])
                    if word})
    if not words:
        return None
    path = staging / "zh" / "jieba-terms.txt"
    write_if_changed(path, "".join(f"{word} 100000\n" for word in words))
    return str(path)


# --- Building --------------------------------------------------------------------------------------

@dataclass
class Result:
    pages: dict[str, int]  # language -> HTML pages written (notebooks, home, glossary, search, index)
    notebooks: dict[str, int]
    warnings: dict[str, list[str]]
    seconds: float


def build(root: Path = ROOT, out: Path | None = None, staging: Path | None = None, fresh: bool = True) -> Result:
    """Build the website of the repository at ``root`` into ``out`` (``build/book``)."""
    started = time.monotonic()
    out = out or root / "build" / "book"
    staging = staging or root / "build" / "book-src"
    built = languages(root)
    hub = os.environ.get("BOOK_HUB_URL", DEFAULT_HUB).rstrip("/")
    branch = os.environ.get("BOOK_BRANCH", "main")
    repository = repository_url(root)
    pages = {language.code: prepare(root, staging, language, f"{repository}/blob/{branch}") for language in built}
    warnings, counts = {}, {}
    for language in built:
        others = [other for other in built if other.code != language.code]
        settings = {
            "language": language.code, "sphinx_language": language.sphinx,
            "title": readme_intro(root / language.readme)[0] or readme_intro(root / "README.md")[0] or "Course",
            "repository_url": repository, "branch": branch, "hub_url": hub,
            "path_to_docs": language.notebooks,
            "translations": [{"code": other.code, "name": other.name,
                              "pages": ["index", "search", "genindex"] + [page.name for page in pages[other.code]]
                              + (["glossary"] if (staging / other.code / "source" / "glossary.md").exists() else [])}
                             for other in others],
            "jieba_dictionary": jieba_dictionary(root, staging) if language.code == "zh" else None,
        }
        settings_path = staging / language.code / "settings.json"
        write_if_changed(settings_path, json.dumps(settings, ensure_ascii=False, indent=1) + "\n")
        warnings[language.code] = sphinx(staging / language.code, settings_path, fresh)
        html = staging / language.code / "html"
        target = out / language.code
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(html, target, ignore=shutil.ignore_patterns(".buildinfo", ".doctrees"))
        for path in notebooks(root, language):  # the download button gives the notebook itself, not the copy
            shutil.copy2(path, target / "_sources" / path.name)
        counts[language.code] = sum(1 for _ in target.glob("*.html"))  # not _static/'s templates
    for stale in out.iterdir() if out.exists() else ():  # a language no longer built
        if stale.is_dir() and stale.name in LANGUAGES and stale.name not in counts:
            shutil.rmtree(stale)
    write_if_changed(out / "index.html", entry_page(built))
    write_if_changed(out / ".nojekyll", "")  # GitHub Pages: serve _static/ and _images/ as they are
    return Result(counts, {code: len(found) for code, found in pages.items()}, warnings, time.monotonic() - started)


def sphinx(folder: Path, settings: Path, fresh: bool) -> list[str]:
    """Run Sphinx on ``folder/source`` into ``folder/html``; its warnings, one a line."""
    log = folder / "warnings.txt"
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "--keep-going", "-c", str(BOOK),
               "-d", str(folder / "doctrees"), "-w", str(log), str(folder / "source"), str(folder / "html")]
    if fresh:  # every page read again, so that every warning is reported (an incremental build repeats none)
        command[3:3] = ["-E", "-a"]
    environment = {**os.environ, SETTINGS_VARIABLE: str(settings), "PYTHONHASHSEED": "0"}
    done = subprocess.run(command, env=environment, text=True, capture_output=True)
    text = log.read_text(encoding="utf-8") if log.exists() else ""
    if done.returncode:
        raise SystemExit(f"sphinx-build failed in {folder}:\n{done.stdout}{done.stderr}")
    return [line for line in text.splitlines() if line.strip()]


ENTRY = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{refresh}<title>{title}</title>
<style>body {{ font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem;
line-height: 1.5; color: #1a1a1a; }} a {{ color: #0b57a4; font-size: 1.25rem; }}</style>
</head>
<body>
<main>
<h1>{title}</h1>
<ul>
{links}
</ul>
</main>
</body>
</html>
"""


def entry_page(built: list[Language]) -> str:
    """build/book/index.html: a link to each language's home page (straight on when there is one)."""
    title = "Deep learning digit classification with a Keras CNN"
    links = "\n".join(f'<li><a href="{language.code}/index.html" hreflang="{language.code}" lang="{language.code}">'
                      f"{language.name}</a></li>" for language in built)
    refresh = ('<meta http-equiv="refresh" content="0; url=en/index.html">\n<link rel="icon" href="data:,">\n'
               if len(built) == 1 else '<link rel="icon" href="en/_static/favicon.svg">\n')
    return ENTRY.format(title=title, links=links, refresh=refresh)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incremental", action="store_true",
                        help="rebuild only the pages whose notebook changed (warnings of the others are not repeated)")
    arguments = parser.parse_args()
    result = build(fresh=not arguments.incremental)
    for code, count in result.pages.items():
        print(f"build/book/{code}/: {result.notebooks[code]} notebooks, {count} HTML pages")
        for warning in result.warnings[code]:
            print(f"  warning: {warning}")
    total = sum(len(found) for found in result.warnings.values())
    missing = [f"{code}/ (no {LANGUAGES[code].notebooks}/ yet)" for code in LANGUAGES if code not in result.pages]
    print(f"built in {result.seconds:.0f} s, {total} warning(s)"
          + (f"; not built: {', '.join(missing)}" if missing else "")
          + "; open build/book/index.html")


if __name__ == "__main__":
    main()
