"""The interface in the learner's language (issue 21 §1, §5): the gettext layer, the catalogues and their
tooling, the pseudo-locale played through whole games with no English left, the order in which the
language is chosen, numbers by locale, and the language a save records."""

from __future__ import annotations

import io
import json
import os
import re

import pytest
from _storyhelp import ROOT, STORY_DIR

from pizzaborg.engine import Game, i18n, load_story
from pizzaborg.engine.i18n import LanguageError, choose

LOCALE = ROOT / "src" / "pizzaborg" / "locale"
POT = LOCALE / "pizzaborg.pot"
QPS_PO = LOCALE / "qps" / "LC_MESSAGES" / "pizzaborg.po"
# a word of English: two ASCII letters in a row (the pseudo-locale accents every letter it translates)
ENGLISH = re.compile(r"[A-Za-z]{2,}")


def story_languages() -> list[str]:
    """Every language the shipped story has a translation for, and the pseudo-locale: the translators'
    files join the whole-game test as they land."""
    return sorted({p.stem for p in (STORY_DIR / "l10n").glob("*.yaml")} | {"qps"})


def interface_languages() -> list[str]:
    return sorted(set(i18n.available()) - {"en"})


def first_path(story, seed: int) -> list[str]:
    """A whole game's choice ids: the first choice available (a portfolio: the first ones that fit)."""
    game = Game(story, seed)
    ids = []
    while not game.over:
        cid = game.portfolio(game.available()) if game.pick else game.available()[0].id
        ids.append(cid)
        game.choose(cid)
    return ids


def english_left(text: str, allowed: tuple = ()) -> list[str]:
    """The lines of ``text`` that still hold a word of English (``allowed``: text that may, such as a path)."""
    bad = []
    for line in text.splitlines():
        for a in allowed:
            line = line.replace(a, "")
        if ENGLISH.search(line):
            bad.append(line)
    return bad


# ---- the gettext layer ---------------------------------------------------------------------------


def test_english_is_the_source_word_for_word():
    i18n.use("en")
    assert i18n._("Goodbye.") == "Goodbye."
    assert i18n.ngettext("{n} choice", "{n} choices", 1) == "{n} choice"
    assert i18n.ngettext("{n} choice", "{n} choices", 3) == "{n} choices"
    assert i18n.current() == "en"


def test_the_pseudo_locale_translates_and_keeps_placeholders():
    i18n.use("qps")
    said = i18n._("Saved as '{name}' ({path}).")
    assert said.startswith("⟦") and "{name}" in said and "{path}" in said
    assert not ENGLISH.search(said.replace("{name}", "").replace("{path}", ""))
    assert i18n.current() == "qps"
    i18n.use(None)
    assert i18n._("Goodbye.") == "Goodbye."


def test_amounts_take_the_plural_rule():
    from pizzaborg.engine.text import amount

    assert amount(1, "Team weeks") == "1 team week"
    assert amount(3, "Team weeks") == "3 team weeks"
    assert amount(1.5, "Team weeks") == "1.5 team weeks"
    assert amount(1, "CAB slots") == "1 CAB slot"


def test_numbers_percentages_and_dates_by_locale():
    import datetime

    from pizzaborg.engine.text import fmt_num

    assert i18n.number(12.5, "en") == "12.5" and i18n.number(12.0, "en") == "12"
    assert i18n.number(12.5, "sv") == "12,5" and i18n.number(1234, "sv") == "1234"
    assert i18n.percent(12.5, "en") == "12.5%"
    assert i18n.percent(12.5, "sv").replace("\xa0", " ") == "12,5 %"
    assert i18n.number(-2.5, "nl") == "-2,5" or i18n.number(-2.5, "nl") == "−2,5"
    assert i18n.date(datetime.date(2026, 12, 6), "en") == "2026-12-06"
    assert "2026" in i18n.date(datetime.date(2026, 12, 6), "sv")
    assert i18n.number(7.5, "qps") == "7.5"  # the pseudo-locale writes English numbers
    i18n.use("sv")
    try:
        assert fmt_num(12.5) == "12,5" and fmt_num(3) == "3"
    finally:
        i18n.use(None)
    assert fmt_num(12.5) == "12.5"


