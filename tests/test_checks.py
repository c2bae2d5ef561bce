"""``pizzaborg story check``: the loader's validation plus graph checks, on purpose-built stories."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import BASE_ROUND, BASE_STORY, pos_of, write_story

from pizzaborg.engine import default_story_dir


def check(run_cli, root):
    code, out, err = run_cli("story", "check", root)
    return code, out.splitlines(), err


def reported(lines, file, line, fragment) -> bool:
    pattern = rf"(^|/){re.escape(file)}:{line}:\d+: "
    return any(re.search(pattern, ln) and fragment in ln for ln in lines)


def test_clean_base_story_passes(run_cli, base_story):
    code, lines, err = check(run_cli, base_story)
    assert code == 0, lines
    assert lines == ["base 1: OK — 1 round(s), 1 scene(s), 0 event(s), 2 ending(s)"]
    # only warnings, which do not fail the check (here: the catch-all 'ok' covers numbers worse than the start)
    assert all(": warning: " in ln for ln in err.splitlines())


def test_unreachable_scene(run_cli, tmp_path):
    rnd = (
        BASE_ROUND
        + """\
  - id: r1.orphan
    text: Nobody comes here.
    next: end
"""
    )
    code, lines, err = check(run_cli, write_story(tmp_path, BASE_STORY, {"01.yaml": rnd}))
    assert code == 1
    assert reported(lines, "rounds/01.yaml", pos_of(rnd, "r1.orphan")[0], "'r1.orphan' cannot be reached")
    assert len(lines) == 1
    assert "1 problem(s)" in err


def test_dead_end_loop(run_cli, tmp_path):
    # 'bad' leads into ping <-> pong, which never reach an ending; 'good' still ends the game
    rnd = (
        BASE_ROUND.replace("        worst: [W1]\n", "        worst: [W1]\n        next: r1.ping\n")
        + """\
  - id: r1.ping
    text: Ping.
    next: r1.pong
  - id: r1.pong
    text: Pong.
    next: r1.ping
"""
    )
    code, lines, _ = check(run_cli, write_story(tmp_path, BASE_STORY, {"01.yaml": rnd}))
    assert code == 1
    assert reported(lines, "rounds/01.yaml", pos_of(rnd, "id: r1.ping")[0], "'r1.ping' is a dead end")
    assert reported(lines, "rounds/01.yaml", pos_of(rnd, "id: r1.pong")[0], "'r1.pong' is a dead end")
    assert not any("r1.one" in ln for ln in lines)  # the start scene can still finish
    assert len(lines) == 2


def test_unreachable_ending(run_cli, tmp_path):
    # the only way out forces ending:ok, so 'bad' (trust < 30) can never be reached
    rnd = BASE_ROUND.replace("    next: end\n", "    next: ending:ok\n")
    code, lines, _ = check(run_cli, write_story(tmp_path, BASE_STORY, {"01.yaml": rnd}))
    assert code == 1
    assert reported(lines, "story.yaml", pos_of(BASE_STORY, "id: bad")[0], "ending 'bad' cannot be reached")
    assert len(lines) == 1


def test_unused_learning_point_and_worst_practice(run_cli, tmp_path):
    story = BASE_STORY.replace(
        "        - { id: lp.one, name: Point one }\n",
        "        - { id: lp.one, name: Point one }\n        - { id: lp.two, name: Point two }\n",
    ).replace(
        "    - { id: W1, name: Worst one }\n", "    - { id: W1, name: Worst one }\n    - { id: W2, name: Worst two }\n"
    )
    code, lines, _ = check(run_cli, write_story(tmp_path, story, {"01.yaml": BASE_ROUND}))
    assert code == 1
    assert reported(lines, "story.yaml", pos_of(story, "lp.two")[0], "learning point 'lp.two' is not used")
    assert reported(lines, "story.yaml", pos_of(story, "W2")[0], "worst practice 'W2'")
    assert len(lines) == 2


def test_pool_never_drawn(run_cli, tmp_path):
    rnd = (
        BASE_ROUND
        + """\
pools:
  forgotten:
    - id: ev.lost
      text: Lost news.
