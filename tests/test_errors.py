"""One base class for the errors a user sees (engine/errors.py), caught once by the command line."""

from __future__ import annotations

import pytest

from pizzaborg.engine.errors import PizzaBorgError


def _user_errors() -> list[type]:
    from pizzaborg.author.bots import BotError
    from pizzaborg.author.cli import ToolError
    from pizzaborg.cli import UsageError
    from pizzaborg.engine.conditions import ConditionError
    from pizzaborg.engine.game import GameError, ReplayError
    from pizzaborg.engine.loader import StoryError
    from pizzaborg.engine.saves import SaveError
    from pizzaborg.trainer.assignment import AssignmentError
    from pizzaborg.trainer.lrs import LrsError
    from pizzaborg.trainer.report import ReplayMismatch, ReportError
    from pizzaborg.trainer.send import SendError
    from pizzaborg.trainer.xapi import XapiError
    from pizzaborg.web.command import ServeError

    return [
        BotError,
        ToolError,
        UsageError,
        ConditionError,
        GameError,
        ReplayError,
        StoryError,
        SaveError,
        AssignmentError,
        LrsError,
        ReportError,
        ReplayMismatch,
        SendError,
        XapiError,
        ServeError,
    ]


@pytest.mark.parametrize("error", _user_errors(), ids=lambda e: e.__name__)
def test_every_user_facing_error_is_a_pizzaborg_error(error):
    assert issubclass(error, PizzaBorgError)


def test_the_command_line_shows_a_user_error_as_its_one_line_not_as_an_internal_error(run_cli, monkeypatch):
    """A domain error that reaches cli.main is the user's to fix (exit 2); 'internal error' (exit 3) is
    left for real bugs."""
    from pizzaborg import cli
    from pizzaborg.engine.saves import SaveError

    def broken(args):
        raise SaveError("autosave.json is damaged or not a save (it is not valid JSON)")

    monkeypatch.setattr(cli, "cmd_play", broken)
    rc, out, err = run_cli("play", "--choices", "1")
    assert rc == 2
    assert err == "pizzaborg: autosave.json is damaged or not a save (it is not valid JSON)\n"


def test_a_bug_is_still_an_internal_error(run_cli, monkeypatch):
    from pizzaborg import cli

    def buggy(args):
        raise KeyError("oops")

    monkeypatch.setattr(cli, "cmd_play", buggy)
    rc, out, err = run_cli("play", "--choices", "1")
    assert rc == 3 and "internal error: KeyError" in err