def test_english_and_the_pseudo_locale_never_import_babel():
    """Start-up: Babel is imported on first use, by a language that needs it, never by English or qps."""
    import subprocess
    import sys

    code = (
        "import sys; from pizzaborg.cli import main; "
        "main(['--lang', 'qps', 'play', '--choices', '1']); "
        "sys.exit(3 if any(m == 'babel' or m.startswith('babel.') for m in sys.modules) else 0)"
    )
    env = {**os.environ, "PIZZABORG_LANG": "en"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr[-500:]


# ---- the catalogues and their tooling ------------------------------------------------------------


def _extracted() -> set:
    """Every message the source marks, inside f-strings too (Babel's extractor misses those on Python 3.11:
    the class server's page and the HTML reports had 37 messages no catalogue held)."""
    from pizzaborg.engine.i18n_build import marked

    return {
        (context, msgid if isinstance(msgid, str) else msgid[0])
        for context, msgid in marked(ROOT / "src" / "pizzaborg")
    }


def _catalogue(raw: bytes):
    from babel.messages.pofile import read_po

    return read_po(io.BytesIO(raw))


def test_the_template_holds_every_marked_string():
    """make l10n-extract was run after the last string was marked (else translators miss it)."""
    pot = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in _catalogue(POT.read_bytes()) if m.id}
    missing = sorted(str(m) for m in _extracted() - pot)
    assert missing == [], f"run make l10n-extract: {missing[:5]}"


def test_the_pseudo_locale_is_generated_from_the_template():
    from pizzaborg.engine.i18n_build import pseudo_catalogue

    assert QPS_PO.read_bytes() == pseudo_catalogue(POT.read_bytes()), "run make l10n-pseudo"


def test_every_catalogue_keeps_the_placeholders_of_its_source():
    """A translation that drops or renames a {placeholder} would crash .format(): none may."""
    field = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
    for po in sorted(LOCALE.glob("*/LC_MESSAGES/pizzaborg.po")):
        for m in _catalogue(po.read_bytes()):
            if not m.id or not m.string or m.fuzzy:
                continue
            ids = m.id if isinstance(m.id, (list, tuple)) else [m.id]
            strings = m.string if isinstance(m.string, (list, tuple)) else [m.string]
            allowed = set().union(*(field.findall(i) for i in ids))
            for s in strings:
                if s:
                    assert set(field.findall(s)) <= allowed, (po.parent.parent.name, m.id, s)


def test_a_po_newer_than_its_mo_is_compiled_again(tmp_path, monkeypatch):
    """A stale .mo is never read: the .po is compiled on first use and the .mo rewritten."""
    from pizzaborg.engine.i18n_build import pseudo_catalogue

    folder = tmp_path / "xx" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po = folder / "pizzaborg.po"
    po.write_bytes(pseudo_catalogue(POT.read_bytes()))
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    monkeypatch.setattr(i18n, "_cache", {"en": i18n._ENGLISH})
    assert i18n.translator("xx").gettext("Goodbye.").startswith("⟦")
    mo = folder / "pizzaborg.mo"
    assert mo.is_file()
    text = po.read_text(encoding="utf-8").replace('msgstr "⟦Ĝööđƀýé. ·⟧"', 'msgstr "Adjö."')
    assert "Adjö." in text
    po.write_text(text, encoding="utf-8")
    os.utime(mo, ns=(po.stat().st_mtime_ns - 10**9, po.stat().st_mtime_ns - 10**9))
    monkeypatch.setattr(i18n, "_cache", {"en": i18n._ENGLISH})
    assert i18n.translator("xx").gettext("Goodbye.") == "Adjö."
    assert "xx" in i18n.available()


