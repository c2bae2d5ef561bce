"""Issue 20, the degraded cases made clean: duplicate JSON keys refused, a byte-order mark accepted, a
learner name refused at the source, an anonymous page that names nobody, file modes that fit each file,
a linked round file refused through rounds/ too, randomtest's loop verdict, a long condition quoted in part."""

from __future__ import annotations

import json
import os
import stat

import pytest
from conftest import BASE_ROUND, BASE_STORY, write_story
from trainer_helpers import MINI, cli, make_assignment, mini, one_line, play, report_of, write_json  # noqa: F401

from pizzaborg.engine import load_story
from pizzaborg.engine import saves as S


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


# ---- duplicate keys and byte-order marks ----------------------------------------------------------------


def test_a_report_with_a_key_given_twice_does_not_verify(cli, tmp_path, mini):
    r = report_of(mini, "best", learner="Ann")
    text = json.dumps(r)
    doubled = text.replace('"score": ', '"score": 100, "score": ', 1)
    assert json.loads(doubled)["score"] == r["score"]  # what json.loads alone would take
    (tmp_path / "twice.json").write_text(doubled)
    out = cli("verify", "--story", MINI, tmp_path / "twice.json").out
    assert "NOT verified" in out and "the key 'score' appears twice in one object" in out


def test_a_save_with_a_key_given_twice_is_refused(tmp_path, mini):
    game = play(mini, 3)
    path = S.save_game(tmp_path, "mine", game, learner="Ann")
    text = path.read_text()
    path.write_text(text.replace('"learner": "Ann"', '"learner": "Ann", "learner": "Bob"'))
    with pytest.raises(S.SaveError, match="appears twice"):
        S.read_save_file(path)


def test_an_assignment_with_a_key_given_twice_is_refused(cli, tmp_path, mini):
    from pizzaborg.trainer.assignment import AssignmentError, load_assignment, write_assignment

    path = tmp_path / "a.yaml"
    write_assignment(make_assignment(mini), path)
    path.write_text(path.read_text() + "seed: 99\n")
    with pytest.raises(AssignmentError, match="seed"):
        load_assignment(path)


def test_a_byte_order_mark_is_accepted_in_reports_and_saves(cli, tmp_path, mini):
    path = write_json(tmp_path / "r.json", report_of(mini, "best", learner="Ann"))
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())  # as Notepad saves it
    assert "r.json: verified" in cli("verify", "--story", MINI, path).out
    game = play(mini, 3)
    save = S.save_game(tmp_path, "mine", game)
    save.write_bytes(b"\xef\xbb\xbf" + save.read_bytes())
    assert S.read_save_file(save).seed == 3


# ---- a learner name refused at the source -----------------------------------------------------------------


def test_report_refuses_a_learner_name_verify_would_refuse(cli, tmp_path, mini):
    game = play(mini, 3)
    save = S.save_game(tmp_path, "mine", game, learner="A" * 1_000_000)
    r = cli("report", "--story", MINI, save, "--format", "json", "-o", tmp_path / "r.json")
    assert r.code == 2 and "learner name the game does not write" in one_line(r.err) and len(r.err) < 400
    assert not (tmp_path / "r.json").exists()
    r = cli("report", "--story", MINI, save, "--learner", "Ann", "--format", "json", "-o", tmp_path / "r.json")
    assert r.code == 0 and "verified" in cli("verify", "--story", MINI, tmp_path / "r.json").out


# ---- the anonymous page --------------------------------------------------------------------------------


