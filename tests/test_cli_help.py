"""`pizzaborg --help` names every command, and a command offers only the options that do something."""

from __future__ import annotations

from pizzaborg.cli import build_parser


def _subparsers(parser):
    for action in parser._actions:  # argparse keeps subcommands only here
        if action.__class__.__name__ == "_SubParsersAction":
            return action.choices
    return {}


def test_the_closing_line_of_help_names_every_command(run_cli):
    code, out, err = run_cli("--help")
    assert code == 0
    epilog = " ".join(out.split("Commands:", 1)[1].split())
    commands = _subparsers(build_parser())
    for name, sub in commands.items():
        assert name in epilog, f"'{name}' is not named in: {epilog}"
        for tool in _subparsers(sub):
            assert tool in epilog, f"'{name} {tool}' is not named in: {epilog}"


def test_commands_that_use_no_saves_do_not_offer_saves_dir(run_cli):
    for argv in (
        ["story", "graph"],
        ["story", "check"],
        ["story", "bots"],
        ["cohort"],
        ["verify"],
        ["assignment", "new"],
    ):
        code, out, err = run_cli(*argv, "--help")
        assert code == 0 and "--story" in out, argv
        assert "--saves-dir" not in out, argv
    for argv in (["play"], ["report"]):
        code, out, err = run_cli(*argv, "--help")
        assert "--saves-dir" in out, argv
    code, out, err = run_cli("story", "graph", "--saves-dir", "x")
    assert code == 2 and "unrecognized arguments: --saves-dir" in err
