"""Exercises with checkers, after Kaggle's learntools: a small core and one module per lesson.

Each lesson module has an ``exercises(...)`` function that a notebook binds once::

    from course_utils.exercises import loading
    ex = loading.exercises()
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()

Lessons: ``loading`` (01), ``preparing`` (02), ``building`` (03), ``training`` (04), ``history`` (05),
``evaluating`` (06), ``inside`` (07), ``regularising`` (08), ``optimizers`` (09), ``fast_track`` (10),
``augmentation`` (11), ``distributed`` (12), ``playground`` (13).
"""

from course_utils.exercises.core import Exercise, bind

__all__ = ["Exercise", "bind"]
