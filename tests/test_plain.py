"""Plain line mode, driven through standard input (docs/playing.md#plain-mode)."""

from __future__ import annotations

import io
import json
import subprocess
import sys

from pizzaborg.cli import main
from pizzaborg.engine import Game
from pizzaborg.engine import saves as S


def plain(run_cli, mini_dir, saves_dir, commands: str, seed: int | None = 3):
    args = ["--plain", "--story", mini_dir, "--saves-dir", saves_dir]
    if seed is not None:
        args += ["--seed", seed]
    return run_cli(*args, stdin=commands)


def by_numbers(mini, seed: int, numbers: list) -> Game:
    """The engine's game for the same numbers typed at the prompt."""
    game = Game(mini, seed)
    for n in numbers:
        game.choose_number(n)
    return game


def test_a_session(run_cli, mini_dir, mini, tmp_path):
    sd = tmp_path / "sv"
    code, out, err = plain(run_cli, mini_dir, sd, "1\nk\nu\n1\nh\n?\ns mine\n1\nq\n")
    assert code == 0, err
    # the scene, its numbered choices
    assert "The oven controller needs a patch." in out
    assert "  1. Assess the impact with the owner first." in out
    assert "  2. Push the patch tonight." in out
    assert "  3. Wait and see." in out
    # feedback on the choice
    assert "You chose: Assess the impact with the owner first." in out
    assert "The Collective: Delay. Irrelevant." in out
    assert "Learning note: Change management, impact first." in out
    assert "Business trust up 10, now 60 %" in out
    # k: the numbers
    assert "The numbers:" in out
    assert "Learning score" in out and "Assimilation" in out
    # u, h (history), ? (help), s
    assert "Undone: your last decision is taken back." in out
    assert (
        "History: 1 decision." in out
        and "1. The oven controller needs a patch: Assess the impact with the owner first." in " ".join(out.split())
    )
    assert "Commands (the same keys as in the terminal UI):" in out and "undo your last decision" in out
    assert "Saved as 'mine'" in out
    assert "Goodbye." in out
    # the save holds the game at the time of 's'; the autosave the game at 'q'
    assert S.load_game(sd, "mine", mini).game.decision_list == by_numbers(mini, 3, [1]).decision_list
    autosave = S.load_game(sd, "autosave", mini)
    assert autosave.warning is None
    assert autosave.game.decision_list == by_numbers(mini, 3, [1, 1]).decision_list


def test_eof_counts_as_quit(run_cli, mini_dir, mini, tmp_path):
    sd = tmp_path / "sv"
    code, out, _ = plain(run_cli, mini_dir, sd, "2\n")
    assert code == 0
    assert "Goodbye." in out
    assert S.load_game(sd, "autosave", mini).game.decision_list == [{"scene": "a.start", "choice": "push"}]


def test_quit_before_any_decision_writes_no_autosave(run_cli, mini_dir, tmp_path):
    sd = tmp_path / "sv"
    code, out, _ = plain(run_cli, mini_dir, sd, "k\nq\n")
    assert code == 0 and "Goodbye." in out
    assert not (sd / "autosave.json").exists()


def test_invalid_number_is_explained_and_the_game_goes_on(run_cli, mini_dir, mini, tmp_path):
    sd = tmp_path / "sv"
    code, out, _ = plain(run_cli, mini_dir, sd, "9\n0\nfoo\n2\nq\n")
    assert code == 0
    assert "There is no choice 9 here: pick 1 to 3." in out
    assert "There is no choice 0 here: pick 1 to 3." in out
    assert "'foo' is not a command" in out
    assert "You chose: Push the patch tonight." in out
    assert S.load_game(sd, "autosave", mini).game.decision_list == [{"scene": "a.start", "choice": "push"}]


