"""A wheel built from a clean clone carries the compiled translations: installed
on its own, outside the checkout, it shows the English screens."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UV = ROOT / ".make" / "tools" / "bin" / "uv"
DEADLINE_S = 300  # a bound, not a measure: a build that hangs fails here

CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from PySide6.QtWidgets import QApplication
    import ui
    from ui.screens.common import label
    from ui.texts import tr

    assert Path(ui.__file__).resolve().is_relative_to(Path(sys.argv[1]).resolve()), ui.__file__
    app = QApplication([])
    shown = label(tr("information", "en"))
    print(shown.text())
    """
)


def _clean_clone(dest: Path) -> None:
    """The tracked files as they are now, without anything built in the checkout."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, listed):
        src = ROOT / name.decode()
        if src.is_file():
            (dest / name.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name.decode())


@pytest.mark.slow
def test_the_built_wheel_shows_english_screens(tmp_path: Path) -> None:
    if not UV.exists():
        pytest.skip("the project's uv is not installed (make venv installs it)")
    clone, dist, venv, elsewhere = (tmp_path / d for d in ("clone", "dist", "venv", "elsewhere"))
    for d in (clone, elsewhere):
        d.mkdir()
    _clean_clone(clone)
    assert not list((clone / "ui" / "i18n").glob("*.qm")), "the clone must have no .qm"

    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "VIRTUAL_ENV"))}
    env["PYTHONPATH"] = ""
    built = subprocess.run(
        [str(UV), "build", "--wheel", "--out-dir", str(dist), str(clone)],
        env=env,
        capture_output=True,
        text=True,
        timeout=DEADLINE_S,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    [wheel] = dist.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "ui/i18n/anjungan_en.qm" in names
    assert any(n.endswith("licenses/LICENSE") for n in names)
    assert any(n.endswith("licenses/NOTICE") for n in names)

    # A fresh environment with only the wheel; the dependencies (PySide6 ...)
    # come from the test's own environment through a .pth line, which adds
    # its site-packages but not the checkout its editable install points at.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    installed = subprocess.run(
        [str(UV), "pip", "install", "--python", str(python), "--no-deps", "--offline", str(wheel)],
        env=env,
        capture_output=True,
        text=True,
        timeout=DEADLINE_S,
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    Path(site, "deps-from-test-env.pth").write_text(
        sysconfig.get_path("purelib") + "\n", encoding="utf-8"
    )

    shown = subprocess.run(
        [str(python), "-c", CHILD, site],
        cwd=elsewhere,
        env={**env, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=DEADLINE_S,
    )
    assert shown.returncode == 0, shown.stderr[-3000:]
    assert shown.stdout.strip() == "Information", shown.stderr[-3000:]
