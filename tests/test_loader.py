"""The story loader: every kind of problem is reported as ``path:line:column: message``, all at once.

Expected positions are derived from the YAML text with ``pos_of`` (the line and column of the token
the message must point at), so each test says which token is meant.
"""

from __future__ import annotations

import re

import pytest
from conftest import BASE_ROUND, BASE_STORY, pos_of, write_story

from pizzaborg.engine import StoryError, load_story


def problems_of(root) -> list[str]:
    with pytest.raises(StoryError) as info:
        load_story(root)
    return [str(p) for p in info.value.problems]


def find(problems: list[str], file: str, line: int, col: int | None, fragment: str) -> str:
    """The one problem at ``file:line[:col]`` whose message contains ``fragment``."""
    col_re = str(col) if col is not None else r"\d+"
    where = rf"(^|/){re.escape(file)}:{line}:{col_re}: "
    hits = [p for p in problems if re.search(where, p) and fragment in p]
    assert hits, f"no problem at {file}:{line}:{col} mentioning {fragment!r}; got:\n" + "\n".join(problems)
    return hits[0]


def test_base_story_is_clean(base_story):
    story = load_story(base_story)
    assert list(story.scenes) == ["r1.one"]


def test_yaml_syntax_error(tmp_path):
    story = BASE_STORY.replace("title: Base story", "title: Base: story")
    root = write_story(tmp_path, story, {"01.yaml": BASE_ROUND})
    problems = problems_of(root)
    line, col = pos_of(story, ": story")  # the second ':' on the title line is the problem
    assert (line, col) == (2, 12)
    find(problems, "story.yaml", line, col, "YAML syntax")
    assert len(problems) == 1


def test_python_tag_is_rejected_and_nothing_runs(tmp_path):
    marker = tmp_path / "pwned"
    tagged = f'!!python/object/apply:os.system ["touch {marker}"]'
    story = BASE_STORY.replace('version: "1"', f"version: {tagged}")
    root = write_story(tmp_path, story, {"01.yaml": BASE_ROUND})
    problems = problems_of(root)
    line, col = pos_of(story, "!!python")
    msg = find(problems, "story.yaml", line, col, "!!python/object/apply:os.system")
    assert "not allowed" in msg
    assert not marker.exists(), "the tag was executed"


def test_duplicate_mapping_key(tmp_path):
    story = BASE_STORY + "title: Again\n"
    root = write_story(tmp_path, story, {"01.yaml": BASE_ROUND})
    line, col = pos_of(story, "title: Again")
    find(problems_of(root), "story.yaml", line, col, "duplicate key 'title'")


def test_unknown_key_in_story_yaml(tmp_path):
    story = BASE_STORY + "colour: red\n"
    root = write_story(tmp_path, story, {"01.yaml": BASE_ROUND})
    line, col = pos_of(story, "colour")
    find(problems_of(root), "story.yaml", line, col, "unknown key 'colour'")


def test_unknown_key_in_scene(tmp_path):
    rnd = BASE_ROUND.replace("    text: First scene.\n", "    text: First scene.\n    colour: red\n")
    root = write_story(tmp_path, BASE_STORY, {"01.yaml": rnd})
    line, col = pos_of(rnd, "colour")
    assert col == 5
    find(problems_of(root), "rounds/01.yaml", line, col, "unknown key 'colour' in a scene")


def test_unknown_key_in_choice(tmp_path):
    rnd = BASE_ROUND.replace("        text: Good.\n", "        text: Good.\n        colour: red\n")
    root = write_story(tmp_path, BASE_STORY, {"01.yaml": rnd})
    line, col = pos_of(rnd, "colour")
    msg = find(problems_of(root), "rounds/01.yaml", line, col, "unknown key 'colour'")
    assert "choice" in msg


def test_wrong_type_number(tmp_path):
    story = BASE_STORY.replace("min: 0", 'min: "x"')
    root = write_story(tmp_path, story, {"01.yaml": BASE_ROUND})
    line, col = pos_of(story, '"x"')
    find(problems_of(root), "story.yaml", line, col, "'min' of KPI 'trust' must be a number")


