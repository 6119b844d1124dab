"""The course website (``make book``) served on 127.0.0.1 and read in headless Chromium (``make test-book``).

Two sites are checked, each served from its folder on a free port by ``book_site.StaticSite``:

- ``course``: this repository's site, ``build/book/`` (built here when missing or older than a
  notebook; ``make test-book`` builds it first). English only until ``notebooks/zh/`` exists: the
  Chinese checks then run on it too, and the language-switch test stops being skipped.
- ``sample``: a small bilingual repository written by ``book_sample.make_sample`` and built into a
  temporary folder, so that what the course does not have yet (the Chinese edition, a glossary, a
  ``solution()`` cell, a ``remove-cell`` cell, a widget saved with its ``VBox(...)`` fallback) is
  checked now.

For each: the build gave no warnings; every page reachable from the entry page loads without console
errors or failed requests and asks nothing from outside the site; every internal link (fragments
included) and image resolves; each notebook page has its Binder, class hub and Colab buttons pointing
at its notebook in the repository; each page's language switch lands on its translation; the search
finds "convolution" (and "卷积" in Chinese); solutions are folded until clicked; no ``remove-cell``
content and no widget text fallback appear; axe-core finds no "serious" or "critical" violation, in
light and in dark mode (its counts by impact go to build/book-checks/). Screenshots of the home page
and a notebook page of each language go to build/screenshots/.

Not collected by ``make test`` (its name does not start with ``test_``): ``make test-book`` runs it.
"""

from __future__ import annotations

import collections
import hashlib
import importlib.util
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from book_sample import NOTES, REPOSITORY, SCAFFOLD, SEARCH, SOLUTION, WIDGET_FALLBACK, make_sample
from book_site import StaticSite, crawl, run_axe
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "build" / "screenshots"
CHECKS = ROOT / "build" / "book-checks"
#: A widget's text fallback (its Python repr) must never reach a page.
WIDGET_TEXT = re.compile(r"\b(VBox|HBox|Box|GridBox|Output|IntSlider|FloatSlider|Button|Label|HTML|Image|"
                         r"Tab|Accordion|Dropdown)\((children|value|description|layout|outputs|options)=")
BLOCKING = ("serious", "critical")


