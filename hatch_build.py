"""Build hook: compile the touchscreen's translations into the wheel.

The compiled ``ui/i18n/*.qm`` files are not in git (``make translations``
makes them in a checkout), so a wheel built from a clean clone had none and
the English screens stayed in Bahasa Indonesia. This hook compiles every
``.ts`` with Qt's ``lrelease`` from the build environment (pyside6-essentials
is a build requirement, pinned as the kiosk pins it) and adds the ``.qm``
files to the wheel. A missing ``lrelease`` or a failed compile fails the build.
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
        "(pyside6-essentials is a build requirement)"
    )


class TranslationsHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "translations"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        sources = sorted(Path(self.root, "ui", "i18n").glob("*.ts"))
        if not sources:
            raise RuntimeError("no ui/i18n/*.ts to compile")
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