def test_wrong_type_list(tmp_path):
    rnd = BASE_ROUND.replace("    choices:\n", "    choices: 5\n    old_choices:\n")
    root = write_story(tmp_path, BASE_STORY, {"01.yaml": rnd})
    line, col = pos_of(rnd, "5\n")
    find(problems_of(root), "rounds/01.yaml", line, col, "'choices' of scene 'r1.one' must be a list")


def test_missing_required_key_in_story(tmp_path):
    story = BASE_STORY.replace("title: Base story\n", "")
    root = write_story(tmp_path, story, {"01.yaml": BASE_ROUND})
    problems = problems_of(root)
    find(problems, "story.yaml", 1, 1, "missing 'title'")


def test_missing_required_key_in_choice_is_reported_once(tmp_path):
    rnd = BASE_ROUND.replace("        text: Good.\n", "")
    root = write_story(tmp_path, BASE_STORY, {"01.yaml": rnd})
    problems = problems_of(root)
    line, col = pos_of(rnd, "id: good")  # the choice mapping starts at its first key
    find(problems, "rounds/01.yaml", line, col, "missing 'text'")
    # an author fixing problems one by one should see each problem once, not twice
    assert len([p for p in problems if "missing 'text'" in p]) == 1, problems


def test_duplicate_scene_id_across_files(tmp_path):
    second = """\
    round:
      id: r2
      title: Round two
    scenes:
      - id: r1.one
        text: Again.
        next: end
    """
    root = write_story(tmp_path, BASE_STORY, {"01.yaml": BASE_ROUND, "02.yaml": second})
    problems = problems_of(root)
    line, col = pos_of(second, "r1.one")
    msg = find(problems, "rounds/02.yaml", line, col, "duplicate scene id 'r1.one'")
    first_line, first_col = pos_of(BASE_ROUND, "r1.one")
    assert f"01.yaml:{first_line}:{first_col}" in msg  # and says where the first one is


def test_duplicate_choice_id(tmp_path):
    rnd = BASE_ROUND.replace("      - id: bad", "      - id: good")
    root = write_story(tmp_path, BASE_STORY, {"01.yaml": rnd})
    line, col = pos_of(rnd, "good", nth=2)
    find(problems_of(root), "rounds/01.yaml", line, col, "duplicate choice id 'good'")


def test_next_to_missing_scene(tmp_path):
    rnd = BASE_ROUND.replace("next: end", "next: r1.nowhere")
    root = write_story(tmp_path, BASE_STORY, {"01.yaml": rnd})
    line, col = pos_of(rnd, "r1.nowhere")
    find(problems_of(root), "rounds/01.yaml", line, col, "unknown scene 'r1.nowhere'")


def test_missing_kpi_in_effects(tmp_path):
    rnd = BASE_ROUND.replace("effects: { trust: 10 }", "effects: { trust: 10, money: 5 }")
    root = write_story(tmp_path, BASE_STORY, {"01.yaml": rnd})
    line, col = pos_of(rnd, "money")
    find(problems_of(root), "rounds/01.yaml", line, col, "unknown KPI 'money'")


def test_unknown_learning_point_in_evidence(tmp_path):
    rnd = BASE_ROUND.replace("evidence: { lp.one: 1 }", "evidence: { lp.one: 1, lp.two: 1 }")
    root = write_story(tmp_path, BASE_STORY, {"01.yaml": rnd})
    line, col = pos_of(rnd, "lp.two")
    find(problems_of(root), "rounds/01.yaml", line, col, "unknown learning point 'lp.two'")


def test_unknown_worst_practice(tmp_path):
    rnd = BASE_ROUND.replace("worst: [W1]", "worst: [W1, W9]")
    root = write_story(tmp_path, BASE_STORY, {"01.yaml": rnd})
    line, col = pos_of(rnd, "W9")
    find(problems_of(root), "rounds/01.yaml", line, col, "unknown worst practice 'W9'")


def test_malformed_condition_points_at_the_problem(tmp_path):
    story = BASE_STORY.replace("when: trust < 30", "when: trust >> 5")
    root = write_story(tmp_path, story, {"01.yaml": BASE_ROUND})
    line, col = pos_of(story, ">> 5")
    # the first '>' is a fine operator; the second one is the unexpected token
    find(problems_of(root), "story.yaml", line, col + 1, "condition 'trust >> 5'")


