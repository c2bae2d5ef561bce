"""The one base class of the errors a user sees, so that a face can catch them all in one place.

Every error that reports bad input or a state the user can fix (a story with problems, a damaged
save, a report that does not verify, a bad option) derives from :class:`PizzaBorgError`: its message
is one line for the user, shown as is, with no traceback. ``pizzaborg.cli.main`` catches it once and
exits 2; anything else that reaches it is a bug and is reported as an internal error (exit 3).
"""

from __future__ import annotations


class PizzaBorgError(Exception):
    """An error whose message is one line for the user (what is wrong and, where it helps, what to do)."""
