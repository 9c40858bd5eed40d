"""Build hook: the touchscreen's compiled translations go into the sdist and the wheel.

The compiled ``ui/i18n/*.qm`` files are not in git (``make translations``
makes them in a checkout). Without them the English screens stay in Bahasa
Indonesia, so every build carries them:

- the sdist: compiled from the ``.ts`` sources with Qt's ``lrelease`` and
  shipped next to them;
- a wheel built from that sdist: takes the shipped ``.qm`` as they are, so
  its build needs no Qt (a centre, ``anjungan[central]``, is built and
  installed without downloading PySide6);
- a wheel built from a checkout: compiles them, as for the sdist (a
  checkout's own, from ``make translations``, may be stale and are left out).

Only the builds that compile ask for ``pyside6-essentials`` (which brings
``pyside6-lrelease``), through :meth:`TranslationsHook.dependencies`, pinned
as the kiosk pins it. A missing ``lrelease`` or a failed compile fails the
build; so does an sdist that lacks a ``.qm`` for one of its ``.ts``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

LRELEASE_NAMES = ("pyside6-lrelease", "lrelease")
# What brings pyside6-lrelease into the build environment, pinned as the
# kiosk extra pins it (pyproject.toml).
LRELEASE_REQUIREMENT = "pyside6-essentials>=6.8,<6.12"


def find_lrelease() -> str:
    """``pyside6-lrelease`` of the build environment first, then one on ``PATH``."""
    here = os.pathsep.join([sysconfig.get_path("scripts"), str(Path(sys.executable).parent)])
    for path in (here, None):
        for name in LRELEASE_NAMES:
            found = shutil.which(name, path=path)
            if found:
                return found
    raise RuntimeError(
        "cannot compile the translations: no pyside6-lrelease or lrelease found "
        f"(the build asks for {LRELEASE_REQUIREMENT})"
    )


def translation_sources(root: str) -> list[Path]:
    sources = sorted(Path(root, "ui", "i18n").glob("*.ts"))
    if not sources:
        raise RuntimeError("no ui/i18n/*.ts to compile")
    return sources


def is_sdist(root: str) -> bool:
    """An unpacked sdist has its metadata at the top; a checkout never does."""
    return Path(root, "PKG-INFO").is_file()


class TranslationsHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "translations"

    def compiles(self) -> bool:
        """The sdist and a checkout's wheel compile; a wheel from an sdist does not."""
        return self.target_name == "sdist" or not is_sdist(self.root)

    def dependencies(self) -> list[str]:
        return [LRELEASE_REQUIREMENT] if self.compiles() else []

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name not in ("wheel", "sdist"):
            return
        sources = translation_sources(self.root)
        if not self.compiles():
            for ts in sources:
                qm = ts.with_suffix(".qm")
                if not qm.is_file() or qm.stat().st_size == 0:
                    raise RuntimeError(f"the sdist has no compiled {qm.name} for {ts.name}")
                build_data["force_include"][str(qm)] = f"ui/i18n/{qm.name}"
            return
        lrelease = find_lrelease()
        self._out = tempfile.TemporaryDirectory(prefix="anjungan-qm-")
        for ts in sources:
            qm = Path(self._out.name, ts.with_suffix(".qm").name)
            subprocess.run([lrelease, "-silent", str(ts), "-qm", str(qm)], check=True)  # noqa: S603
            if not qm.is_file() or qm.stat().st_size == 0:
                raise RuntimeError(f"lrelease made no {qm.name} from {ts.name}")
            build_data["force_include"][str(qm)] = f"ui/i18n/{qm.name}"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        out = getattr(self, "_out", None)
        if out is not None:
            out.cleanup()