def test_update_merges_the_template_into_a_language(tmp_path):
    from pizzaborg.engine.i18n_build import init, update

    po = init(POT, tmp_path, "es-419")
    assert po == tmp_path / "es_419" / "LC_MESSAGES" / "pizzaborg.po"
    assert update(POT, tmp_path) == [po]
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalogue(po.read_bytes()) if m.id}
    assert "Goodbye." in ids


# ---- choosing the language -----------------------------------------------------------------------


def test_the_order_flag_env_settings_assignment_system_english():
    known = ["sv", "nl", "es-419"]
    env = {"PIZZABORG_LANG": "nl", "LANG": "es_CL.UTF-8"}
    assert choose("sv", settings="es-419", assignment="nl", known=known, env=env) == "sv"
    assert choose(None, settings="es-419", assignment="sv", known=known, env=env) == "nl"
    env = {"LANG": "es_CL.UTF-8"}
    assert choose(None, settings="es-419", assignment="sv", known=known, env=env) == "es-419"
    assert choose(None, settings=None, assignment="sv", known=known, env=env) == "sv"
    assert choose(None, known=known, env=env) == "es-419"  # es-CL: the one Spanish the game has
    assert choose(None, known=known, env={"LC_ALL": "sv_SE.UTF-8", "LANG": "nl_NL"}) == "sv"
    assert choose(None, known=known, env={"LANG": "de_DE.UTF-8"}) == "en"  # a system language it lacks
    assert choose(None, known=known, env={"LANG": "C.UTF-8"}) == "en"
    assert choose(None, known=known, env={}) == "en"
    assert choose("SV_se", known=known, env={}) == "sv"
    assert choose("qps", known=[], env={}) == "qps"


def test_a_language_the_game_lacks_is_one_line_and_exit_2(run_cli, tmp_path):
    with pytest.raises(LanguageError, match="'xx' is not a language this game has"):
        choose("xx", known=["sv"], env={})
    with pytest.raises(LanguageError, match="PIZZABORG_LANG"):
        choose(None, known=[], env={"PIZZABORG_LANG": "klingon-weird"})
    code, out, err = run_cli("--lang", "xx", "play", "--choices", "1")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "'xx' is not a language this game has" in err
    code, _out, err = run_cli("--lang", "x\x1b[31my", "--plain", stdin="q\n")
    assert code == 2 and "\x1b" not in err


def test_settings_choose_the_language_when_nothing_else_does(run_cli, tmp_path, monkeypatch):
    from pizzaborg import settings

    monkeypatch.delenv("PIZZABORG_LANG")
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    settings.save(language="qps")
    assert settings.load()["language"] == "qps"
    code, out, err = run_cli("play", "--choices", "1", "--saves-dir", tmp_path / "s")
    assert code == 0, err
    assert "⟦" in out
    code, out, err = run_cli("--lang", "en", "play", "--choices", "1", "--saves-dir", tmp_path / "s")
    assert "⟦" not in out  # --lang wins over the settings


def test_an_assignment_names_the_language(run_cli, tmp_path, monkeypatch):
    monkeypatch.delenv("PIZZABORG_LANG")
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    a = tmp_path / "a.yaml"
    code, _out, err = run_cli("assignment", "new", "--cohort", "Dec", "--seed", "3", "-o", a)
    assert code == 0, err
    a.write_text(a.read_text(encoding="utf-8") + "language: qps\n", encoding="utf-8")
    from pizzaborg.trainer.assignment import load_assignment

    assert load_assignment(a).language == "qps"
    code, out, err = run_cli(
        "play", "--assignment", a, "--learner", "Ann", "--choices", "1", "--saves-dir", tmp_path / "s"
    )
    assert code == 0, err
    assert "⟦" in out
    a.write_text(a.read_text(encoding="utf-8").replace("language: qps", "language: 12"), encoding="utf-8")
    code, _out, err = run_cli("play", "--assignment", a, "--learner", "Ann", "--choices", "1")
    assert code == 2 and "language must be a language tag" in err


