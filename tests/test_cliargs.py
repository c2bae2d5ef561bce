"""One validator for the numbers on the command line: the seed has one limit (2^63-1) everywhere."""

from __future__ import annotations

import argparse

import pytest

from pizzaborg.cliargs import MAX_SEED, seed, whole_number


def test_the_seed_is_any_whole_number_from_0_to_2_63_minus_1():
    assert MAX_SEED == 2**63 - 1
    assert seed("0") == 0 and seed(str(MAX_SEED)) == MAX_SEED
    wrong = [("-1", "between 0 and 2^63-1"), (str(2**63), "between 0 and 2^63-1"), ("x", "'x' is not a whole number")]
    for bad, why in [*wrong, ("1.5", "not a whole number")]:
        with pytest.raises(argparse.ArgumentTypeError, match=why.replace("^", r"\^")):
            seed(bad)


def test_a_range_says_what_it_checks():
    jobs = whole_number(1, 256, "--jobs")
    assert jobs("256") == 256
    with pytest.raises(argparse.ArgumentTypeError, match="^--jobs must be between 1 and 256$"):
        jobs("0")
    port = whole_number(1, 65535, "a port", noun="port number")
    with pytest.raises(argparse.ArgumentTypeError, match="^'http' is not a port number$"):
        port("http")


@pytest.mark.parametrize("args", [("play", "--choices", "1"), ("story", "bots", "-n", "1")])
def test_every_parser_takes_the_largest_seed_and_refuses_one_more(run_cli, mini_dir, args):
    """The author tools once stopped at 2^62-1 where play took up to 2^63-1."""
    rc, out, err = run_cli(*args, "--story", mini_dir, "--seed", str(2**63))
    assert rc == 2 and "the seed must be between 0 and 2^63-1" in err and "Traceback" not in err
    rc, out, err = run_cli(*args, "--story", mini_dir, "--seed", str(MAX_SEED))
    assert rc == 0, err


def test_the_author_tools_refuse_games_past_the_largest_seed(run_cli, mini_dir):
    rc, out, err = run_cli("story", "bots", "-n", "3", "--story", mini_dir, "--seed", str(MAX_SEED - 1))
    assert rc == 2 and err.strip().count("\n") == 0
    assert f"--seed must be at most {MAX_SEED - 2} for 3 games" in err
