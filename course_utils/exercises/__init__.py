"""Exercises with checkers, after Kaggle's learntools: a small core and one module per lesson.

Each lesson module is named after its notebook's number (``exNN_...``, so no name collides with a
package module such as ``course_utils.training``) and has an ``exercises(...)`` function that the
notebook binds once::

    from course_utils.exercises import ex01_loading
    ex = ex01_loading.exercises()
    ex.q1.check(answer); ex.q1.hint(); ex.q1.solution()

Lessons: ``ex01_loading``, ``ex02_preparing``, ``ex03_building``, ``ex04_training``, ``ex05_history``,
``ex06_evaluating``, ``ex07_inside``, ``ex08_regularising``, ``ex09_optimizers``, ``ex10_fast_track``,
``ex11_augmentation``, ``ex12_distributed``, ``ex13_playground``.
"""

from course_utils.exercises.core import Exercise, bind

__all__ = ["Exercise", "bind"]