def test_a_language_without_a_story_translation_says_so_once(run_cli, tmp_path, monkeypatch):
    """The interface in a language whose story file is missing: the English story, one notice line."""
    from pizzaborg.play import language

    monkeypatch.setattr(language, "story_languages", lambda story_dir: [])
    # a tag with neither a story file nor an interface catalogue (sv has both now), so the notice is English
    monkeypatch.setattr(i18n, "available", lambda: ["en", "da"])
    code, out, err = run_cli("--lang", "da", "play", "--choices", "1", "--saves-dir", tmp_path / "s")
    assert code == 0, err
    assert err.strip().splitlines() == ["pizzaborg: The story has no translation into da yet: it is told in English."]
    assert "Six Months at Grab@Pizza" in out or "Grab@Pizza" in out


# ---- whole games: nothing left in English --------------------------------------------------------


@pytest.fixture(scope="module")
def shipped():
    return load_story(STORY_DIR)


def test_plain_mode_in_the_pseudo_locale_has_no_english_left(run_cli, tmp_path):
    """A whole game in plain mode, with the help, the history, the numbers and an undo: every line is
    pseudo-translated (the interface's words and the story's), except the save folder's path."""
    saves = tmp_path / "sv"
    stdin = "1\n2\n3\n4\n" * 100 + "h\nk\n?\nu\nfoo\n\n9\nq\n"
    code, out, err = run_cli("--lang", "qps", "--plain", "--seed", "5", "--saves-dir", saves, stdin=stdin)
    assert code == 0, err
    assert out.count("\n") > 300
    assert english_left(out, allowed=(str(saves), "autosave.json", "'foo'")) == []  # (what the learner typed)


@pytest.mark.parametrize("seed", [1, 7])
def test_headless_play_in_the_pseudo_locale_has_no_english_left(run_cli, tmp_path, shipped, seed):
    choices = ",".join(first_path(shipped, seed))
    saves = tmp_path / "s"
    code, out, err = run_cli(
        "--lang", "qps", "play", "--seed", seed, "--choices", choices, "--save", "end", "--saves-dir", saves
    )
    assert code == 0, err
    assert out.count("\n") > 200
    assert english_left(out, allowed=(str(saves), "end.json", "'end'")) == []  # (the save's name)


@pytest.mark.parametrize("lang", story_languages())
def test_a_whole_headless_game_in_each_language(run_cli, tmp_path, shipped, lang):
    """Every language the story is translated into (and qps) plays to its ending headless, records its
    language in the save, and is the same game as in English (the same ending, the same story hash)."""
    choices = ",".join(first_path(shipped, 2))
    saves = tmp_path / "s"
    code, out, err = run_cli(
        "--lang", lang, "play", "--seed", 2, "--choices", choices, "--save", "end", "--saves-dir", saves, "--json"
    )
    assert code == 0, err
    result = json.loads(out)
    code, out_en, err = run_cli("play", "--seed", 2, "--choices", choices, "--json")
    assert code == 0, err
    assert result["ending"] == json.loads(out_en)["ending"]
    save = json.loads((saves / "end.json").read_text(encoding="utf-8"))
    assert save["language"] == lang and save["story"]["hash"] == shipped.hash


@pytest.mark.parametrize("lang", interface_languages())
def test_each_interface_catalogue_plays_a_whole_game(run_cli, tmp_path, shipped, lang):
    choices = ",".join(first_path(shipped, 4))
    code, out, err = run_cli("--lang", lang, "play", "--seed", 4, "--choices", choices)
    assert code == 0, err
    assert out.count("\n") > 200


# ---- the language a save records ------------------------------------------------------------------


def test_a_save_records_its_language_and_an_old_save_is_english(tmp_path, shipped):
    from pizzaborg.engine import l10n
    from pizzaborg.engine import saves as S

    game = Game(l10n.translate(shipped, "qps"), 3)
    game.choose(game.available()[0].id)
    S.save_game(tmp_path, "q", game)
    data = json.loads((tmp_path / "q.json").read_text(encoding="utf-8"))
    assert data["language"] == "qps"
    assert S.read_save(tmp_path, "q").language == "qps"
    del data["language"]
    (tmp_path / "old.json").write_text(json.dumps(data), encoding="utf-8")
    assert S.read_save(tmp_path, "old").language == "en"
    # loading it into the English story is the same game
    loaded = S.restore(shipped, S.read_save(tmp_path, "q"))
    assert [d.choice for d in loaded.game.decisions] == [d.choice for d in game.decisions]