"""
    )
    code, lines, _ = check(run_cli, write_story(tmp_path, BASE_STORY, {"01.yaml": rnd}))
    assert code == 1
    assert any("pool 'forgotten' is never drawn from" in ln for ln in lines)


def test_loader_problems_are_reported_by_check(run_cli, tmp_path):
    rnd = BASE_ROUND.replace("next: end", "next: r1.nowhere")
    code, lines, err = check(run_cli, write_story(tmp_path, BASE_STORY, {"01.yaml": rnd}))
    assert code == 1
    assert reported(lines, "rounds/01.yaml", pos_of(rnd, "r1.nowhere")[0], "unknown scene 'r1.nowhere'")
    assert "Traceback" not in err


def test_every_line_is_path_line_column_message(run_cli, tmp_path):
    story = BASE_STORY + "colour: red\n"
    rnd = BASE_ROUND.replace("next: end", "next: r1.nowhere").replace("worst: [W1]", "worst: [W9]")
    code, lines, _ = check(run_cli, write_story(tmp_path, story, {"01.yaml": rnd}))
    assert code == 1 and len(lines) == 3
    assert all(re.match(r"^\S+:\d+:\d+: \S", ln) for ln in lines), lines


def test_story_check_accepts_story_option(run_cli, mini_dir):
    code, out, _ = run_cli("story", "check", "--story", mini_dir)
    assert code == 0 and "mini 1.0: OK" in out


def test_mini_fixture_passes(run_cli, mini_dir):
    code, lines, err = check(run_cli, mini_dir)
    assert code == 0, lines
    # 2 rounds; 6 scenes (a.start, a.news, a.bake, b.open, b.crash, b.close); 4 events; 3 endings
    assert lines == ["mini 1.0: OK — 2 round(s), 6 scene(s), 4 event(s), 3 ending(s)"]


def test_shipped_story_passes(run_cli):
    story_dir = default_story_dir()
    if not (story_dir / "story.yaml").is_file():
        pytest.skip(f"the shipped story is not written yet ({story_dir}/story.yaml does not exist)")
    code, lines, err = check(run_cli, story_dir)
    assert code == 0, "\n".join(lines) + err
    # and the default (no DIR) is the shipped story
    code, out, _ = run_cli("story", "check")
    assert code == 0 and out.splitlines() == lines


# ---- issue 19: the story's memory seams (warnings, tests/fixtures/memory) ----------------------------
MEMORY = Path(__file__).resolve().parent / "fixtures" / "memory"


def _memory(run_cli, name):
    code, lines, err = check(run_cli, MEMORY / name)
    assert code == 0, lines  # warnings do not fail the check
    return [ln for ln in err.splitlines() if "warning:" in ln and "ending 'low'" not in ln]  # endings: below


def test_every_memory_seam_is_a_warning_where_it_is(run_cli):
    warnings = _memory(run_cli, "seams")
    assert all(re.match(r"^\S+/rounds/01\.yaml:\d+:\d+: warning: ", w) for w in warnings), warnings
    text = "\n".join(warnings)
    assert re.search(
        r"01\.yaml:54:9: warning: 'r1\.later' names Julian after 'r1\.hire\.end-contract' sets "
        r"flag\.julian_left",
        text,
    )
    assert re.search(
        r"01\.yaml:57:13: warning: 'r1\.later\.switch' offers again what 'r1\.provider\.switch' chose", text
    )
    assert "flag 'julian_left' is set by 'r1.hire.end-contract' and never read" in text
    assert "'r1.bill' reads flag.cost_card before any scene that sets it (set by 'r1.card.print'" in text
    assert len(warnings) == 5  # and provider_switched: set, never read


def test_an_epilogue_line_naming_a_character_who_left_is_a_seam(run_cli):
    code, lines, err = check(run_cli, MEMORY / "seams")
    endings = [ln for ln in err.splitlines() if "warning: ending 'low' names Julian" in ln]
    assert sorted(re.sub(r"^.*names Julian in ", "", ln) for ln in endings) == [
        "\"Julian sends a postcard.\", which does not read flag.julian_left (set by 'r1.hire.end-contract': "
        "they left): guard it with 'not flag.julian_left'",
        '"Julian\'s slides still hang in the corri…", which does not read flag.julian_left (set by '
        "'r1.hire.end-contract': they left): guard it with 'not flag.julian_left'",
    ]
    assert all(re.match(r"^\S+/story\.yaml:\d+:\d+: warning: ", ln) for ln in endings)


def test_a_story_that_remembers_has_no_memory_warning(run_cli):
    assert _memory(run_cli, "clean") == []


def test_a_guarded_offer_and_a_guarded_name_are_not_seams():
    from pizzaborg.author.memory import memory_warnings
    from pizzaborg.engine import load_story

    warnings = [p.message for p in memory_warnings(load_story(MEMORY / "clean"))]
    assert warnings == []  # the epilogue line that names Julian reads flag.julian_left
    seams = [p.message for p in memory_warnings(load_story(MEMORY / "seams"))]
    assert sum("offers again" in m for m in seams) == 1 and sum("names Julian" in m for m in seams) == 3


def test_an_unknown_kpi_gets_a_did_you_mean_from_the_kpi_names(run_cli, tmp_path):
    """Issue 19: authors write 'sales' for 'revenue' (named "Sales vs plan"): the nearest id, name or
    word of a name is suggested, in effects and in conditions; a near id is suggested as before."""
    story = BASE_STORY.replace("- { id: trust, name: Trust,", "- { id: trust, name: Customer trust,")
    assert story != BASE_STORY
    rnd = BASE_ROUND.replace("effects: { trust:", "effects: { customer:", 1)
    rnd = rnd.replace("    next: end\n", "    next:\n      - when: trst > 3\n        to: end\n      - to: end\n", 1)
    code, lines, err = check(run_cli, write_story(tmp_path, story, {"01.yaml": rnd}))
    assert code == 1 and "Traceback" not in err
    assert any("unknown KPI 'customer' in effects" in ln and ln.endswith("did you mean 'trust'?") for ln in lines), (
        lines
    )
    assert any("unknown name 'trst'; did you mean 'trust'? (a KPI id" in ln for ln in lines), lines
