"""Results to a real Learning Record Store: Ralph on 127.0.0.1 with its filesystem backend and
basic-auth users (a trainer with every right, a write-only key for assignments).

Skipped, with the reason, only when Ralph is not installed (see ralph_server.py)."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta

import pytest
import ralph_server
from trainer_helpers import MINI, T0, cli, make_assignment, mini, one_line, play, report_of, write_json  # noqa: F401

from pizzaborg.trainer.assignment import write_assignment
from pizzaborg.trainer.lrs import Lrs
from pizzaborg.trainer.xapi import statements

pytestmark = pytest.mark.lrs


@pytest.fixture(scope="session")
def ralph_py():
    py, why = ralph_server.ralph_python()
    if py is None:
        pytest.skip(why)
    return py


@pytest.fixture(scope="session")
def auth_file(ralph_py, tmp_path_factory):
    return ralph_server.make_auth_file(ralph_py, tmp_path_factory.mktemp("ralph-auth") / "auth.json")


@pytest.fixture(scope="session")
def ralph(ralph_py, auth_file, tmp_path_factory):
    server = ralph_server.start(ralph_py, tmp_path_factory.mktemp("ralph-data"), auth_file)
    yield server
    server.stop()


@pytest.fixture
def trainer_env(monkeypatch):
    monkeypatch.setenv("PIZZABORG_LRS_USER", ralph_server.TRAINER[0])
    monkeypatch.setenv("PIZZABORG_LRS_PASSWORD", ralph_server.TRAINER[1])


def trainer(ralph) -> Lrs:
    return Lrs(ralph.url, *ralph_server.TRAINER)


def stored(ralph, registration: str) -> list:
    """What the LRS holds for one playthrough (read back with GET)."""
    return trainer(ralph).get_statements({"registration": registration})


def sent_part(st: dict) -> dict:
    return {k: v for k, v in st.items() if k not in ("stored", "authority", "version")}


_STARTS = itertools.count()


def timed_report(story, policy="first", learner="Ann", assignment=None, start=None):
    # one LRS serves every test: each playthrough starts at its own minute, so registrations differ
    start = start or T0 + timedelta(minutes=next(_STARTS))
    r = report_of(story, policy, learner=learner, assignment=assignment, start=start, minutes=20)
    for i, d in enumerate(r["decisions"]):
        d["at"] = (start + timedelta(seconds=31.5 * (i + 1))).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    from pizzaborg.trainer.report import time_spent  # what a report of a timed game carries with the times

    spent = time_spent(r.get("started"), [d["at"] for d in r["decisions"]], len(r["decisions"]))
    if spent is not None:
        r["time_spent"] = spent
    return r


def test_send_reads_back_and_a_resend_changes_nothing(ralph, cli, tmp_path, mini, trainer_env):
    a = make_assignment(mini)
    r = timed_report(mini, assignment=a)
    path = write_json(tmp_path / "ann.json", r)
    code, out, err = cli("send", path, "--lrs", ralph.url, "--story", MINI)
    assert code == 0, err
    expected = statements(r)
    assert out.strip() == f"{path}: {len(expected)} statement(s) sent to {ralph.url}"
    held = stored(ralph, r["registration"])
    assert sorted((sent_part(s) for s in held), key=lambda s: s["id"]) == sorted(expected, key=lambda s: s["id"])
    assert all(s["stored"] for s in held)  # the LRS's own record of when
    # the same results again: no error, no duplicate
    code, out, err = cli("send", path, "--lrs", ralph.url, "--story", MINI)
    assert code == 0, err
    assert len(stored(ralph, r["registration"])) == len(expected)


def test_send_a_save_played_headless(ralph, cli, tmp_path, mini, trainer_env):
    game = play(mini, 5, "worst")
    ids = ",".join(d["choice"] for d in game.decision_list)
    game.close()
    code, _, err = cli("play", "--story", MINI, "--seed", 5, "--choices", ids, "--save", "mine")
    assert code == 0, err
    code, out, err = cli("send", "mine", "--lrs", ralph.url, "--story", MINI, "--learner", "Bo")
    assert code == 0, err
    assert "statement(s) sent" in out
    code, out2, err = cli("send", "mine", "--lrs", ralph.url, "--story", MINI, "--learner", "Bo")
    assert code == 0 and "already there: the LRS at" in out2  # Ralph answers 204: it holds them all


def test_a_wrong_password_is_refused_with_a_clear_message(ralph, cli, tmp_path, mini, monkeypatch):
    r = timed_report(mini, learner="Nobody sent this")
    path = write_json(tmp_path / "r.json", r)
    monkeypatch.setenv("PIZZABORG_LRS_USER", ralph_server.TRAINER[0])
    monkeypatch.setenv("PIZZABORG_LRS_PASSWORD", "not-the-password")
    code, out, err = cli("send", path, "--lrs", ralph.url, "--story", MINI)
    assert code == 1
    line = one_line(out)
    assert "NOT sent" in line and "refused the credentials (HTTP 401" in line
    assert "not-the-password" not in out + err
    assert stored(ralph, r["registration"]) == []
    # the cohort as well
    code, out, err = cli(
        "cohort", "--lrs", ralph.url, "--assignment", _assignment_file(mini, tmp_path), "--story", MINI
    )
    assert code == 1 and "refused the credentials" in err.replace("\n", " ")


def _assignment_file(story, tmp_path, **kw):
    a = make_assignment(story, **kw)
    path = tmp_path / f"assignment-{a.id[:8]}.yaml"
    write_assignment(a, path)
    return path


def test_the_cohort_from_the_lrs_matches_the_cohort_from_files(ralph, cli, tmp_path, mini, trainer_env):
    from pizzaborg.trainer.assignment import load_assignment

    apath = _assignment_file(mini, tmp_path, mastery=0.5, deadline=None)
    a = load_assignment(apath)
    folder = tmp_path / "handed-in"
    folder.mkdir()
    for learner, policy in (("Ann", "first"), ("Bo", "worst"), ("Cy", "best")):
        write_json(folder / f"{learner}.json", timed_report(mini, policy, learner=learner, assignment=a))
    other = make_assignment(mini)  # another assignment's results in the same LRS are not this cohort's
    write_json(folder.parent / "other.json", timed_report(mini, "worst", learner="Di", assignment=other))
    before = datetime.now(UTC).replace(microsecond=0)
    code, out, err = cli("send", folder, folder.parent / "other.json", "--lrs", ralph.url, "--story", MINI)
    assert code == 0, out + err
    assert len(out.strip().splitlines()) == 4

    code, out, err = cli("cohort", "--lrs", ralph.url, "--assignment", apath, "--story", MINI, "--format", "json")
    assert code == 0, err
    from_lrs = json.loads(out)
    code, out, err = cli("cohort", folder, "--assignment", apath, "--story", MINI, "--format", "json")
    assert code == 0, err
    from_files = json.loads(out)
    assert from_lrs["learners"] == from_lrs["verified"] == 3 and from_lrs["rejected"] == []
    for key in ("endings", "score", "areas", "learning_points", "worst_choices", "stories"):
        assert from_lrs[key] == from_files[key], key
    assert sorted(r["score"] for r in from_lrs["learners_table"]) == sorted(
        r["score"] for r in from_files["learners_table"]
    )
    # when: the LRS's stored time, not the claim in the statements (T0, days ago)
    for row in from_lrs["learners_table"]:
        assert datetime.fromisoformat(row["finished"].replace("Z", "+00:00")) >= before
        assert row["learner"].startswith("account ")  # the LRS holds no names


def test_an_edited_statement_in_the_lrs_is_left_out(ralph, cli, tmp_path, mini, trainer_env):
    apath = _assignment_file(mini, tmp_path)
    from pizzaborg.trainer.assignment import load_assignment

    a = load_assignment(apath)
    good = statements(timed_report(mini, "first", learner="Ann", assignment=a))
    forged = statements(timed_report(mini, "worst", learner="Eve", assignment=a))
    completed = next(s for s in forged if s["verb"]["id"].endswith("/completed"))
    completed["result"]["extensions"][next(iter(completed["result"]["extensions"]))]["score"] = 100
    trainer(ralph).post(good + forged)
    code, out, err = cli("cohort", "--lrs", ralph.url, "--assignment", apath, "--story", MINI, "--format", "json")
    assert code == 0, err
    c = json.loads(out)
    assert c["verified"] == 1 and len(c["rejected"]) == 1 and "score" in c["rejected"][0]["reason"]
    assert "failed verification" in err


def test_an_assignment_game_sends_by_itself_and_queues_when_offline(
    ralph_py, auth_file, cli, tmp_path, mini, monkeypatch
):
    port = ralph_server.free_port()
    url = f"http://127.0.0.1:{port}/xAPI/"
    a = make_assignment(mini, lrs={"endpoint": url, "key": ralph_server.KEY[0], "secret": ralph_server.KEY[1]})
    apath = tmp_path / "a.yaml"
    write_assignment(a, apath)
    assert ralph_server.KEY[1] in apath.read_text()  # the write-only key travels with the assignment...
    game = play(mini, a.seed, "first")
    ids = ",".join(d["choice"] for d in game.decision_list)
    game.close()
    saves = tmp_path / "saves"

    # offline: nothing listens on the port yet
    code, out, err = cli(
        "play", "--assignment", apath, "--learner", "Ann", "--choices", ids, "--story", MINI, "--saves-dir", saves
    )
    assert code == 0, err
    assert "not sent to your trainer's LRS yet" in out and "cannot reach the LRS" in out
    queued = list((saves / "outbox").glob("*.json"))
    assert len(queued) == 1
    report_file = next((saves / "reports").glob("*.json"))
    for f in [report_file, *queued, *saves.glob("*.json")]:  # ...but never lands in reports, saves or the outbox
        assert ralph_server.KEY[1] not in f.read_text(), f

    server = ralph_server.start(ralph_py, tmp_path / "lrs-data", auth_file, port=port)
    try:
        code, out, err = cli(
            "play", "--assignment", apath, "--learner", "Bo", "--choices", ids, "--story", MINI, "--saves-dir", saves
        )
        assert code == 0, err
        assert "1 earlier result(s) that could not be sent before were sent" in out
        assert "Your results were sent to your trainer's LRS" in out
        assert list((saves / "outbox").glob("*.json")) == []
        monkeypatch.setenv("PIZZABORG_LRS_USER", ralph_server.TRAINER[0])
        monkeypatch.setenv("PIZZABORG_LRS_PASSWORD", ralph_server.TRAINER[1])
        code, out, err = cli("cohort", "--lrs", url, "--assignment", apath, "--story", MINI, "--format", "json")
        assert code == 0, err
        assert json.loads(out)["learners"] == 2
        # the key can write, not read
        code, out, err = cli(
            "cohort",
            "--lrs",
            url,
            "--assignment",
            apath,
            "--story",
            MINI,
            "--user",
            ralph_server.KEY[0],
            "--password",
            ralph_server.KEY[1],
        )
        assert code == 1 and "refused the credentials" in err
    finally:
        server.stop()


def test_undo_statements_and_estimates_are_stored_unchanged(ralph, cli, tmp_path, mini, trainer_env):
    """A game with undos: Ralph takes the 'undid' statements, the estimates and the objectives as sent."""
    from pizzaborg.engine import Game
    from pizzaborg.trainer.report import build_report

    a = make_assignment(mini, mastery=0.5)
    game = Game(mini, a.seed)
    while not game.over:
        options = game.available()
        if len(options) > 1:
            game.choose(options[0].id)
            game.undo()
        game.choose(options[-1].id)
    start = T0 + timedelta(minutes=next(_STARTS))
    times = [
        (start + timedelta(seconds=31.5 * (i + 1))).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        for i in range(len(game.decisions))
    ]
    r = build_report(
        game, learner="Ann", assignment=a, started=start, finished=start + timedelta(minutes=20), times=times
    )
    assert r["undone"] > 0
    path = write_json(tmp_path / "undos.json", r)
    code, out, err = cli("send", path, "--lrs", ralph.url, "--story", MINI)
    assert code == 0, err
    expected = statements(r)
    held = stored(ralph, r["registration"])
    assert sorted((sent_part(s) for s in held), key=lambda s: s["id"]) == sorted(expected, key=lambda s: s["id"])
    code, out, err = cli("send", path, "--lrs", ralph.url, "--story", MINI)
    assert code == 0, err
    assert len(stored(ralph, r["registration"])) == len(expected)


def test_a_second_cohort_reads_only_what_is_new_and_replays_only_changed_attempts(
    ralph, cli, tmp_path, mini, trainer_env, monkeypatch
):
    """Issue 22 §5: the trainer's cache keeps statements by id and verdicts per attempt; the next run asks
    the LRS with ``since`` and replays only attempts whose statements changed."""
    from pizzaborg.trainer import lrs_cache
    from pizzaborg.trainer.assignment import load_assignment
    from pizzaborg.trainer.verify import Verifier

    monkeypatch.setattr(lrs_cache, "MARGIN", timedelta(0))  # the LRS here commits in order
    apath = _assignment_file(mini, tmp_path)
    a = load_assignment(apath)
    who = (("A", "first"), ("B", "worst"), ("C", "best"))
    reports = [timed_report(mini, p, learner=n, assignment=a) for n, p in who]
    trainer(ralph).post([st for r in reports[:2] for st in statements(r)])
    asked, replayed = [], []
    get, verify = Lrs.get_statements, Verifier.verify_data

    def counting_get(self, params):
        found = get(self, params)
        asked.append((dict(params), len(found)))
        return found

    def counting_verify(self, data, name):
        replayed.append(name)
        return verify(self, data, name)

    monkeypatch.setattr(Lrs, "get_statements", counting_get)
    monkeypatch.setattr(Verifier, "verify_data", counting_verify)
    cache = tmp_path / "cache"
    args = ("cohort", "--lrs", ralph.url, "--assignment", apath, "--story", MINI, "--format", "json", "--cache", cache)
    code, out, err = cli(*args)
    assert code == 0, err
    first = json.loads(out)
    assert first["verified"] == 2 and len(replayed) == 2
    assert all("since" not in p for p, _ in asked if "registration" not in p)
    (kept,) = cache.glob("*/index.json")
    # the statements were made days before they were stored: one query told what Ralph applies 'since' to
    assert json.loads(kept.read_text())["since_by"] == "timestamp"

    # nothing new: one query with since, nothing replayed, the same cohort
    asked.clear(), replayed.clear()
    code, out, err = cli(*args)
    assert code == 0, err
    assert json.loads(out)["learners_table"] == first["learners_table"] and replayed == []
    assert all("since" in p for p, _ in asked) and "0 new attempt(s), 0 changed, 2 unchanged" in err.replace("\n", " ")
    assert "a learner's outbox) may be missed" in err.replace("\n", " ")

    # one more game: only its statements are new and only it is replayed
    trainer(ralph).post(statements(reports[2]))
    asked.clear(), replayed.clear()
    code, out, err = cli(*args)
    assert code == 0, err
    c = json.loads(out)
    assert c["verified"] == 3 and len(replayed) == 1, (asked, err)
    assert f"{len(statements(reports[2]))} new statement(s)" in err.replace("\n", " ")
    assert "1 new attempt(s), 0 changed, 2 unchanged" in err.replace("\n", " ")

    # --no-cache reads everything and replays everything; the result is the same
    asked.clear(), replayed.clear()
    code, out, err = cli(*args[:-2], "--no-cache")
    assert code == 0, err
    assert json.loads(out)["learners_table"] == c["learners_table"] and len(replayed) == 3


def test_a_damaged_lrs_cache_is_read_again_with_a_note(ralph, cli, tmp_path, mini, trainer_env):
    apath = _assignment_file(mini, tmp_path)
    from pizzaborg.trainer.assignment import load_assignment

    a = load_assignment(apath)
    trainer(ralph).post(statements(timed_report(mini, "first", learner="A", assignment=a)))
    cache = tmp_path / "cache"
    args = ("cohort", "--lrs", ralph.url, "--assignment", apath, "--story", MINI, "--format", "json", "--cache", cache)
    code, out, err = cli(*args)
    assert code == 0, err
    (f,) = cache.glob("*/index.json")
    f.write_text("{not json", encoding="utf-8")
    code, out, err = cli(*args)
    assert code == 0 and json.loads(out)["verified"] == 1
    assert "cannot be read" in err.replace("\n", " ") and "read again" in err.replace("\n", " ")
    code, out, err = cli(*args)  # and it was written anew
    assert code == 0 and "cannot be read" not in err and "1 unchanged" in err.replace("\n", " ")


@pytest.mark.parametrize("lang", ["nl", "fr", "sv", "nb", "es-419"])
def test_a_game_in_each_shipped_language_reaches_ralph_with_its_language(ralph, cli, tmp_path, trainer_env, lang):
    """Issue 21: a game played in a language is replay-verified and sent; Ralph accepts its statements and
    gives back context.language and the language maps keyed by it."""
    from pizzaborg.engine import Game, load_story

    story = load_story(None)
    seed = 11 + ["nl", "fr", "sv", "nb", "es-419"].index(lang)  # (the same game started in the same second
    # by the same learner is one registration, whatever its language)
    game, ids = Game(story, seed), []
    while not game.over:
        cid = game.portfolio(game.available()) if game.pick else game.available()[0].id
        ids.append(cid)
        game.choose(cid)
    game.close()
    saves = tmp_path / "s"
    code, out, err = cli(
        "--lang", lang, "play", "--seed", seed, "--choices", ",".join(ids), "--save", "g", "--saves-dir", saves
    )
    assert code == 0, err
    code, out, err = cli("send", "g", "--lrs", ralph.url, "--saves-dir", saves)
    assert code == 0, out + err
    save = json.loads((saves / "g.json").read_text(encoding="utf-8"))
    back = stored(ralph, save["registration"]) if "registration" in save else []
    if not back:  # the registration is made from the save: read what Ralph holds for this language instead
        back = [st for st in trainer(ralph).get_statements({}) if st.get("context", {}).get("language") == lang]
    assert back, "Ralph holds none of the game's statements"
    assert all(st["context"]["language"] == lang for st in back)
    names = [st["object"]["definition"]["name"] for st in back if "definition" in st["object"]]
    assert names and all(lang in n for n in names)


def test_a_voided_statement_leaves_the_cohort_with_or_without_the_cache(ralph, cli, tmp_path, mini, trainer_env):
    """xAPI voiding: the statement a ``voided`` statement names is not part of its attempt any more, in the
    cohort read whole and in the trainer's cache (which read it before the voiding)."""
    from pizzaborg.trainer.assignment import load_assignment
    from pizzaborg.trainer.lrs_cohort import VOIDED

    apath = _assignment_file(mini, tmp_path)
    a = load_assignment(apath)
    ann = statements(timed_report(mini, "first", learner="A", assignment=a))
    trainer(ralph).post(ann + statements(timed_report(mini, "best", learner="B", assignment=a)))
    cache = tmp_path / "cache"
    args = ("cohort", "--lrs", ralph.url, "--assignment", apath, "--story", MINI, "--format", "json", "--cache", cache)
    code, out, err = cli(*args)
    assert code == 0 and json.loads(out)["verified"] == 2, err
    answered = next(s for s in ann if s["verb"]["id"].endswith("/answered"))
    now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    trainer(ralph).post(
        [
            {
                "id": f"0b0e2f4c-5a1d-4c3e-9f00-{next(_STARTS):012d}",
                "actor": answered["actor"],
                "verb": {"id": VOIDED, "display": {"en-US": "voided"}},
                "object": {"objectType": "StatementRef", "id": answered["id"]},
                "timestamp": now,
            }
        ]
    )
    code, out, err = cli(*args)
    cached = json.loads(out)
    assert "1 changed, 1 unchanged" in err.replace("\n", " ")
    code, out, err = cli(*args[:-2], "--no-cache")
    whole = json.loads(out)
    assert cached["verified"] == whole["verified"] == 1 and cached["learners_table"] == whole["learners_table"]
