"""The wheel's build hook: every interface catalogue (``src/pizzaborg/locale/<lang>/LC_MESSAGES/pizzaborg.po``)
compiled to the ``.mo`` the game reads, so an installed game never compiles (and never needs a writable
package folder). The ``.mo`` files are not in git (``.gitignore``); a checkout compiles a ``.po`` newer than
its ``.mo`` on first use instead (``engine/i18n.py``). Fuzzy entries are left out, as msgfmt does.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

LOCALE = Path("src") / "pizzaborg" / "locale"


class CatalogueHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return  # the editable install reads the .po files (compiled on first use)
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        root = Path(self.root)
        self._tmp = tempfile.TemporaryDirectory(prefix="pizzaborg-mo-")
        for po in sorted((root / LOCALE).glob("*/LC_MESSAGES/pizzaborg.po")):
            catalogue = read_po(io.BytesIO(po.read_bytes()), abort_invalid=True)
            rel = po.relative_to(root / "src").with_suffix(".mo")
            out = Path(self._tmp.name) / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            with out.open("wb") as f:
                write_mo(f, catalogue, use_fuzzy=False)
            build_data["force_include"][str(out)] = rel.as_posix()

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        tmp = getattr(self, "_tmp", None)
        if tmp is not None:
            tmp.cleanup()