def test_the_source_tree_has_no_compiled_catalogue_in_git():
    """The .mo files are built (the wheel's hook, or on first use), never committed."""
    import subprocess

    listed = subprocess.run(["git", "ls-files", "*.mo"], cwd=ROOT, capture_output=True, text=True).stdout
    assert listed.strip() == ""
    assert "*.mo" in (ROOT / ".gitignore").read_text(encoding="utf-8").split()


def test_marked_strings_use_named_placeholders_only():
    """'{}' and '{0}' cannot be reordered by a translator: every placeholder has a name."""
    bad = [m for _c, m in _extracted() if re.search(r"\{\d*\}", m)]
    assert bad == []


# ---- reports, verification and xAPI in a language ----------------------------------------------


@pytest.fixture(scope="module")
def mini_story():
    from _storyhelp import MINI_DIR

    return load_story(MINI_DIR)


def _qps_report(story, learner="Ann"):
    from trainer_helpers import T0, play

    from pizzaborg.engine import l10n
    from pizzaborg.trainer.report import build_report

    game = play(l10n.translate(story, "qps"), 3)
    try:
        return build_report(game, learner=learner, started=T0, finished=T0)
    finally:
        game.close()


def test_a_report_of_a_pseudo_locale_game_records_it_and_verifies(mini_story):
    from pizzaborg.trainer.verify import Verifier

    report = _qps_report(mini_story)
    assert report["language"] == "qps"
    assert report["story"]["hash"] == mini_story.hash and report["story"]["title"].startswith("⟦")
    verifier = Verifier([mini_story])  # the English story: the verifier tells it in the report's language
    verdict = verifier.verify_data(json.loads(json.dumps(report)), "r.json")
    assert verdict.ok, verdict.problems
    tampered = json.loads(json.dumps(report))
    tampered["decisions"][0]["choice_text"] = "something else"
    assert not verifier.verify_data(tampered, "r.json").ok
    english = json.loads(json.dumps(report))
    english["language"] = "en"  # the claim changes the texts the replay gives: they no longer match
    assert not verifier.verify_data(english, "r.json").ok
    # a report of an English game says so, and one written before the language was recorded still verifies
    from trainer_helpers import report_of

    old = report_of(mini_story)
    assert old["language"] == "en"
    del old["language"]
    assert verifier.verify_data(json.loads(json.dumps(old)), "old.json").ok


def test_xapi_statements_carry_the_language_and_ralph_accepts_them(mini_story):
    from ralph.models.xapi.base.statements import BaseXapiStatement

    from pizzaborg.trainer.verify import Verifier
    from pizzaborg.trainer.xapi import statements

    report = _qps_report(mini_story)
    sts = statements(report)
    for st in sts:
        BaseXapiStatement(**st)
        assert st["context"]["language"] == "qps"
        assert st["verb"]["display"] == {"en-US": next(iter(st["verb"]["display"].values()))}  # English kept
    names = [st["object"]["definition"]["name"] for st in sts if "definition" in st["object"]]
    assert names and all(list(n) == ["qps"] for n in names)
    verdict = Verifier([mini_story]).verify_data(json.loads(json.dumps(sts)), "x.json")
    assert verdict.ok, verdict.problems
    # statements of a version that recorded no language: no context.language, English maps, still verify
    from trainer_helpers import report_of

    old = report_of(mini_story)
    del old["language"]
    old_sts = statements(old)
    assert all("language" not in st["context"] for st in old_sts)
    assert Verifier([mini_story]).verify_data(json.loads(json.dumps(old_sts)), "o.json").ok


