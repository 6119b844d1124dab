"""The languages the course speaks to a student: English, and Simplified Chinese (简体中文).

What ``course_utils`` tells a student (the data loader's and the cache's errors, ``make run``'s progress,
the widgets' labels and advice, and later the exercises' feedback) goes through ``_()``, backed by Python's
``gettext``. The Chinese catalogue is ``locale/zh_CN/LC_MESSAGES/course_utils.po``, compiled to the
``.mo`` beside it; both are committed, so nothing but the standard library is needed at run time. Babel
manages them (``make translations``: extract, update, compile; see ``babel.cfg``).

Choosing the language, in this order:

- ``setup_course("zh")`` (or ``setup_course(language="zh")``) in a notebook's first cell; ``"en"``
  for English. ``set_language()`` does the same without the rest of ``setup_course``;
- else the environment variable ``COURSE_LANGUAGE`` (``make run COURSE_LANGUAGE=zh``,
  ``make lab COURSE_LANGUAGE=zh``, whose kernels inherit it);
- else English.

Messages are looked up when they are said, not at import, so switching the language later works.
Writing one::

    from course_utils.i18n import _, ngettext

    raise MnistDataError(_("{path} cannot be read ({error}).").format(path=path, error=error))
    print(ngettext("{count} image", "{count} images", count).format(count=count))

The message is the English text itself (English output is the message unchanged, byte for byte); its
placeholders are named fields filled by ``str.format`` *after* the lookup, never an f-string inside
``_()``: an f-string is filled before the lookup and would match no catalogue entry. A translation keeps
the same placeholders (``tests/test_i18n.py`` checks it), so the Chinese may reorder them. Literal braces
are doubled (``{{`` ``}}``), as always with ``str.format``. ``N_()`` marks a message to be extracted
where it is defined (a module constant) and translated where it is used: ``_(CONSTANT)``. ``pgettext``
tells apart two uses of one short English word (``pgettext("button", "Train")``).

Figures stay English in both editions. Matplotlib's default font (DejaVu Sans) has no Chinese glyphs,
and no CJK font is guaranteed on a fresh machine without a system package; figure text (titles, axis
labels, legends) is therefore never translated, and the Chinese notebooks explain the English labels in
their text. ``setup_course`` turns matplotlib's "Glyph ... missing from font" warning into an error
(``fail_on_missing_glyphs``), so a Chinese label that reaches a figure fails the notebook's nbval run
instead of rendering as empty boxes.

The glossary (``glossary.toml`` at the repository root: English and Chinese terms with a plain
definition in each language) is read by ``glossary()`` and shown as a Markdown table by
``glossary_markdown()``.
"""

from __future__ import annotations

import contextlib
import gettext as _gettext
import os
import shlex
import shutil
import sys
import tomllib
import warnings
from dataclasses import dataclass, field
from pathlib import Path

DOMAIN = "course_utils"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGE_VARIABLE = "COURSE_LANGUAGE"
DEFAULT_LANGUAGE = "en"
#: The languages, by the name ``setup_course`` takes, with the locale of their catalogue (None: the
#: messages as written).
LOCALES = {"en": None, "zh": "zh_CN"}
#: Other spellings accepted for them (compared in lower case, ``-`` read as ``_``).
ALIASES = {"english": "en", "en_us": "en", "en_gb": "en", "c": "en", "zh_cn": "zh", "zh_hans": "zh",
           "zh_hans_cn": "zh", "chinese": "zh", "中文": "zh", "简体中文": "zh"}
#: JupyterLab's settings for ``make lab COURSE_LANGUAGE=zh``: its menus in Chinese (the language pack
#: jupyterlab-language-pack-zh-CN provides them).
LAB_SETTINGS_DIR = LOCALE_DIR / "jupyterlab"
TRANSLATION_PLUGIN = "@jupyterlab/translation-extension/plugin.jupyterlab-settings"

_current: dict = {"language": None, "translations": None}


class LanguageError(ValueError):
    """A language the course does not speak."""


