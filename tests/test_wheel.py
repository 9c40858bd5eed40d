"""What a city installs. A wheel built from a clean clone carries the compiled
translations: installed on its own, outside the checkout, it shows the English
screens. The central server's wheel, built from the sdist, needs no Qt to build
or to run: it installs with its extra alone and serves."""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
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


# Run by the centre-only environment's interpreter, outside the checkout: the
# centre starts on the demo data, enrols a kiosk and serves what kiosks fetch.
CENTRE_CHILD = textwrap.dedent(
    """
    import json
    import sys
    import urllib.request
    from pathlib import Path

    import central
    from central.process import start_central
    from central.settings import DEMO_ENROLMENT_CODE

    assert Path(central.__file__).resolve().is_relative_to(Path(sys.argv[1]).resolve())
    with start_central() as centre:
        enrol = urllib.request.Request(
            centre.url + "/api/v1/enrol",
            data=json.dumps({"code": DEMO_ENROLMENT_CODE, "name": "centre-only"}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(enrol, timeout=60) as answer:
            token = json.load(answer)["token"]
        served = {}
        for path in ("/api/v1/catalog", "/api/v1/trust", "/api/v1/revocations"):
            ask = urllib.request.Request(
                centre.url + path, headers={"Authorization": "Bearer " + token}
            )
            with urllib.request.urlopen(ask, timeout=60) as answer:
                served[path] = json.load(answer)
    print(json.dumps(served))
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


# The centre's extra alone, pinned by the lock (offline, from the cache
# `make venv` filled); the project itself comes as the wheel built from the sdist.
SYNC_CENTRE_ONLY = (
    *("sync", "--locked", "--offline", "--no-dev"),
    *("--extra", "central", "--no-install-project"),
)
# A build that asks for Qt fails under these: a wheel built from the sdist must not.
NO_QT_AT_BUILD = "pyside6-essentials<0\nshiboken6<0\npyside6<0\n"
# The kiosk's own stack (pyproject's `kiosk` extra, Qt aside): a centre has none of it.
KIOSK_ONLY = ("requests", "reportlab", "cwt", "sqlite-utils", "cbor2")

FIND_SPEC = "import importlib.util, sys; print(importlib.util.find_spec(sys.argv[1]) is not None)"
DISTRIBUTIONS = (
    "import importlib.metadata as m, re; "
    "print(sorted({re.sub(r'[-_.]+', '-', d.metadata['Name']).lower() for d in m.distributions()}))"
)


def _venv_has(python: Path, module: str) -> bool:
    found = subprocess.run(
        [str(python), "-c", FIND_SPEC, module], capture_output=True, text=True, check=True
    )
    return found.stdout.strip() == "True"


def _uv(
    *args: str, env: dict[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(UV), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=DEADLINE_S
    )


@pytest.mark.slow
def test_the_centre_builds_and_installs_without_qt_and_serves(tmp_path: Path) -> None:
    """What a city's server gets from ``anjungan[central]``: the wheel built
    from the sdist with no Qt in the build environment (the sdist ships the
    compiled translations), installed with the centre's extra alone: no
    PySide6, none of the kiosk's stack, and a ``kiosk server`` that starts,
    seeds the demo and serves the lists, not linked to the checkout."""
    if not UV.exists():
        pytest.skip("the project's uv is not installed (make venv installs it)")
    assert importlib.util.find_spec("PySide6") is not None, "the suite's own env has the kiosk"
    clone, dist, venv, elsewhere = (tmp_path / d for d in ("clone", "dist", "venv", "elsewhere"))
    for d in (clone, elsewhere):
        d.mkdir()
    _clean_clone(clone)
    no_qt = tmp_path / "no-qt.txt"
    no_qt.write_text(NO_QT_AT_BUILD, encoding="utf-8")

    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "UV_COMPILE_BYTECODE")}
    env.update(UV_PROJECT_ENVIRONMENT=str(venv), UV_PYTHON_DOWNLOADS="never", PYTHONPATH="")
    # The sdist compiles the translations (Qt from the cache) and ships them.
    sdist_built = _uv("build", "--offline", "--sdist", "--out-dir", str(dist), str(clone), env=env)
    assert sdist_built.returncode == 0, sdist_built.stderr[-3000:]
    [sdist] = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as shipped:
        assert any(n.endswith("/ui/i18n/anjungan_en.qm") for n in shipped.getnames())
    # The constraints bite: a wheel straight from the clone compiles, so asks for Qt.
    from_clone = _uv(
        *("build", "--offline", "--wheel", "--build-constraints", str(no_qt)),
        *("--out-dir", str(tmp_path / "refused"), str(clone)),
        env=env,
    )
    assert from_clone.returncode != 0 and "pyside6-essentials" in from_clone.stderr
    wheel_built = _uv(
        *("build", "--offline", "--wheel", "--build-constraints", str(no_qt)),
        *("--out-dir", str(dist), str(sdist)),
        env=env,
    )
    assert wheel_built.returncode == 0, wheel_built.stderr[-3000:]
    [wheel] = dist.glob("*.whl")
    assert "ui/i18n/anjungan_en.qm" in zipfile.ZipFile(wheel).namelist(), "a kiosk needs these"

    synced = _uv(*SYNC_CENTRE_ONLY, "--python", sys.executable, cwd=clone, env=env)
    assert synced.returncode == 0, synced.stderr[-3000:]
    python = venv / "bin" / "python"
    installed = _uv(
        *("pip", "install", "--offline", "--no-deps", "--python", str(python), str(wheel)), env=env
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    assert _venv_has(python, "fastapi"), "the central extra was not installed"
    assert not _venv_has(python, "PySide6"), "a centre-only install must not carry Qt"
    listed = subprocess.run(
        [str(python), "-c", DISTRIBUTIONS], capture_output=True, text=True, check=True
    )
    names = set(ast.literal_eval(listed.stdout))
    assert {"anjungan", "fastapi", "sqlalchemy", "uvicorn"} <= names, names
    assert not {n for n in names if n.startswith("pyside6") or n == "shiboken6"}, names
    assert not names & set(KIOSK_ONLY), "the kiosk's stack leaked into the central extra"

    for command in ([str(venv / "bin" / "kiosk"), "server"], [str(python), "-m", "central"]):
        helped = subprocess.run(
            [*command, "--help"],
            cwd=elsewhere,
            env=env,
            capture_output=True,
            text=True,
            timeout=DEADLINE_S,
        )
        assert helped.returncode == 0, helped.stderr[-3000:]
        assert "--seed-demo" in helped.stdout

    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    served = subprocess.run(
        [str(python), "-c", CENTRE_CHILD, site],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=DEADLINE_S,
    )
    assert served.returncode == 0, served.stderr[-3000:]
    lists = json.loads(served.stdout)
    assert lists["/api/v1/catalog"]["offices"], lists["/api/v1/catalog"]
    assert lists["/api/v1/trust"]["format"] == "anjungan-trust-list/1"
    assert lists["/api/v1/trust"]["issuers"]
    assert lists["/api/v1/revocations"]["format"].startswith("anjungan-revocation-list/")