def test_a_save_in_a_language_reports_in_it_and_verifies_on_the_command_line(run_cli, tmp_path, shipped):
    saves = tmp_path / "s"
    choices = ",".join(first_path(shipped, 2))
    code, _out, err = run_cli(
        "--lang", "qps", "play", "--seed", 2, "--choices", choices, "--save", "g", "--saves-dir", saves
    )
    assert code == 0, err
    out_file = tmp_path / "g.json"
    code, _out, err = run_cli("report", "g", "--format", "json", "-o", out_file, "--saves-dir", saves)
    assert code == 0, err
    report = json.loads(out_file.read_text(encoding="utf-8"))
    assert report["language"] == "qps" and report["ending"]["title"].startswith("⟦")
    code, out, err = run_cli("verify", out_file)
    assert code == 0, out + err


def test_a_cohort_mixes_languages_and_shows_each_learners(mini_story):
    """A learner who played in qps and one who played in English count together (by ids); the names
    shown are the trainer's language's; each row says its learner's language; the page is the trainer's."""
    from trainer_helpers import report_of

    from pizzaborg.trainer.cohort import render_cohort, summarise
    from pizzaborg.trainer.verify import Verifier

    verifier = Verifier([mini_story])
    reports = {"ann.json": _qps_report(mini_story, "Ann"), "bob.json": report_of(mini_story, learner="Bob", seed=4)}
    verdicts = [verifier.verify_data(json.loads(json.dumps(r)), name) for name, r in reports.items()]
    assert all(v.ok for v in verdicts), [v.problems for v in verdicts]
    c = summarise(verdicts)
    rows = {row["learner"]: row for row in c["learners_table"]}
    assert rows["Ann"]["language"] == "qps" and rows["Bob"]["language"] == "en"
    assert sum(e["count"] for e in c["endings"]) == 2 and c["score"]["n"] == 2  # counted together
    assert not any(e["title"].startswith("⟦") for e in c["endings"])  # named in the trainer's language (English)
    assert all(not p["name"].startswith("⟦") for p in c["learning_points"])
    md = render_cohort(c, "md")
    assert "| Ann | qps |" in md and "| Bob | en |" in md
    i18n.use("qps")
    try:
        page = render_cohort(summarise(verdicts), "html", names=True)
    finally:
        i18n.use(None)
    assert '<html lang="qps">' in page and "⟦" in page


def test_assignment_new_writes_the_learners_language(run_cli, tmp_path):
    a = tmp_path / "a.yaml"
    code, _out, err = run_cli("assignment", "new", "--cohort", "Dec", "--game-lang", "qps", "-o", a)
    assert code == 0, err
    assert "language: qps" in a.read_text(encoding="utf-8")
    code, _out, err = run_cli("assignment", "new", "--cohort", "Dec", "--game-lang", "xx", "-o", tmp_path / "b.yaml")
    assert code == 2 and "'xx' is not a language this game has" in err
    assert not (tmp_path / "b.yaml").exists()


@pytest.mark.parametrize("lang", sorted(i18n.DECIMAL_SIGN))
def test_the_shipped_languages_decimal_sign_is_cldrs(lang):
    """The table that spares a game in a shipped language Babel's import says what Babel says."""
    from babel.numbers import format_decimal

    for value in (12.5, -3.25, 0.5, 7.0, -2.0, 1234.5):
        shown = i18n.number(value, lang)
        babel = format_decimal(value, format="0" if float(value).is_integer() else "0.0", locale=lang.replace("-", "_"))
        assert shown == babel, (lang, value)


def test_no_catalogue_flags_a_brace_message_as_percent_format():
    """Babel flags a message holding "90 %" as python-format; ours are str.format, and msgfmt -c, Poedit and
    Weblate then reject its right translation. make l10n-extract and l10n-update leave the flag out."""
    for po in sorted((ROOT / "src" / "pizzaborg" / "locale").rglob("*.po*")):
        flags = [line for line in po.read_text(encoding="utf-8").splitlines() if line.startswith("#,")]
        assert not [f for f in flags if "python-format" in f.replace("python-brace-format", "")], po
