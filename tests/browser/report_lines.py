"""What the browser checks' reports share (standard library only): their problems as lines of text."""

from __future__ import annotations

from collections.abc import Iterable


def problem_lines(*groups: tuple[str, Iterable]) -> list[str]:
    """One line per entry of each ``(template, entries)`` group, in order: ``template.format(entry)``, so
    ``("broken link: {}", ["a -> b (404)"])`` gives ``["broken link: a -> b (404)"]``."""
    return [template.format(entry) for template, entries in groups for entry in entries]
