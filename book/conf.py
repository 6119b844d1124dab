"""Sphinx's settings for the course website; book/build.py runs Sphinx with them once per language.

They come from the settings file build.py writes for each language (``COURSE_BOOK_SETTINGS``): run
``make book`` (or ``python book/build.py``), not sphinx-build directly.
"""

import json
import os
from html import escape
from pathlib import Path

if "COURSE_BOOK_SETTINGS" not in os.environ:
    raise RuntimeError("book/conf.py is read by book/build.py: run `make book`, not sphinx-build")
SETTINGS = json.loads(Path(os.environ["COURSE_BOOK_SETTINGS"]).read_text(encoding="utf-8"))

project = SETTINGS["title"]
html_title = SETTINGS["title"]
language = SETTINGS["sphinx_language"]
html_search_language = SETTINGS["language"]  # "zh" segments Chinese with jieba
if SETTINGS.get("jieba_dictionary"):
    html_search_options = {"dict": SETTINGS["jieba_dictionary"]}

extensions = ["myst_nb"]
# The notebooks' stored outputs, as committed: the website never re-runs training.
nb_execution_mode = "off"
nb_merge_streams = True
# No widget JavaScript (it comes from a CDN and could show nothing without a kernel): build.py turns
# each widget output into a note.
nb_ipywidgets_js = {}
myst_heading_anchors = 3

templates_path = ["_templates"]
html_static_path = ["_static"]
html_css_files = ["course.css"]
html_favicon = "_static/favicon.svg"
html_theme = "sphinx_book_theme"
html_show_sphinx = False
html_show_copyright = False
html_last_updated_fmt = None
# default_mode: light or dark as the reader's system says (the theme's page reads it; unset, it logs an error).
html_context = {"default_mode": "auto"}

REPOSITORY = SETTINGS["repository_url"]
html_theme_options = {
    "repository_url": REPOSITORY,
    "repository_branch": SETTINGS["branch"],
    "path_to_docs": SETTINGS["path_to_docs"],
    "use_repository_button": True,
    "use_download_button": True,
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
    "footer_content_items": [],  # no "By <author>": the course has no author field to show
    "article_header_end": ["language-switch.html", "article-header-buttons.html"],
    "launch_buttons": {
        "notebook_interface": "jupyterlab",
        "binderhub_url": "https://mybinder.org",
        "jupyterhub_url": SETTINGS["hub_url"],
        "colab_url": "https://colab.research.google.com",
    },
}


def translation(pagename: str) -> list[dict[str, str]]:
    """For each other language: where the switch goes from ``pagename`` (its translation, else that home page)."""
    up = "../" * (pagename.count("/") + 1)
    found = []
    for other in SETTINGS["translations"]:
        target = pagename if pagename in other["pages"] else "index"
        found.append({"code": other["code"], "name": other["name"], "url": f"{up}{other['code']}/{target}.html",
                      "translated": target == pagename})
    return found


def add_translations(app, pagename, templatename, context, doctree):
    context["course_translations"] = translation(pagename)


def visit_folded(self, node):
    """MyST-NB's folded cell part (a solution's output), named by its visible words: MyST-NB 1.4.0 gives
    the <summary> aria-label="Toggle hidden content", which axe-core reports as serious (the visible
    "Show the solution" is not part of that name)."""
    self.body.append(f'<details class="admonition hide {" ".join(node["classes"])}">\n<summary>\n'
                     f'<p class="collapsed admonition-title">{escape(node["prompt_show"])}</p>\n'
                     f'<p class="expanded admonition-title">{escape(node["prompt_hide"])}</p>\n</summary>\n')


def setup(app):
    from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput

    app.connect("html-page-context", add_translations)
    app.add_node(HideCodeCellNode, override=True, html=(visit_folded, depart_HideCellInput))
    if SETTINGS["language"] == "zh":
        from sphinx.search.zh import SearchChinese

        class ChineseSearch(SearchChinese):
            """Sphinx 9.0.4's Chinese search, with the stemmer its page can find.

            The Chinese search stems Latin words with the English stemmer, but Sphinx 9.0.4 names
            the class after the language (``window.Stemmer = ChineseStemmer``), which does not exist:
            the search page then fails and finds nothing (sphinx-doc/sphinx#14229, fixed by #14416
            after 9.0.4). Harmless once fixed: Sphinx then names it after the stemmer's file.
            """

            language_name = "English"

        app.add_search_language(ChineseSearch)