@pytest.mark.parametrize(
    "written",
    ["trust >> 5", '"trust >> 5"', "'trust >> 5'", ">-\n      trust >> 5"],
    ids=["plain", "double-quoted", "single-quoted", "folded"],
)
def test_condition_column_in_any_scalar_style(tmp_path, written):
    # however the author writes the condition, the position is that of the second '>' in the file
    story = BASE_STORY.replace("when: trust < 30", f"when: {written}")
    root = write_story(tmp_path, story, {"01.yaml": BASE_ROUND})
    line, col = pos_of(story, ">> 5")
    find(problems_of(root), "story.yaml", line, col + 1, "condition 'trust >> 5'")


def test_unknown_name_in_condition_points_at_the_name(tmp_path):
    story = BASE_STORY.replace("when: trust < 30", "when: trust < 30 and nope > 1")
    root = write_story(tmp_path, story, {"01.yaml": BASE_ROUND})
    line, col = pos_of(story, "nope")
    find(problems_of(root), "story.yaml", line, col, "unknown name 'nope'")


def test_flag_tested_but_never_set(tmp_path):
    story = BASE_STORY.replace("when: trust < 30", "when: flag.ghost")
    root = write_story(tmp_path, story, {"01.yaml": BASE_ROUND})
    line, col = pos_of(story, "flag.ghost")
    find(problems_of(root), "story.yaml", line, col, "flag 'ghost' is tested but never set")


def test_flag_that_is_set_somewhere_is_fine(tmp_path):
    story = BASE_STORY.replace("when: trust < 30", "when: flag.ghost")
    rnd = BASE_ROUND.replace("        worst: [W1]\n", "        worst: [W1]\n        set: [ghost]\n")
    load_story(write_story(tmp_path, story, {"01.yaml": rnd}))


def test_last_ending_with_when(tmp_path):
    story = BASE_STORY.replace("    title: Ok\n", "    title: Ok\n    when: trust > 1\n")
    root = write_story(tmp_path, story, {"01.yaml": BASE_ROUND})
    line, _ = pos_of(story, "id: ok")
    find(problems_of(root), "story.yaml", line, None, "last ending ('ok') must have no 'when'")


def test_non_utf8_bytes(tmp_path):
    root = write_story(tmp_path, BASE_STORY, {"01.yaml": BASE_ROUND})
    bad = BASE_ROUND.replace("text: Bad.", "text: B\xe4d.")
    (root / "rounds" / "01.yaml").write_bytes(bad.encode("latin-1"))
    line, _ = pos_of(bad, "B\xe4d")
    find(problems_of(root), "rounds/01.yaml", line, 1, "not UTF-8")


def test_several_problems_are_all_reported(tmp_path):
    story = BASE_STORY + "colour: red\n"
    rnd = BASE_ROUND.replace("next: end", "next: r1.nowhere").replace("worst: [W1]", "worst: [W9]")
    root = write_story(tmp_path, story, {"01.yaml": rnd})
    problems = problems_of(root)
    find(problems, "story.yaml", *pos_of(story, "colour"), "unknown key 'colour'")
    find(problems, "rounds/01.yaml", *pos_of(rnd, "r1.nowhere"), "unknown scene 'r1.nowhere'")
    find(problems, "rounds/01.yaml", *pos_of(rnd, "W9"), "unknown worst practice 'W9'")
    assert len(problems) == 3


def test_story_error_message_counts_the_other_problems(tmp_path):
    story = BASE_STORY + "colour: red\n"
    rnd = BASE_ROUND.replace("next: end", "next: r1.nowhere")
    root = write_story(tmp_path, story, {"01.yaml": rnd})
    with pytest.raises(StoryError) as info:
        load_story(root)
    assert "(and 1 more)" in str(info.value)