def test_the_anonymous_page_names_nobody_not_even_through_a_damaged_files_name(cli, tmp_path, mini):
    d = tmp_path / "hand-ins"
    d.mkdir()
    write_json(d / "Workshop-A-bob-jones-20261120-100000.json", report_of(mini, "best", learner="Bob Jones"))
    (d / "Alice Smith (damaged).json").write_text("{not json")
    broken = report_of(mini, "best", learner="Carol King")
    broken["score"] = 1
    write_json(d / "Workshop-A-carol-king-20261120-100000.json", broken)
    page = tmp_path / "page.html"
    r = cli("cohort", "--story", MINI, d, "--format", "html", "-o", page)
    assert r.code == 0, r.err
    text = page.read_text().lower()
    for name in ("alice", "smith", "bob", "jones", "carol", "king"):
        assert name not in text, name
    assert "report 1" in text and "report 2" in text
    r = cli("cohort", "--story", MINI, d, "--format", "html", "--names", "-o", page)
    assert "Alice Smith (damaged).json" in page.read_text()


# ---- file modes ------------------------------------------------------------------------------------------


def test_pages_and_hand_ins_follow_the_umask_and_saves_stay_private(cli, tmp_path, mini):
    from pizzaborg.trainer.formats import finish_assignment

    old = os.umask(0o022)
    try:
        d = tmp_path / "in"
        d.mkdir()
        write_json(d / "ann.json", report_of(mini, "best", learner="Ann"))
        page = tmp_path / "page.html"
        assert cli("cohort", "--story", MINI, d, "--format", "html", "-o", page).code == 0
        assert _mode(page) == 0o644
        game = play(mini, 3)
        handed = finish_assignment(game, make_assignment(mini), "Ann", tmp_path / "saves")
        assert _mode(handed) == 0o644 and _mode(handed.with_suffix(".html")) == 0o644
        save = S.save_game(tmp_path / "saves", "mine", game)
        assert _mode(save) == 0o600
        os.umask(0o077)  # a stricter umask now: rewriting the page the web server reads keeps it readable
        assert cli("cohort", "--story", MINI, d, "--format", "html", "-o", page).code == 0
        assert _mode(page) == 0o644
        new_page = tmp_path / "new.html"
        assert cli("cohort", "--story", MINI, d, "--format", "html", "-o", new_page).code == 0
        assert _mode(new_page) == 0o600
    finally:
        os.umask(old)


# ---- a linked round file, randomtest, a long condition ------------------------------------------------------


def test_a_round_file_linked_from_outside_is_refused_through_the_rounds_folder_too(tmp_path, run_cli):
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text("private_key_of_someone: 1\n")
    root = write_story(tmp_path, BASE_STORY, {"01.yaml": BASE_ROUND})
    os.symlink(outside, root / "rounds" / "02.yaml")
    code, out, err = run_cli("story", "check", root)
    assert code == 1
    assert "round file 'rounds/02.yaml' is outside the story folder (a link): not read" in out
    assert "private_key_of_someone" not in out + err


def _long_story(tmp_path, n: int):
    scenes = []
    for i in range(n):
        nxt = f"r1.s{i + 1}" if i + 1 < n else "end"
        scenes.append(
            f"  - id: r1.s{i}\n    text: Scene {i}.\n    choices:\n      - id: go\n        text: Go.\n"
            f"        evidence: {{ lp.one: 1 }}\n    next: {nxt}\n"
        )
    rnd = "round:\n  id: r1\n  title: Round one\nscenes:\n" + "".join(scenes)
    return write_story(tmp_path, BASE_STORY.replace("start: r1.one", "start: r1.s0"), {"01.yaml": rnd})


def test_randomtest_does_not_call_a_long_acyclic_story_a_loop(tmp_path):
    from pizzaborg.author.randomtest import run_randomtest

    story = load_story(_long_story(tmp_path, 2002))
    r = run_randomtest(story, 2, jobs=1)
    assert r.failures == [] and r.games == 2


def test_a_condition_nested_5000_deep_is_quoted_in_part(tmp_path, run_cli):
    cond = "(" * 5000 + "trust > 1" + ")" * 5000
    rnd = BASE_ROUND.replace("      - id: bad\n", f'      - id: bad\n        when: "{cond}"\n')
    root = write_story(tmp_path, BASE_STORY, {"01.yaml": rnd})
    code, out, err = run_cli("story", "check", root)
    line = next(ln for ln in out.splitlines() if "nested more than" in ln)
    assert code == 1 and len(line) < 400 and cond not in out and "…" in line


