"""JupyterLab in Chinese, in headless Chromium: what ``make lab COURSE_LANGUAGE=zh`` shows a student.

``chinese_lab`` is ``jupyter_browser.JupyterLab`` with make lab's Chinese settings (the interface language
``zh_CN`` from ``course_utils/locale/jupyterlab/zh``, served by jupyterlab-language-pack-zh-CN) and
``COURSE_LANGUAGE=zh`` for its kernels; ``menu_titles`` reads the menu bar; ``menu_problems`` says what is
not Chinese. ``make test-browser`` runs this file after check_lab.py and check_notebooks.py.

The Chinese widget notebooks (those of notebooks/zh/ that call a widget builder) are checked here as
check_notebooks.py checks the English ones, with its ``check_widget_notebook``: in a second server (the two
editions' files share names) whose menus are Chinese, run all cells, no error output, no error in the
console or in a widget callback, every widget a live view, each widget used as a student would; the menu
bar must show the Chinese menus, and what the widgets say (status texts, button labels) is matched in
Chinese, taken from the course's catalogue (``check_notebooks.Wording.of("zh")``; each of those messages
must have a Chinese translation). Screenshots go to build/screenshots/zh-<notebook>.png; the last test
checks that nothing under notebooks/zh/ changed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import nbformat
import pytest
from check_notebooks import (
    ROOT,
    SCREENSHOTS,
    WIDGET_BUILDERS,
    Wording,
    check_widget_notebook,
    fingerprint,
    notebooks_with_widgets,
)
from jupyter_browser import JupyterLab, open_notebook, run_all

from course_utils import i18n

#: The menus of JupyterLab's menu bar as the Chinese language pack names them (File, Edit, View, Run,
#: Kernel, Settings, Help).
CHINESE_MENUS = ("文件", "编辑", "查看", "运行", "内核", "设置", "帮助")


@contextlib.contextmanager
def chinese_lab(notebooks, **options):
    """A ``JupyterLab`` over copies of ``notebooks`` whose menus are Chinese and whose kernels speak Chinese."""
    before = os.environ.get(i18n.LANGUAGE_VARIABLE)
    os.environ[i18n.LANGUAGE_VARIABLE] = "zh"  # the server's environment, which its kernels inherit
    try:
        lab = JupyterLab(notebooks, **options).__enter__()
    finally:
        if before is None:
            os.environ.pop(i18n.LANGUAGE_VARIABLE, None)
        else:
            os.environ[i18n.LANGUAGE_VARIABLE] = before
    try:
        # Its settings folder is read when the page loads: make lab's Chinese locale goes in before that.
        shutil.copytree(i18n.LAB_SETTINGS_DIR / "zh", Path(lab.root).parent / "settings", dirs_exist_ok=True)
        yield lab
    finally:
        lab.__exit__(None, None, None)


def menu_titles(page) -> list[str]:
    """The titles of the menu bar, as shown."""
    page.wait_for_selector("#jp-menu-panel .lm-MenuBar-itemLabel")
    return [title.strip() for title in page.locator("#jp-menu-panel .lm-MenuBar-itemLabel").all_inner_texts()]


def menu_problems(page) -> list[str]:
    """What is not Chinese in the menu bar: each expected Chinese menu that is missing."""
    titles = menu_titles(page)
    return [f"no menu {menu!r} in the menu bar {titles}" for menu in CHINESE_MENUS if menu not in titles]


def test_the_menus_are_chinese_and_the_kernel_speaks_chinese(browser, tmp_path):
    notebook = tmp_path / "language.ipynb"
    cells = [nbformat.v4.new_code_cell("from course_utils import i18n\nprint(i18n.set_language())")]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, notebook)
    with chinese_lab([notebook]) as lab:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        open_notebook(page, lab, notebook.name)
        assert menu_problems(page) == []
        run_all(page)
        output = page.evaluate("() => window.jupyterapp.shell.currentWidget.content.widgets[0].model.outputs"
                               ".toJSON()[0].text")
        assert output.strip() == "zh"
        page.close()


# --- The Chinese widget notebooks ------------------------------------------------------------------

ZH_FOLDER = ROOT / "notebooks" / "zh"
ZH_NOTEBOOKS = notebooks_with_widgets(ZH_FOLDER) if ZH_FOLDER.is_dir() else []
ZH_BEFORE = fingerprint(ZH_FOLDER) if ZH_FOLDER.is_dir() else {}
CHINESE = Wording.of("zh")


@pytest.fixture(scope="module")
def zh_lab():
    with chinese_lab(ZH_NOTEBOOKS) as lab:
        yield lab


def assert_chinese_menus(page) -> None:
    assert menu_problems(page) == []


@pytest.mark.parametrize("notebook", ZH_NOTEBOOKS, ids=[path.stem for path in ZH_NOTEBOOKS])
def test_chinese_widget_notebooks_work_in_a_chinese_jupyterlab(zh_lab, browser, notebook, tmp_path):
    check_widget_notebook(browser, zh_lab, notebook, tmp_path, CHINESE, SCREENSHOTS / f"zh-{notebook.stem}.png",
                          in_page=assert_chinese_menus)


def test_there_are_chinese_widget_notebooks_to_check():
    assert ZH_NOTEBOOKS, f"no notebook in {ZH_FOLDER} calls one of {', '.join(WIDGET_BUILDERS)}: nothing was checked"


def test_the_chinese_notebooks_are_untouched():
    assert fingerprint(ZH_FOLDER) == ZH_BEFORE