MERGED_ROUND = """\
round:
  id: r1
  title: Round one
scenes:
  - id: r1.one
    text: First scene.
    choices:
      - &base
        id: good
        text: Good.
        effects: { trust: 10 }
        evidence: { lp.one: 1 }
      - <<: *base
        id: bad
        evidence: { lp.one: -1 }
        worst: [W1]
    next: end
"""


def test_anchors_and_merge_keys(tmp_path):
    story = load_story(write_story(tmp_path, BASE_STORY, {"01.yaml": MERGED_ROUND}))
    good, bad = story.scenes["r1.one"].choices
    assert (good.id, bad.id) == ("good", "bad")  # the override is not a duplicate id
    assert bad.effects == {"trust": 10}  # inherited from the anchor
    assert bad.text.render(None) == "Good."  # inherited
    assert bad.evidence == {"lp.one": -1}  # overridden
    assert bad.worst == ["W1"]


def test_merge_without_override_is_a_duplicate_choice(tmp_path):
    rnd = MERGED_ROUND.replace("        id: bad\n", "")
    problems = problems_of(write_story(tmp_path, BASE_STORY, {"01.yaml": rnd}))
    assert any("duplicate choice id 'good'" in p for p in problems), problems


def test_bom_and_crlf_load_fine(tmp_path):
    root = write_story(tmp_path, BASE_STORY, {"01.yaml": BASE_ROUND})
    (root / "story.yaml").write_bytes(b"\xef\xbb\xbf" + BASE_STORY.replace("\n", "\r\n").encode())
    (root / "rounds" / "01.yaml").write_bytes(b"\xef\xbb\xbf" + BASE_ROUND.replace("\n", "\r\n").encode())
    story = load_story(root)
    assert story.id == "base"
    assert story.title == "Base story"
    scene = story.scenes["r1.one"]
    assert scene.text.render(None) == "First scene."
    assert not any("\r" in c.text.render(None) for c in scene.choices)


def test_crlf_positions_are_still_right(tmp_path):
    story = BASE_STORY + "colour: red\n"
    root = write_story(tmp_path, BASE_STORY, {"01.yaml": BASE_ROUND})
    (root / "story.yaml").write_bytes(b"\xef\xbb\xbf" + story.replace("\n", "\r\n").encode())
    find(problems_of(root), "story.yaml", *pos_of(story, "colour"), "unknown key 'colour'")


def test_quoted_yes_id_is_text(tmp_path):
    rnd = BASE_ROUND.replace("id: good", 'id: "yes"')
    story = load_story(write_story(tmp_path, BASE_STORY, {"01.yaml": rnd}))
    assert [c.id for c in story.scenes["r1.one"].choices] == ["yes", "bad"]


def test_bare_yes_id_is_not_text(tmp_path):
    rnd = BASE_ROUND.replace("id: good", "id: yes")
    root = write_story(tmp_path, BASE_STORY, {"01.yaml": rnd})
    line, col = pos_of(rnd, "yes")
    find(problems_of(root), "rounds/01.yaml", line, col, "must be text")


def test_bare_yes_id_hint_quotes_what_the_author_wrote(tmp_path):
    # The docs tell authors to write "yes" for the text yes; the hint should say so, not suggest
    # quoting YAML's reading of it ("True"), which would silently change the id.
    rnd = BASE_ROUND.replace("id: good", "id: yes")
    root = write_story(tmp_path, BASE_STORY, {"01.yaml": rnd})
    msg = find(problems_of(root), "rounds/01.yaml", *pos_of(rnd, "yes"), "must be text")
    assert '"True"' not in msg
    assert "yes" in msg


def test_terminal_control_sequences_are_stripped_from_text(tmp_path):
    # a story is shown in a terminal: escape sequences in its text must not reach it
    rnd = BASE_ROUND.replace("text: First scene.", r'text: "First \e[2J\e]0;title\a scene.\x9b31m"')
    story = load_story(write_story(tmp_path, BASE_STORY, {"01.yaml": rnd}))
    text = story.scenes["r1.one"].text.render(None)
    assert text.startswith("First") and text.endswith("scene.")
    assert not any(ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F for ch in text), repr(text)


def test_not_a_story_folder(tmp_path):
    problems = problems_of(tmp_path)
    assert len(problems) == 1 and "no story.yaml" in problems[0]