# ---- a flagged copy is not counted until the trainer says so ------------------------------------------------


def test_a_flagged_copy_is_held_back_from_the_projected_figures_until_counted(cli, tmp_path, mini):
    import re
    import statistics
    from datetime import timedelta

    from trainer_helpers import T0

    a = make_assignment(mini, mastery="0.5")
    d = tmp_path / "in"
    d.mkdir()
    ann = report_of(mini, "best", learner="Ann", assignment=a)
    bob = report_of(mini, "worst", learner="Bob", assignment=a)
    mallory = report_of(mini, "best", learner="Mallory", assignment=a, start=T0 + timedelta(hours=2))
    assert ann["mastery"]["passed"] and not bob["mastery"]["passed"]
    for name, r in (("ann", ann), ("bob", bob), ("mallory", mallory)):
        write_json(d / f"{name}.json", r)
    page = tmp_path / "page.html"

    def figures(*extra):
        assert cli("cohort", "--story", MINI, d, "--format", "html", "-o", page, *extra).code == 0
        text = re.sub(r"<[^>]+>", " ", page.read_text())
        return " ".join(text.split())

    held = figures()
    assert "Passed 1 of 3" in held
    from pizzaborg.trainer.reporttext import fmt_value as _fmt

    assert f"Mean learning score {_fmt(round(statistics.fmean([ann['score'], bob['score']]), 1))}" in held
    assert "1 learner(s) held back from these figures" in held and "--count-flagged" in held
    assert "Mallory" not in held
    counted = figures("--count-flagged")
    assert "Passed 2 of 3" in counted and "held back" not in counted
    mean = round(statistics.fmean([ann["score"], bob["score"], mallory["score"]]), 1)
    assert f"Mean learning score {_fmt(mean)}" in counted
    c = json.loads(cli("cohort", "--story", MINI, d, "--format", "json").out)
    assert c["held_back"] == [{"learner": "Mallory", "file": str(d / "mallory.json")}] and c["learners"] == 3
    assert [r["counted"] for r in c["learners_table"]] == [True, True, False]


# ---- serve's address, the trainers' example ------------------------------------------------------------------


def test_serve_prints_an_address_to_give_out(monkeypatch, tmp_path):
    import io
    from types import SimpleNamespace

    pytest.importorskip("aiohttp")
    from pizzaborg.web import server as W

    monkeypatch.setattr(W, "address_to_give_out", lambda ipv6_too=False: "192.168.1.20")
    out = io.StringIO()
    fake = SimpleNamespace(
        host="0.0.0.0",
        port=8011,
        code="K7QM-3XHD",
        max_sessions=30,
        idle_seconds=1800,
        data_dir=tmp_path,
        hand_ins=None,
        cohort=None,
        pool=None,
        reattach_grace=0,
        out=out,
    )
    W.ClassServer.listening(fake)
    assert out.getvalue().splitlines()[0] == "PizzaBorg class server: http://192.168.1.20:8011/"


def test_address_to_give_out_is_never_loopback():
    pytest.importorskip("aiohttp")
    from pizzaborg.web.server import address_to_give_out

    found = address_to_give_out(True)
    assert found is None or (not found.startswith("127.") and found != "::1")


def test_the_trainers_example_assignment_command_works_today(cli, tmp_path):
    import re
    import shlex
    from datetime import date, timedelta
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[1] / "docs" / "trainers.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(pizzaborg assignment new .*?)\n```", doc, re.S).group(1)
    args = shlex.split(block.replace("\\\n", " "))[1:]
    args[args.index("-o") + 1] = str(tmp_path / "december.yaml")
    r = cli(*args)
    assert r.code == 0, r.err
    deadline = re.search(r"deadline: '([0-9-]+)'", (tmp_path / "december.yaml").read_text()).group(1)
    assert date.fromisoformat(deadline) >= date.today() + timedelta(days=13)  # relative: never in the past