def test_an_empty_line_never_chooses(run_cli, mini_dir, mini, tmp_path):
    # seed 3, after 'assess', the first drawn event is one without choices (a single Continue): a
    # double Enter after the first choice does not pass it unread; 1 goes on
    game = by_numbers(mini, 3, [1])
    assert len(game.scene.choices) == 1
    sd = tmp_path / "sv"
    code, out, _ = plain(run_cli, mini_dir, sd, "\n1\n\n\n1\nq\n")
    assert code == 0
    assert "Type 1 to go on" in out
    assert "An empty line chooses nothing: type a number from 1 to 3 and Enter." in out
    assert "An empty line chooses nothing: type 1 and Enter." in out
    assert len(S.load_game(sd, "autosave", mini).game.decisions) == 2


def test_playing_to_the_end(run_cli, mini_dir, tmp_path):
    # choice 1 everywhere is the best play on the mini story (assess, visit, fix, done; the events'
    # first choices carry no evidence): ending Good, learning score 100
    code, out, _ = plain(run_cli, mini_dir, tmp_path / "sv", "1\n" * 12 + "q\n")
    assert code == 0
    assert "Ending: Good" in out
    assert "The bakery thrives." in out
    assert "Learning score (first answers): 100 of 100." in out
    assert "Month 1 ends: Round A." in out and "Month 2 ends: Round B." in out
    assert "The game is over" in out


def test_undo_after_the_end(run_cli, mini_dir, mini, tmp_path):
    sd = tmp_path / "sv"
    code, out, _ = plain(run_cli, mini_dir, sd, "1\n" * 12 + "u\n2\nq\n")
    assert code == 0
    assert "Ending: Fired" in out  # the last decision re-made as 'Resign'
    assert S.load_game(sd, "autosave", mini).game.ending == "fired"


def test_undo_with_nothing_to_undo(run_cli, mini_dir, tmp_path):
    code, out, _ = plain(run_cli, mini_dir, tmp_path / "sv", "u\nq\n")
    assert code == 0 and "Nothing to undo yet." in out


def test_a_second_new_game_keeps_the_first_autosave(run_cli, mini_dir, mini, tmp_path):
    sd = tmp_path / "sv"
    assert plain(run_cli, mini_dir, sd, "1\nq\n").code == 0
    code, out, _ = plain(run_cli, mini_dir, sd, "2\nq\n", seed=4)
    assert code == 0
    assert "You have an unfinished game" in out
    kept = [i for i in S.list_saves(sd) if i.slot.startswith("autosave-")]
    assert len(kept) == 1, [i.slot for i in S.list_saves(sd)]
    assert f"kept as '{kept[0].slot}'" in out
    assert kept[0].save.seed == 3
    assert kept[0].save.decisions == [{"scene": "a.start", "choice": "assess"}]
    current = S.read_save(sd, "autosave")
    assert current.seed == 4 and current.decisions == [{"scene": "a.start", "choice": "push"}]


def test_new_games_in_the_same_second_keep_every_earlier_autosave(run_cli, mini_dir, tmp_path, monkeypatch):
    # "Starting a new game never destroys an unfinished one" -- also when two autosaves carry the
    # same timestamp (the kept name is built from it, to the second)
    monkeypatch.setattr(S, "_now", lambda: "2026-03-01T10:00:00+00:00")
    sd = tmp_path / "sv"
    for seed, first in ((1, "1"), (2, "2"), (3, "3")):
        assert plain(run_cli, mini_dir, sd, f"{first}\nq\n", seed=seed).code == 0
    seeds = sorted(i.save.seed for i in S.list_saves(sd) if i.readable)
    assert seeds == [1, 2, 3]


def test_loading_the_autosave_does_not_keep_a_copy(run_cli, mini_dir, tmp_path):
    sd = tmp_path / "sv"
    assert plain(run_cli, mini_dir, sd, "1\nq\n").code == 0
    code, out, _ = run_cli("--plain", "--story", mini_dir, "--saves-dir", sd, "--load", "autosave", stdin="1\nq\n")
    assert code == 0
    assert "Loaded 'autosave'" in out
    assert [p.name for p in sd.iterdir()] == ["autosave.json"]
    assert len(S.read_save(sd, "autosave").decisions) == 2