def normalise_language(language: str) -> str:
    """``"en"`` or ``"zh"`` for any accepted spelling (``"zh_CN"``, ``"zh-Hans"``, ``"中文"``, ...)."""
    name = str(language).strip().lower().replace("-", "_")
    name = ALIASES.get(name, name)
    if name not in LOCALES:
        raise LanguageError(f"The course speaks {' and '.join(repr(code) for code in LOCALES)}, not {language!r}: "
                            f"use setup_course(language=\"en\") or setup_course(language=\"zh\") "
                            f"(or set {LANGUAGE_VARIABLE} to en or zh).")
    return name


def _load(language: str) -> _gettext.NullTranslations:
    locale = LOCALES[language]
    if locale is None:
        return _gettext.NullTranslations()
    try:
        return _gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[locale])
    except FileNotFoundError as error:
        raise RuntimeError(f"The {locale} catalogue of course_utils is missing from {LOCALE_DIR}: run make "
                           "translations (it compiles the .po file into the .mo file read here).") from error


def set_language(language: str | None = None) -> str:
    """Speak ``language`` from now on (``None``: ``$COURSE_LANGUAGE``, else English); returns ``"en"`` or ``"zh"``."""
    if language is None:
        language = os.environ.get(LANGUAGE_VARIABLE) or DEFAULT_LANGUAGE
    language = normalise_language(language)
    _current.update(language=language, translations=_load(language))
    return language


def get_language() -> str:
    """The language the course speaks now: ``"en"`` or ``"zh"``."""
    if _current["language"] is None:
        set_language()
    return _current["language"]


def translations() -> _gettext.NullTranslations:
    """The catalogue of the current language."""
    if _current["translations"] is None:
        set_language()
    return _current["translations"]


@contextlib.contextmanager
def language(name: str | None):
    """Speak ``name`` inside a ``with`` block, then the language spoken before (for tests and tools)."""
    before = dict(_current)
    set_language(name)
    try:
        yield _current["language"]
    finally:
        _current.update(before)


def _(message: str) -> str:
    """``message`` in the current language (unchanged in English). Fill its ``{fields}`` afterwards."""
    return translations().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n``, in the current language (Chinese has one form)."""
    return translations().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in the current language, told apart from the same English words by ``context``."""
    return translations().pgettext(context, message)


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it now; translate it where it is used: ``_(X)``."""
    return message


# --- Figures ---------------------------------------------------------------------------------------

#: Matplotlib's warning for a character its font cannot draw (rendered as an empty box).
MISSING_GLYPH = r"Glyph \d+ .*missing from"


def fail_on_missing_glyphs() -> None:
    """Make matplotlib's "Glyph ... missing from font" warning an error: figure text stays English, and a
    character no font can draw must fail the run rather than show as an empty box."""
    warnings.filterwarnings("error", message=MISSING_GLYPH, category=UserWarning)


# --- The glossary ----------------------------------------------------------------------------------

GLOSSARY_PATH = Path(__file__).resolve().parents[1] / "glossary.toml"


@dataclass(frozen=True)
class Term:
    """One glossary entry: the English and Chinese terms, a plain definition in each language, other Chinese
    names a reader meets (``zh_also``: TensorFlow's docs or d2l-zh's first edition), and whether the catalogue
    test checks that a message using the English term uses the Chinese one (``check``)."""

    en: str
    zh: str
    en_definition: str
    zh_definition: str
    zh_also: tuple[str, ...] = field(default_factory=tuple)
    check: bool = True

    def zh_names(self) -> tuple[str, ...]:
        return (self.zh, *self.zh_also)


def glossary(path: str | os.PathLike = GLOSSARY_PATH) -> list[Term]:
    """The terms of ``glossary.toml``, in its order."""
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    return [Term(entry["en"], entry["zh"], entry["en_definition"], entry["zh_definition"],
                 tuple(entry.get("zh_also", ())), entry.get("check", True)) for entry in data["term"]]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def glossary_markdown(language: str | None = None, path: str | os.PathLike = GLOSSARY_PATH) -> str:
    """The glossary as a Markdown table, for the website and a notebook (``display(Markdown(...))``).

    In Chinese (``"zh"``): 中文 | English | 释义, sorted by the English term as in English; the definition in
    the language asked for (``None``: the current language)."""
    language = normalise_language(language) if language is not None else get_language()
    terms = sorted(glossary(path), key=lambda term: term.en.lower())
    if language == "zh":
        lines = ["| 中文 | English | 释义 |", "| --- | --- | --- |"]
        for term in terms:
            also = f"（又作 {'、'.join(term.zh_also)}）" if term.zh_also else ""
            lines.append(f"| {_cell(term.zh + also)} | {_cell(term.en)} | {_cell(term.zh_definition)} |")
    else:
        lines = ["| English | 中文 (Chinese) | Definition |", "| --- | --- | --- |"]
        for term in terms:
            lines.append(f"| {_cell(term.en)} | {_cell(term.zh)} | {_cell(term.en_definition)} |")
    return "\n".join(lines) + "\n"


# --- JupyterLab in Chinese -------------------------------------------------------------------------

def _user_lab_settings() -> Path | None:
    """The folder of the user's own JupyterLab settings, when there is one (read, never written)."""
    try:
        from jupyterlab.commands import get_user_settings_dir
    except ImportError:  # pragma: no cover - jupyterlab is a dependency
        return None
    folder = Path(get_user_settings_dir())
    return folder if folder.is_dir() else None


