"""Printing figures that come from training: the one formatter that marks them.

A trained figure (a loss, an accuracy, their mean and sd, a speed, the seconds a run took) is the
same from run to run on one machine, but it can round differently on another CPU, and a time changes
on every run. The course prints each one through ``trained`` (or ``marked`` for a piece of text made of
them), which puts it between two ANSI escape codes that change nothing on screen: ``START`` (not
italic) before it and ``END`` (not underlined) after it. JupyterLab, a terminal and the website hide
them; ``tests/sanitize.cfg`` replaces what stands between them before nbval compares a notebook's
outputs, so nbval still compares every other number exactly, and an assertion cell beside each
trained figure checks it against a threshold.

    print(f"test accuracy {trained(0.9912, '.2%')}")   # shows: test accuracy 99.12%
"""

from __future__ import annotations

import re

START = "\x1b[23m"
END = "\x1b[24m"
#: What ``tests/sanitize.cfg`` masks (a unit test checks that the two agree).
PATTERN = re.compile(re.escape(START) + "[^\x1b\n]*" + re.escape(END))


def trained(value, spec: str = "") -> str:
    """``value`` formatted with ``spec`` (as in an f-string: ``".2%"``, ``".4f"``, ``">8.1f"``), marked."""
    return marked(format(value, spec))


def marked(text: str) -> str:
    """``text`` marked as a trained figure. Pad it before marking: the marks take no room on screen."""
    if "\x1b" in text:
        raise ValueError(f"marked() takes plain text, got {text!r}")
    return f"{START}{text}{END}"


def unmarked(text: str) -> str:
    """``text`` without the marks: what a reader sees."""
    return text.replace(START, "").replace(END, "")


def masked(text: str, replacement: str = "FIGURE") -> str:
    """``text`` with each marked figure replaced, as ``tests/sanitize.cfg`` does for nbval."""
    return PATTERN.sub(replacement, text)
