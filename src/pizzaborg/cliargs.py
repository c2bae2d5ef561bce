"""The numbers a command line takes, checked in one place: each parser used to carry its own copy,
and the seed alone had two limits (2^63 in ``pizzaborg play``, 2^62 in the author tools).

:func:`whole_number` builds an argparse ``type=`` that turns the text into an int within a range or
says, in one line, what is wrong. A seed is any whole number from 0 to :data:`MAX_SEED`, the limit
saves, assignments and the terminal UI's new-game dialog also use.
"""

from __future__ import annotations

import argparse

from .engine.i18n import N_, _

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from collections.abc import Callable

MAX_SEED = 2**63 - 1  # a seed fits a signed 64-bit integer, as an assignment file or an LRS may store it


def whole_number(lo: int, hi: int, what: str, *, hi_text: str = "", noun: str = "whole number") -> Callable[[str], int]:
    """An argparse type: ``text`` as an int from ``lo`` to ``hi``; otherwise ArgumentTypeError saying
    "'x' is not a NOUN" or "WHAT must be between LO and HI" (``hi_text`` writes HI, e.g. 2^63-1)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(_("'{text}' is not a {noun}").format(text=text, noun=_(noun))) from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(
                _("{what} must be between {low} and {high}").format(what=_(what), low=lo, high=hi_text or hi).lstrip()
            )
        return value

    parse.__name__ = noun.replace(" ", "_")  # argparse names the type in some messages
    return parse


seed = whole_number(0, MAX_SEED, N_("the seed"), hi_text="2^63-1")
N_("whole number")  # the default noun, translated where it is said