def lab_settings(target: str | os.PathLike, language: str = "zh") -> Path:
    """Prepare a JupyterLab settings folder at ``target`` for ``language``: a copy of the user's own settings
    (left untouched) with the interface language set on top; returns the folder, for
    ``--LabApp.user_settings_dir``. What the user changes in that session stays in the copy."""
    target = Path(target)
    if target.exists():
        shutil.rmtree(target)
    own = _user_lab_settings()
    if own is not None and own.resolve() != target.resolve():
        shutil.copytree(own, target)
    source = LAB_SETTINGS_DIR / normalise_language(language)
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True)
    target.mkdir(parents=True, exist_ok=True)
    return target


def lab_arguments(language: str | None, root: str | os.PathLike) -> list[str]:
    """The arguments ``make lab`` gives ``jupyter lab``: the notebooks to open and, for Chinese, the settings
    folder (under ``build/``) that sets JupyterLab's menus in Chinese."""
    root = Path(root)
    language = normalise_language(language or DEFAULT_LANGUAGE)
    if language == "en":
        return [str(root / "notebooks")]
    folder = root / "notebooks" / "zh"
    if not folder.is_dir():
        print("make lab: notebooks/zh/ (the Chinese edition) does not exist yet; opening notebooks/ with "
              "JupyterLab in Chinese.", file=sys.stderr)
        folder = root / "notebooks"
    settings = lab_settings(root / "build" / "jupyterlab" / language / "user-settings", language)
    return [f"--LabApp.user_settings_dir={settings}", str(folder)]


_LAB_USAGE = "usage: python -m course_utils.i18n lab-arguments [LANGUAGE]"


def main(argv: list[str] | None = None) -> int:
    """``python -m course_utils.i18n lab-arguments zh``: print ``make lab``'s arguments for ``jupyter lab``."""
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] != "lab-arguments" or len(argv) > 2:
        print(_LAB_USAGE, file=sys.stderr)
        return 2
    language = argv[1] if len(argv) == 2 and argv[1] else os.environ.get(LANGUAGE_VARIABLE)
    from course_utils import PROJECT_ROOT

    try:
        arguments = lab_arguments(language, PROJECT_ROOT)
    except LanguageError as error:
        print(f"make lab: {error}", file=sys.stderr)
        return 2
    print(" ".join(shlex.quote(argument) for argument in arguments))
    return 0


if __name__ == "__main__":
    sys.exit(main())
