"""The player's settings, kept between games: the theme picked in the command palette and the game's
language (``language: sv``; ``--lang`` and ``PIZZABORG_LANG`` win over it, see ``engine.i18n.choose``).

They live in ``config.yaml`` in the user's config folder (``platformdirs``: ``~/.config/pizzaborg`` on
Linux, the usual places on macOS and Windows), or in ``$PIZZABORG_CONFIG_DIR`` when that is set (the
tests set it, so that they never touch the real home). The file is read with the engine's safe YAML
reader; an unreadable or odd file counts as no settings and is replaced on the next change. An
environment variable still wins over the file (``PIZZABORG_THEME``).
"""

from __future__ import annotations

import os
from pathlib import Path

ENV = "PIZZABORG_CONFIG_DIR"
FILE = "config.yaml"
KEYS = ("theme", "language")


def config_dir() -> Path:
    override = os.environ.get(ENV)
    if override:
        return Path(override)
    import sys

    if sys.platform.startswith("linux"):  # platformdirs' answer on Linux, without its import (start-up reads this)
        xdg = os.environ.get("XDG_CONFIG_HOME", "").strip()
        return Path(xdg if xdg else os.path.expanduser("~/.config")) / "pizzaborg"
    import platformdirs  # only when no override is set (a few ms)

    return Path(platformdirs.user_config_dir("pizzaborg", appauthor=False))


def config_path() -> Path:
    return config_dir() / FILE


def load() -> dict:
    """The saved settings (only known keys with text values); {} when there are none or they cannot be read."""
    from .engine.files import read_bounded  # the one bounded, regular-file-only reader

    try:
        text = read_bounded(config_path(), 64 * 1024).decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return {}
    from .engine.yamlsrc import load_yaml

    data, problems = load_yaml(text, str(config_path()))
    if problems or not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if k in KEYS and isinstance(v, str)}


def save(**changes) -> Path:
    """Merge ``changes`` into the saved settings and write them; raises OSError when that fails."""
    from .engine.files import write_atomic

    values = load()
    values.update({k: v for k, v in changes.items() if k in KEYS})
    lines = ["# PizzaBorg settings, written by the game (the theme picked in the command palette; the language)."]
    lines += [f"{k}: {_quote(v)}" for k, v in sorted(values.items())]
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(path, "\n".join(lines) + "\n")


def _quote(value: str) -> str:
    import json  # a JSON string is a valid YAML scalar: quotes and escapes done right

    return json.dumps(value, ensure_ascii=False)
