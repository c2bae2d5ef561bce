"""The game's language for the faces: which one (``engine.i18n.choose`` owns the order), set for the
interface (``i18n.use``), and the story in it (``engine.l10n.translate`` when ``story/l10n/<lang>.yaml``
exists, else the English story and a one-line notice). Every face and command starts here, so
``pizzaborg --lang sv``, ``--plain``, ``play``, an assignment's ``language:`` and the trainer's commands
all choose the same way. Plain Python: no Babel at start-up, and the settings file is read only when
neither ``--lang`` nor ``PIZZABORG_LANG`` decides.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..engine import i18n

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from ..engine.model import Story


def story_languages(story_dir: str | Path | None) -> list[str]:
    """The languages the story has a translation for (``l10n/<lang>.yaml`` beside it), English aside."""
    if story_dir is None:
        from ..engine.loader import default_story_dir

        story_dir = default_story_dir()
    try:  # os.scandir, not Path.glob: no pattern to compile at every start
        with os.scandir(Path(story_dir) / "l10n") as found:
            return sorted(e.name[: -len(".yaml")] for e in found if e.name.endswith(".yaml") and e.is_file())
    except OSError:
        return []


def _settings_language() -> str | None:
    from .. import settings

    value = settings.load().get("language")
    return value or None


def choose(flag: str | None, story_dir: str | Path | None = None, assignment: str | None = None) -> str:
    """The game's language in the one order (``engine.i18n.choose``), made this process's interface
    language. Raises ``i18n.LanguageError`` (one line, exit 2) for a language the game does not have."""
    env = os.environ
    settings = None
    if not flag and not env.get(i18n.ENV):  # only read the settings file when it can decide
        settings = _settings_language()
    lang = i18n.choose(flag, settings=settings, assignment=assignment, known=story_languages(story_dir), env=env)
    i18n.use(lang)
    return lang


def notice(lang: str, story_dir: str | Path | None = None) -> str | None:
    """One line when the story has no translation into ``lang`` (the story is then played in English)."""
    if lang == i18n.SOURCE_LANGUAGE or lang == i18n.PSEUDO or lang in story_languages(story_dir):
        return None
    return i18n._("The story has no translation into {lang} yet: it is told in English.").format(lang=lang)


def story_in(story: Story, lang: str | None = None) -> Story:
    """``story`` in ``lang`` (default: the interface's), by its ids; the story itself when it is in that
    language already or has no translation into it. Its hash is unchanged (a report verifies the same)."""
    lang = lang or i18n.current()
    if lang == story.language:
        return story
    from ..engine import l10n

    try:
        if lang != i18n.PSEUDO and not l10n.l10n_path(story, lang).is_file():
            return story
        return l10n.translate(story, lang)
    except l10n.L10nError as exc:
        raise i18n.LanguageError(
            i18n._("the story's translation into {lang} cannot be used: {problem}").format(lang=lang, problem=exc)
        ) from None


def early(argv: list) -> None:
    """Before the command line is parsed (its help is in the game's language): ``--lang X`` or
    ``$PIZZABORG_LANG``, when the game has it. :func:`choose` decides after parsing, errors and all."""
    value = os.environ.get(i18n.ENV)
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
    if value:
        found = i18n.match(value, [*i18n.available(), i18n.PSEUDO]) if i18n._tag_ok(value) else None
        if found:
            i18n.use(found)