def test_save_asks_before_overwriting(run_cli, mini_dir, mini, tmp_path):
    sd = tmp_path / "sv"
    assert plain(run_cli, mini_dir, sd, "1\ns mine\nq\n").code == 0
    before = (sd / "mine.json").read_bytes()
    code, out, _ = plain(run_cli, mini_dir, sd, "2\ns mine\nn\nq\n")
    assert code == 0
    assert "'mine' exists. Overwrite it?" in out and "Not saved." in out
    assert (sd / "mine.json").read_bytes() == before


def test_save_with_a_bad_name(run_cli, mini_dir, tmp_path):
    sd = tmp_path / "sv"
    code, out, _ = plain(run_cli, mini_dir, sd, "1\ns ../evil\nq\n")
    assert code == 0
    assert "Not saved:" in out and "not a valid save name" in out
    assert not (tmp_path / "evil.json").exists()


def test_load_lists_saves_including_unreadable_ones(run_cli, mini_dir, tmp_path):
    sd = tmp_path / "sv"
    assert plain(run_cli, mini_dir, sd, "1\ns mine\nq\n").code == 0
    (sd / "broken.json").write_text("{oops")
    code, out, _ = plain(run_cli, mini_dir, sd, "l\nmine\nq\n")
    assert code == 0
    assert "mine  (" in out
    assert "broken  (unreadable:" in out
    assert "Loaded 'mine'" in out


def test_load_option_with_a_missing_save(run_cli, mini_dir, tmp_path):
    code, out, _ = run_cli("--plain", "--story", mini_dir, "--saves-dir", tmp_path, "--load", "ghost", stdin="q\n")
    assert code == 2
    assert "Cannot load" in out and "ghost" in out


class InterruptingStdin(io.StringIO):
    """Gives its lines, then raises KeyboardInterrupt as Ctrl-C would."""

    def readline(self, *args):
        line = super().readline(*args)
        if not line:
            raise KeyboardInterrupt
        return line


def test_ctrl_c_autosaves(mini_dir, mini, tmp_path, monkeypatch, capsys):
    sd = tmp_path / "sv"
    monkeypatch.setattr(sys, "stdin", InterruptingStdin("1\n"))
    code = main(["--plain", "--story", str(mini_dir), "--seed", "3", "--saves-dir", str(sd)])
    out = capsys.readouterr().out
    assert code == 130
    assert "Goodbye." in out
    assert S.load_game(sd, "autosave", mini).game.decision_list == [{"scene": "a.start", "choice": "assess"}]


def test_plain_in_a_real_process(mini_dir, tmp_path):
    sd = tmp_path / "sv"
    run = subprocess.run(
        [sys.executable, "-m", "pizzaborg", "--plain", "--story", str(mini_dir), "--seed", "3", "--saves-dir", str(sd)],
        input="1\nk\nq\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert "The oven controller needs a patch." in run.stdout
    assert "Goodbye." in run.stdout
    assert run.stderr == ""
    data = json.loads((sd / "autosave.json").read_text(encoding="utf-8"))
    assert [(d["scene"], d["choice"]) for d in data["decisions"]] == [("a.start", "assess")]


def test_plain_mode_offers_to_continue_what_the_terminal_game_would(run_cli, mini_dir, mini, tmp_path):
    """One rule for "continue" (play.Session.latest_autosave): the newest unfinished autosave, a kept one
    included; a finished game is not offered."""
    from pizzaborg.play.session import Session

    sd = tmp_path / "sv"
    sd.mkdir()
    unfinished = Game(mini, 5)
    unfinished.choose_number(1)
    S.save_game(sd, "autosave-20260101-000000", unfinished, now="2026-01-01T00:00:00+00:00")
    finished = Game(mini, 3)
    for _ in range(100):
        if finished.over:
            break
        finished.choose_number(1)
    assert finished.over
    S.save_game(sd, "autosave", finished, now="2026-01-02T00:00:00+00:00")
    assert Session(mini, sd).latest_autosave().slot == "autosave-20260101-000000"
    code, out, _ = plain(run_cli, mini_dir, sd, "q\n")
    assert code == 0 and "type l autosave-20260101-000000 to continue it" in " ".join(out.split())