def load_builder():
    """book/build.py as a module (book/ is not a package)."""
    spec = importlib.util.spec_from_file_location("book_build", ROOT / "book" / "build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["book_build"] = module
    spec.loader.exec_module(module)
    return module


builder = load_builder()


@dataclass
class Site:
    name: str
    root: Path  # the repository
    out: Path  # its build/book
    staging: Path  # its build/book-src
    languages: list[str] = field(default_factory=list)

    def notebooks(self, language: str) -> list[Path]:
        return builder.notebooks(self.root, builder.LANGUAGES[language])

    def warnings(self) -> dict[str, list[str]]:
        return {code: [line for line in (self.staging / code / "warnings.txt").read_text(encoding="utf-8").splitlines()
                       if line.strip()] for code in self.languages}


def fingerprint(folder: Path) -> dict[str, str]:
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*.ipynb"))}


def course_site() -> Site:
    out, staging = ROOT / "build" / "book", ROOT / "build" / "book-src"
    site = Site("course", ROOT, out, staging, [language.code for language in builder.languages(ROOT)])
    logs = [staging / code / "warnings.txt" for code in site.languages]
    sources = [path for code in site.languages for path in site.notebooks(code)] + [ROOT / "README.md"]
    if not all(log.exists() for log in logs) or not (out / "index.html").exists() or \
            max(path.stat().st_mtime for path in sources) > min(log.stat().st_mtime for log in logs):
        builder.build(ROOT, out, staging)
    return site


def sample_site(folder: Path) -> Site:
    root = make_sample(folder / "repository")
    before = fingerprint(root)
    builder.build(root, folder / "book", folder / "book-src")
    assert fingerprint(root) == before, "the build changed the notebooks it read"
    return Site("sample", root, folder / "book", folder / "book-src", ["en", "zh"])


@pytest.fixture(scope="module", params=["course", "sample"])
def site(request, tmp_path_factory):
    if request.param == "course":
        return course_site()
    return sample_site(tmp_path_factory.mktemp("book-sample"))


@pytest.fixture(scope="module")
def server(site):
    with StaticSite(site.out) as served:
        yield served


@pytest.fixture(scope="module")
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    yield context
    context.close()


@pytest.fixture(scope="module")
def visited(site, server, browser, context):
    """The crawl from the entry page (and each search page), with axe-core's violations of each page."""
    axe = {"light": {}, "dark": {}}
    # The search pages are reached through a form, not a link: they start the crawl too.
    starts = [server.url + "index.html"] + [f"{server.url}{code}/search.html" for code in site.languages]
    found = crawl(context, starts, lambda page, url: axe["light"].__setitem__(url, run_axe(page)))
    dark = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    page = dark.new_page()
    for url in found.pages:
        page.goto(url)
        axe["dark"][url] = run_axe(page)
    dark.close()
    return found, axe


def page_url(server, language: str, name: str) -> str:
    return f"{server.url}{language}/{name}.html"


# --- The build -----------------------------------------------------------------------------------

def test_the_build_gives_no_warnings(site):
    assert site.warnings() == {code: [] for code in site.languages}


def test_each_language_has_a_page_per_notebook(site):
    for code in site.languages:
        built = {path.stem for path in (site.out / code).glob("*.html")}
        expected = {path.stem for path in site.notebooks(code)} | {"index", "search", "genindex"}
        if (site.root / "glossary.toml").exists():
            expected.add("glossary")
        assert built == expected, code
        for path in site.notebooks(code):  # the page's download button gives the notebook as committed
            assert (site.out / code / "_sources" / path.name).read_bytes() == path.read_bytes(), path


def test_the_home_page_maps_the_course_from_the_notebooks_titles(site, server, context):
    page = context.new_page()
    for code in site.languages:
        page.goto(page_url(server, code, "index"))
        links = page.locator("article table a").evaluate_all("links => links.map(a => [a.textContent.trim(), "
                                                              "a.getAttribute('href')])")
        expected = [[builder.title_of(builder.read_notebook(path), path), f"{path.stem}.html"]
                    for path in site.notebooks(code)]
        assert links == expected, code
    page.close()


# --- Every page ----------------------------------------------------------------------------------

def test_every_page_loads_cleanly_and_every_link_and_image_resolves(site, server, visited):
    found, _ = visited
    assert found.problems() == []
    assert server.not_found == []
    reached = {urlsplit(url).path for url in found.pages}
    for code in site.languages:
        for path in site.notebooks(code):
            assert f"/{code}/{path.stem}.html" in reached, f"{code}/{path.stem}.html is not linked from the home page"


def test_axe_core_finds_no_serious_or_critical_violation(site, visited):
    _, axe = visited
    counts = {scheme: dict(collections.Counter(v["impact"] for found in pages.values() for v in found))
              for scheme, pages in axe.items()}
    CHECKS.mkdir(parents=True, exist_ok=True)
    (CHECKS / f"axe-{site.name}.json").write_text(json.dumps(
        {"violations_by_impact": counts, "pages": {scheme: {urlsplit(url).path: found for url, found in pages.items()}
                                                   for scheme, pages in axe.items()}}, indent=1, ensure_ascii=False))
    blocking = [f"{scheme} {urlsplit(url).path}: {v['id']} ({v['impact']}) {v['help']} at {v['nodes'][:3]}"
                for scheme, pages in axe.items() for url, found in pages.items() for v in found
                if v["impact"] in BLOCKING]
    assert blocking == [], counts


# --- Notebook pages ------------------------------------------------------------------------------

def test_each_notebook_page_has_its_launch_buttons(site, server, context):
    repository = builder.repository_url(site.root)
    owner, name = urlsplit(repository).path.strip("/").split("/")[:2]
    hub = os.environ.get("BOOK_HUB_URL", builder.DEFAULT_HUB).rstrip("/")
    branch = os.environ.get("BOOK_BRANCH", "main")
    page = context.new_page()
    for code in site.languages:
        for path in site.notebooks(code):
            notebook = path.relative_to(site.root).as_posix()  # notebooks/zh/01_x.ipynb
            assert (site.root / notebook).exists()
            page.goto(page_url(server, code, path.stem))
            links = page.locator(".dropdown-launch-buttons a").evaluate_all("links => links.map(a => a.href)")
            by_host = {urlsplit(link).netloc: link for link in links}
            assert by_host.get("mybinder.org") == (f"https://mybinder.org/v2/gh/{owner}/{name}/{branch}"
                                                   f"?urlpath=lab/tree/{notebook}"), links
            assert by_host.get("colab.research.google.com") == (
                f"https://colab.research.google.com/github/{owner}/{name}/blob/{branch}/{notebook}"), links
            pull = by_host.get(urlsplit(hub).netloc, "")
            assert pull.startswith(f"{hub}/hub/user-redirect/git-pull?"), links
            assert {key: value[0] for key, value in parse_qs(urlsplit(pull).query).items()} == {
                "repo": repository, "branch": branch, "urlpath": f"lab/tree/{name}/{notebook}"}
    page.close()


def test_the_language_switch_lands_on_the_translation(site, server, context):
    if len(site.languages) < 2:
        pytest.skip("one language only: the switch appears when notebooks/zh/ holds a notebook")
    page = context.new_page()
    for code in site.languages:
        other = next(language for language in site.languages if language != code)
        names = [path.stem for path in site.notebooks(code)] + ["index"]
        translated = {path.stem for path in site.notebooks(other)} | {"index"}
        for name in names:
            page.goto(page_url(server, code, name))
            switch = page.locator("a.course-language-switch")
            expect(switch).to_have_count(1)
            switch.click()
            target = name if name in translated else "index"
            page.wait_for_url(page_url(server, other, target))
            assert page.evaluate("() => document.documentElement.lang").startswith(other)
    page.close()


def search_terms(site) -> dict[str, str]:
    return {code: SEARCH[code] for code in site.languages}


def test_the_search_finds_the_course_words(site, server, context):
    page = context.new_page()
    for code, term in search_terms(site).items():
        page.goto(f"{server.url}{code}/search.html?q={term}")
        results = page.locator("#search-results ul.search li a")
        expect(results.first).to_be_visible(timeout=20_000)
        pages = set(results.evaluate_all("links => links.map(a => a.getAttribute('href').split('#')[0])"))
        notebooks = {f"{path.stem}.html" for path in site.notebooks(code)}
        assert pages & notebooks, f"searching {term!r} in {code}/ finds no notebook page: {pages}"
    page.close()


def solution_cells(path: Path) -> int:
    notebook = builder.read_notebook(path)
    return sum(1 for cell in notebook.cells if cell.cell_type == "code" and builder.SOLUTION_CALL.search(cell.source)
               and cell.outputs and "remove-cell" not in cell.metadata.get("tags", []))


def test_solutions_are_folded_until_clicked(site, server, context):
    pages = [(code, path) for code in site.languages for path in site.notebooks(code) if solution_cells(path)]
    if not pages:
        pytest.skip("no notebook calls ex.qN.solution() yet (the sample site checks the folding)")
    page = context.new_page()
    for code, path in pages:
        page.goto(page_url(server, code, path.stem))
        folds = page.locator("details.hide", has_text=builder.LANGUAGES[code].words["show_solution"])
        expect(folds).to_have_count(solution_cells(path))
        for index in range(folds.count()):
            fold = folds.nth(index)
            output = fold.locator(".cell_output")
            expect(output).to_be_hidden()
            fold.locator("summary").click()
            expect(output).to_be_visible()
            if site.name == "sample":
                expect(output).to_contain_text(SOLUTION)
    page.close()


def hidden_texts(path: Path) -> list[str]:
    """What a page must not show: the lines of cells tagged remove-cell, and their outputs."""
    texts = []
    for cell in builder.read_notebook(path).cells:
        if "remove-cell" in cell.metadata.get("tags", []):
            texts += [line.strip() for line in cell.source.splitlines() if len(line.strip()) >= 12]
            for output in cell.get("outputs", []):
                text = output.get("text") or output.get("data", {}).get("text/plain", "")
                texts += [line.strip() for line in "".join(text).splitlines() if len(line.strip()) >= 12]
    return texts


def widget_outputs(path: Path) -> int:
    return sum(1 for cell in builder.read_notebook(path).cells for output in cell.get("outputs", [])
               if builder.WIDGET_MIME in output.get("data", {}))


def test_no_scaffolding_and_no_widget_text_fallback(site, server, context):
    page = context.new_page()
    for code in site.languages:
        for path in site.notebooks(code):
            page.goto(page_url(server, code, path.stem))
            text = page.locator("article").inner_text()
            html = page.content()
            assert not WIDGET_TEXT.search(text), f"{code}/{path.stem}: {WIDGET_TEXT.search(text).group(0)}"
            assert WIDGET_FALLBACK not in text and "application/vnd.jupyter.widget" not in html
            for hidden in hidden_texts(path):
                assert hidden not in text, f"{code}/{path.stem} shows a remove-cell line: {hidden}"
            if site.name == "sample":
                assert SCAFFOLD not in html
            notes = page.locator(".course-widget-note")
            expect(notes).to_have_count(widget_outputs(path))
    page.close()


def test_links_to_the_repository_go_to_its_site_and_pictures_are_copied(site, server, context):
    if site.name != "sample":
        pytest.skip("the sample's notebook 01 links to a file of its repository and shows a picture of it")
    page = context.new_page()
    page.goto(page_url(server, "en", "01_sample_lesson"))
    article = page.locator("article")
    expect(article.locator(f'a[href="{REPOSITORY}/blob/main/{NOTES}"]')).to_have_count(1)
    expect(article.locator('a[href="02_second_lesson.html"]')).to_have_count(1)
    picture = article.locator('img[alt="a blue square"]')
    expect(picture).to_have_count(1)
    assert picture.evaluate("img => img.complete && img.naturalWidth") == 40
    page.close()


def test_the_glossary_page_lists_the_terms(site, server, context):
    terms = builder.glossary_terms(site.root)
    if not terms:
        pytest.skip("no glossary.toml at the repository root yet")
    page = context.new_page()
    for code in site.languages:
        page.goto(page_url(server, code, "glossary"))
        shown = page.locator("dl.glossary dt").all_inner_texts()
        assert len(shown) == len(terms), shown
        for term in terms:
            assert any((term.get(code) or term["en"]) in entry for entry in shown), (term, shown)
    page.close()


def test_the_entry_page_leads_to_each_language(site, server, context):
    page = context.new_page()
    page.goto(server.url)
    if len(site.languages) == 1:
        page.wait_for_url(page_url(server, site.languages[0], "index"))
    else:
        hrefs = page.locator("main a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        assert hrefs == [f"{code}/index.html" for code in site.languages]
    page.close()


# --- Screenshots ---------------------------------------------------------------------------------

def test_screenshots_of_each_language(site, server, context):
    """The home page and one notebook page (the first with a figure) of each language."""
    page = context.new_page()
    for code in site.languages:
        with_figure = [path for path in site.notebooks(code)
                       if '"image/png"' in path.read_text(encoding="utf-8")] or site.notebooks(code)
        notebook = with_figure[min(2, len(with_figure) - 1)]
        for name, target in (("home", "index"), ("notebook", notebook.stem)):
            page.goto(page_url(server, code, target))
            page.wait_for_load_state("networkidle")
            prefix = "book" if site.name == "course" else f"book-{site.name}"
            path = SCREENSHOTS / f"{prefix}-{code}-{name}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            height = min(page.evaluate("() => document.documentElement.scrollHeight"), 3000)
            page.set_viewport_size({"width": 1280, "height": height})
            page.screenshot(path=path)
            page.set_viewport_size({"width": 1280, "height": 900})
            assert path.stat().st_size > 10_000
    page.close()
