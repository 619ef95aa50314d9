"""Errors of grading that are not a grade.

A call that cannot be judged (no transcript, a refused or malformed answer) is a `failed`
grade, not an exception; these are for the work itself failing in a way worth retrying.
"""

from __future__ import annotations


class GradingUnavailable(Exception):
    """The grader could not run now (throttled, its service down or timing out): the grade
    stays `pending` and the queue delivers the work again later."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
