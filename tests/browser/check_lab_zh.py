"""JupyterLab in Chinese, in headless Chromium: what ``make lab COURSE_LANGUAGE=zh`` shows a student.

``chinese_lab`` is ``jupyter_browser.JupyterLab`` with make lab's Chinese settings (the interface language
``zh_CN`` from ``course_utils/locale/jupyterlab/zh``, served by jupyterlab-language-pack-zh-CN) and
``COURSE_LANGUAGE=zh`` for its kernels; ``menu_titles`` reads the menu bar; ``menu_problems`` says what is
not Chinese. ``make test-browser`` can run this file beside check_lab.py and check_notebooks.py
(``pytest tests/browser/check_lab_zh.py``), and a check of the Chinese widget notebook can open it with
``chinese_lab`` and ``jupyter_browser.open_notebook`` / ``run_all`` / ``inspect`` as check_notebooks.py does.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import nbformat
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
