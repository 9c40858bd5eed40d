"""Build the kiosk's and the centre's Debian packages from this checkout.

    .venv/bin/python packaging/deb/build.py --out dist

writes ``anjungan-kiosk_<version>_<arch>.deb`` and
``anjungan-central_<version>_<arch>.deb`` (``make package`` runs it). Each
carries its own virtual environment under ``/opt``, made with uv from uv.lock,
so a kiosk and a centre run the very versions the suite tested:

- the project's wheel is built once (it compiles the translations) and
  installed into both environments without its dependencies;
- the dependencies come from ``uv sync --locked`` with the package's extras
  only (the centre's has no Qt), into an environment made with
  ``uv venv --relocatable`` on Debian's own ``/usr/bin/python3.X``: it is
  built in a staging folder and works from ``/opt`` (its scripts find their
  interpreter beside them), and the package depends on that ``python3.X``;
- the bytecode is compiled at build time (the files under ``/opt`` belong to
  root, so the service's user could not write it) with the installed path in
  it, never the staging folder's; so is the kiosk's dataclasses' code cache
  (``python -m kiosk.cli.build_cache``, beside the kiosk's bytecode);
- nothing of the build machine stays in the files: the few dependencies that
  have no Linux wheel (pyscard) are built from their sdist by Debian's
  interpreter, without debug information, never taken from a cache that
  another interpreter (a developer's pyenv, with its RUNPATH) filled; the
  project's ``direct_url.json`` (the staging wheel's path) is dropped; uv's
  ``.lock`` goes and no file is writable but by root;
- uv's cache serves every wheel it already has (``make venv`` filled it), and
  the archive is compressed with zstd at its fastest level by default, so a
  build takes seconds, not minutes (``--compression xz --level 6`` for the
  smallest files).

The maintainer scripts are this folder's ``<package>/{preinst,postinst,prerm,postrm}``
with ``common.sh`` put where they say ``#COMMON#``. The units, udev rules,
modprobe file and configuration examples are the files in ``packaging/``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGING = HERE.parent
ROOT = PACKAGING.parent
UV = ROOT / ".make" / "tools" / "bin" / "uv"
#: Debian's interpreter; the environments link to its versioned name.
SYSTEM_PYTHON = Path("/usr/bin/python3")
#: A bound on each step (a build that hangs fails), not a measure.
STEP_DEADLINE_S = 900
MAINTAINER = "Anjungan contributors <anjungan@localhost>"
SCRIPTS = ("preinst", "postinst", "prerm", "postrm")


@dataclass(frozen=True)
class Payload:
    """One file of ``packaging/`` and where the package puts it."""

    source: str  # relative to packaging/
    dest: str  # absolute path on the installed system
    mode: int = 0o644
    conffile: bool = False


@dataclass(frozen=True)
class Package:
    name: str
    scripts: str  # this folder's sub-folder with the maintainer scripts
    prefix: str  # the environment is prefix/venv
    extras: tuple[str, ...]
    depends: tuple[str, ...]
    recommends: tuple[str, ...]
    suggests: tuple[str, ...]
    conflicts: tuple[str, ...]
    summary: str
    description: str
    payload: tuple[Payload, ...]
    #: Globs under the environment (relative to it) of what the program never loads.
    prune: tuple[str, ...] = ()
    #: The kiosk's dataclasses' code cache is built into its package tree
    #: (kiosk.code_cache, built by kiosk.cli.build_cache), as its bytecode is.
    code_cache: bool = False


KIOSK = Package(
    name="anjungan-kiosk",
    scripts="kiosk",
    prefix="/opt/anjungan",
    extras=("kiosk", "pcsc", "nfc", "escpos"),
    # cage is the session; pcscd and libccid the card readers; libusb nfcpy's and
    # python-escpos's way to USB devices; the rest what Qt's wheels link against
    # (its Wayland platform plugin) and the fonts of the screens and tickets.
    depends=(
        "cage",
        "pcscd",
        "libccid",
        "libusb-1.0-0",
        "libgl1",
        "libegl1",
        "libfontconfig1",
        "libxkbcommon0",
        "libglib2.0-0",
        "libdbus-1-3",
        "libwayland-client0",
        "libwayland-cursor0",
        "libwayland-egl1",
        # Qt Multimedia (the speech's audio output) and its ffmpeg plugin: without
        # them Qt leaves the audio out (tests/packaging checks every library it loads).
        "libpulse0",
        "libxrandr2",
        "fonts-dejavu-core",
        "passwd",
    ),
    # espeak-ng speaks (kiosk.speech); cups-client for printer.backend = "cups".
    recommends=("espeak-ng", "cups-client"),
    suggests=(),
    # vpcd accepts cards from the network: never on a production kiosk.
    conflicts=("vsmartcard-vpcd",),
    # What the kiosk never loads of PySide6's wheels (a Widgets program with Qt
    # Multimedia): the web engine (a third of the package), the PDF and web view
    # modules, Designer, and the developer tools with their launchers. Nothing
    # left links against what goes (tests/packaging/test_kiosk_package.py).
    prune=(
        *(
            f"lib/python3.*/site-packages/PySide6/{pattern}"
            for pattern in (
                "Qt/lib/libQt6WebEngine*",
                "Qt/lib/libQt6WebView*",
                "Qt/lib/libQt6Pdf*",
                "Qt/lib/libQt6Designer*",
                "QtWebEngine*",
                "QtWebView*",
                "QtPdf*",
                "QtDesigner*",
                "Qt/libexec",
                "Qt/resources",
                "Qt/translations/qtwebengine_locales",
                "Qt/translations/assistant_*",
                "Qt/translations/designer_*",
                "Qt/translations/linguist_*",
                "Qt/translations/qtwebengine_*",
                "Qt/qml/QtWebEngine",
                "Qt/qml/QtWebView",
                "Qt/qml/QtQuick/Pdf",
                "Qt/plugins/imageformats/libqpdf.so",
                "Qt/plugins/designer",
                "Qt/plugins/webview",
                "Qt/plugins/qmllint",
                "Qt/plugins/qmltooling",
                "assistant",
                "balsam",
                "balsamui",
                "designer",
                "linguist",
                "lrelease",
                "lupdate",
                "qmlformat",
                "qmllint",
                "qmlls",
                "qsb",
                "svgtoqml",
            )
        ),
        "bin/pyside6-*",
    ),
    code_cache=True,
    summary="Anjungan self-service smart-card kiosk",
    description=(
        "The touchscreen kiosk of city offices, puskesmas and hospitals: reads the\n"
        "citizen's card, issues queue tickets and syncs with the central server.\n"
        "Runs full screen under cage on tty1 as the user anjungan, watched by\n"
        "systemd's watchdog; udev rules give it the USB NFC readers and ESC/POS\n"
        "printers, and the kernel's NFC drivers are kept off the readers."
    ),
    payload=(
        Payload("kiosk.toml.example", "/etc/anjungan/kiosk.toml", 0o640, conffile=True),
        Payload("systemd/anjungan-kiosk.service", "/usr/lib/systemd/system/anjungan-kiosk.service"),
        Payload("udev/60-anjungan-nfc.rules", "/usr/lib/udev/rules.d/60-anjungan-nfc.rules"),
        Payload("udev/60-anjungan-escpos.rules", "/usr/lib/udev/rules.d/60-anjungan-escpos.rules"),
        Payload(
            "modprobe.d/anjungan-nfc-blacklist.conf",
            "/etc/modprobe.d/anjungan-nfc-blacklist.conf",
            conffile=True,
        ),
        Payload("README.md", "/usr/share/doc/anjungan-kiosk/README.md"),
    ),
)

CENTRAL = Package(
    name="anjungan-central",
    scripts="central",
    prefix="/opt/anjungan-central",
    extras=("central",),
    depends=("passwd",),
    # espeak-ng makes the boards' voice clips the city has not recorded.
    recommends=("espeak-ng",),
    # PostgreSQL for a city's centre, nginx for TLS in front (docs/operations.md).
    suggests=("postgresql", "nginx"),
    conflicts=(),
    summary="Anjungan central server",
    description=(
        "The office's central server for Anjungan kiosks: queues and tickets, the\n"
        "staff and board pages, card lists, integrations. Runs as the system\n"
        "service anjungan-central with its settings in /etc/anjungan/central.toml\n"
        "and its secrets as systemd credentials; no Qt."
    ),
    payload=(
        Payload("central.toml.example", "/etc/anjungan/central.toml", 0o640, conffile=True),
        Payload(
            "systemd/anjungan-central.service",
            "/usr/lib/systemd/system/anjungan-central.service",
        ),
        Payload("README.md", "/usr/share/doc/anjungan-central/README.md"),
        # The reverse proxy in front (docs/operations.md, "TLS"): an example the
        # city copies into nginx's sites, never active by itself.
        Payload(
            "nginx/anjungan-central.conf",
            "/usr/share/doc/anjungan-central/examples/nginx/anjungan-central.conf",
        ),
    ),
)

PACKAGES = {"kiosk": KIOSK, "central": CENTRAL}


class BuildError(RuntimeError):
    pass


def project_version() -> str:
    """pyproject's version as Debian orders it (a pre-release sorts before its release)."""
    with (ROOT / "pyproject.toml").open("rb") as f:
        version = str(tomllib.load(f)["project"]["version"])
    for marker in ("a", "b", "rc", ".dev"):
        head, sep, tail = version.partition(marker)
        if sep and head[-1:].isdigit() and tail[:1].isdigit():
            return f"{head}~{marker.lstrip('.')}{tail}"
    return version


def architecture() -> str:
    return _run(["dpkg", "--print-architecture"]).strip()


def system_python() -> Path:
    """``/usr/bin/python3.X``, the interpreter behind ``/usr/bin/python3``."""
    resolved = SYSTEM_PYTHON.resolve()
    if not resolved.name.startswith("python3.") or not resolved.is_file():
        raise BuildError(f"{SYSTEM_PYTHON} is not Debian's python3.X (it is {resolved})")
    return SYSTEM_PYTHON.parent / resolved.name


def _uv_env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        # Bytecode is compiled after, with the installed paths (_tidy).
        if k not in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "PYTHONPATH", "UV_COMPILE_BYTECODE")
    }
    # The staged files are copies, not hard links into uv's cache: another install linking
    # the same cache files meanwhile (the suite's, beside the build) changed their ctime
    # under dpkg-deb's tar ("file changed as we read it"), and the staged tree's chmods
    # would change the cache's files too.
    env.update(UV_PYTHON_DOWNLOADS="never", UV_LINK_MODE="copy")
    return env


def built_from_source() -> list[str]:
    """The locked packages with no wheel for Linux on this machine's kind: uv builds them
    from their sdist."""
    with (ROOT / "uv.lock").open("rb") as f:
        locked = tomllib.load(f)["package"]
    names = []
    for package in locked:
        if "sdist" not in package:
            continue
        wheels = [wheel["url"].rsplit("/", 1)[-1] for wheel in package.get("wheels", [])]
        if not any(w.endswith("-any.whl") or "linux" in w for w in wheels):
            names.append(str(package["name"]))
    return sorted(names)


def _run(
    command: Sequence[str | os.PathLike[str]],
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> str:
    done = subprocess.run(  # noqa: S603 - our own tools, no shell
        [str(c) for c in command],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=STEP_DEADLINE_S,
        check=False,
    )
    if done.returncode != 0:
        shown = " ".join(str(c) for c in command)
        raise BuildError(f"{shown} failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return done.stdout


def build_wheel(out: Path, offline: bool) -> Path:
    _run([UV, "build", "--wheel", *_offline(offline), "--out-dir", out, ROOT], env=_uv_env())
    [wheel] = out.glob("anjungan-*.whl")
    return wheel


def _offline(offline: bool) -> list[str]:
    return ["--offline"] if offline else []


def build_venv(package: Package, stage: Path, wheel: Path, python: Path, offline: bool) -> Path:
    venv = stage / package.prefix.lstrip("/") / "venv"
    env = _uv_env()
    _run([UV, "venv", "--quiet", "--relocatable", "--python", python, venv], env=env)
    extras = [arg for extra in package.extras for arg in ("--extra", extra)]
    sync: list[str | Path] = [
        UV,
        "sync",
        "--quiet",
        "--locked",
        "--no-dev",
        "--no-install-project",
        *extras,
    ]
    sync_env = {
        **env,
        "UV_PROJECT_ENVIRONMENT": str(venv),
        "CFLAGS": "-g0",
        "LDFLAGS": "-Wl,--strip-debug",
    }
    _run([*sync, *_offline(offline), "--python", python], env=sync_env, cwd=ROOT)
    tainted = _built_elsewhere(venv, built_from_source())
    if tainted:
        # uv's cache served a wheel another interpreter built (a developer's pyenv:
        # its RUNPATH, its paths): built again here, by the package's interpreter.
        rebuilt = [arg for name in tainted for arg in ("--refresh-package", name)]
        _run(
            [*sync, *rebuilt, "--reinstall", *_offline(offline), "--python", python],
            env=sync_env,
            cwd=ROOT,
        )
        if _built_elsewhere(venv, tainted):
            raise BuildError(f"{tainted} still carry the build machine's paths")
    install: list[str | Path] = [UV, "pip", "install", "--quiet", "--no-deps", *_offline(offline)]
    _run(
        [*install, "--python", venv / "bin" / "python", wheel],
        env=env,
    )
    _prune(venv, package.prune)
    _tidy(venv, stage, python, code_cache=package.code_cache)
    return venv


def _built_elsewhere(venv: Path, names: Sequence[str]) -> list[str]:
    """Those of ``names`` installed in ``venv`` whose compiled files name a folder of this
    machine's home (another interpreter's build: its RUNPATH, its include paths)."""
    home = f"{Path.home()}/.".encode()
    found = []
    wanted = {name.lower().replace("_", "-") for name in names}
    for info in venv.glob("lib/python3.*/site-packages/*.dist-info"):
        name = info.name.removesuffix(".dist-info").rsplit("-", 1)[0].lower().replace("_", "-")
        if name not in wanted or not (info / "RECORD").is_file():
            continue
        for line in (info / "RECORD").read_text(encoding="utf-8").splitlines():
            path = info.parent / line.split(",", 1)[0]
            if path.suffix == ".so" and path.is_file() and home in path.read_bytes():
                found.append(name)
                break
    return sorted(found)


def _prune(venv: Path, patterns: Sequence[str]) -> None:
    """Remove what matches ``patterns``, and its lines in the installed RECORD files."""
    removed: list[Path] = []
    for pattern in patterns:
        for path in venv.glob(pattern):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
            removed.append(path)
    if not removed:
        return
    # A line goes when its file, or a folder it is in, was removed: looked up in a set
    # (the file and each of its folders), not compared with each removed path in turn,
    # which for PySide6's RECORD (thousands of lines, hundreds removed) took most of
    # the build.
    gone = set(removed)
    for record in venv.glob("lib/python3.*/site-packages/*.dist-info/RECORD"):
        site = record.parent.parent
        lines = record.read_text(encoding="utf-8").splitlines(keepends=True)
        kept = []
        for line in lines:
            where = Path(os.path.normpath(site / line.split(",", 1)[0]))
            if where not in gone and gone.isdisjoint(where.parents):
                kept.append(line)
        record.write_text("".join(kept), encoding="utf-8")


def _tidy(venv: Path, stage: Path, python: Path, *, code_cache: bool = False) -> None:
    """What uv leaves of the build in the environment goes; bytecode names /opt's paths;
    with ``code_cache``, the dataclasses' code cache beside the kiosk's bytecode."""
    (venv / ".lock").unlink(missing_ok=True)
    for direct in venv.glob("lib/python3.*/site-packages/*.dist-info/direct_url.json"):
        record = direct.parent / "RECORD"
        lines = record.read_text(encoding="utf-8").splitlines(keepends=True)
        kept = [line for line in lines if not line.startswith(f"{direct.parent.name}/direct_url")]
        record.write_text("".join(kept), encoding="utf-8")
        direct.unlink()
    # -s/-p: the staging folder stripped from each source path, "/" put before it;
    # -f: bytecode already there (a build step's own) is compiled again.
    # compileall exits 1 for a file it cannot compile (a few packages ship
    # deliberately broken test files): those are left without bytecode, as uv does.
    subprocess.run(  # noqa: S603 - Debian's interpreter on our own tree
        [python, "-m", "compileall", "-f", "-q", "-q", "-j0", "-s", stage, "-p", "/", venv / "lib"],
        capture_output=True,
        timeout=STEP_DEADLINE_S,
        check=False,
    )
    if code_cache:
        # As compileall for the bytecode: the methods dataclasses makes on the kiosk's way
        # to ready, compiled here into kiosk/__pycache__ (kiosk.code_cache), so the
        # installed kiosk reads them from root's file and never writes one. -I: the
        # environment's own kiosk, not the checkout's; -B: no bytecode of the staging
        # paths. The code holds no path (its file name is "<string>").
        _run(
            [venv / "bin" / "python", "-I", "-B", "-m", "kiosk.cli.build_cache"],
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
            cwd=stage,
        )
    for path in venv.rglob("*"):
        if not path.is_symlink() and not path.is_dir():
            # Root's files (dpkg-deb --root-owner-group), read by all, written by
            # nobody else, without set-id bits.
            path.chmod(0o755 if path.stat().st_mode & 0o111 else 0o644)


def _control(package: Package, version: str, arch: str, python: Path, size_kib: int) -> str:
    depends = (python.name, *package.depends)
    fields = [
        ("Package", package.name),
        ("Version", version),
        ("Architecture", arch),
        ("Maintainer", MAINTAINER),
        ("Installed-Size", str(size_kib)),
        ("Depends", ", ".join(depends)),
        ("Recommends", ", ".join(package.recommends)),
        ("Suggests", ", ".join(package.suggests)),
        ("Conflicts", ", ".join(package.conflicts)),
        ("Section", "misc"),
        ("Priority", "optional"),
    ]
    lines = [f"{key}: {value}" for key, value in fields if value]
    body = "\n".join(f" {line}" if line else " ." for line in package.description.splitlines())
    lines.append(f"Description: {package.summary}\n{body}")
    return "\n".join(lines) + "\n"


def _script(package: Package, name: str) -> str:
    text = (HERE / package.scripts / name).read_text(encoding="utf-8")
    if "#COMMON#" not in text:
        raise BuildError(f"{package.scripts}/{name} has no #COMMON# line")
    return text.replace("#COMMON#", (HERE / "common.sh").read_text(encoding="utf-8").rstrip())


def _copyright() -> str:
    return "\n\n".join(
        (ROOT / name).read_text(encoding="utf-8").rstrip() for name in ("LICENSE", "NOTICE")
    )


def _tree_size_kib(stage: Path) -> int:
    total = sum(p.lstat().st_size for p in stage.rglob("*") if p.is_file() and not p.is_symlink())
    return -(-total // 1024)


def _md5sums(stage: Path) -> str:
    lines = []
    for path in sorted(stage.rglob("*")):
        if path.is_file() and not path.is_symlink() and path.parts[len(stage.parts)] != "DEBIAN":
            digest = hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()
            lines.append(f"{digest}  {path.relative_to(stage).as_posix()}")
    return "\n".join(lines) + "\n"


def stage_package(package: Package, stage: Path, version: str, arch: str, python: Path) -> None:
    """Everything but the environment (already in ``stage``): files and DEBIAN/."""
    for item in package.payload:
        dest = stage / item.dest.lstrip("/")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(PACKAGING / item.source, dest)
        dest.chmod(item.mode)
    doc = stage / "usr" / "share" / "doc" / package.name
    doc.mkdir(parents=True, exist_ok=True)
    (doc / "copyright").write_text(_copyright() + "\n", encoding="utf-8")
    meta = stage / "DEBIAN"
    meta.mkdir()
    (meta / "md5sums").write_text(_md5sums(stage), encoding="utf-8")
    size = _tree_size_kib(stage)
    (meta / "control").write_text(_control(package, version, arch, python, size), "utf-8")
    conffiles = [item.dest for item in package.payload if item.conffile]
    (meta / "conffiles").write_text("".join(f"{c}\n" for c in conffiles), encoding="utf-8")
    for name in SCRIPTS:
        script = meta / name
        script.write_text(_script(package, name), encoding="utf-8")
        script.chmod(0o755)
    for folder in [stage, *(p for p in stage.rglob("*") if p.is_dir() and not p.is_symlink())]:
        folder.chmod(0o755)


def build_package(
    package: Package,
    work: Path,
    out: Path,
    wheel: Path,
    *,
    version: str,
    arch: str,
    python: Path,
    compression: str,
    level: int,
    offline: bool,
) -> Path:
    stage = work / package.name
    build_venv(package, stage, wheel, python, offline)
    stage_package(package, stage, version, arch, python)
    deb = out / f"{package.name}_{version}_{arch}.deb"
    _run(
        ["dpkg-deb", "--root-owner-group", f"-Z{compression}"]
        + ([f"-z{level}"] if compression != "none" else [])
        + ["--build", stage, deb]
    )
    shutil.rmtree(stage)
    return deb


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="folder for the .deb files")
    parser.add_argument(
        "--only", choices=sorted(PACKAGES), action="append", help="build only this package"
    )
    parser.add_argument("--compression", choices=("zstd", "xz", "gzip", "none"), default="zstd")
    parser.add_argument("--level", type=int, default=1, help="compression level (default: 1)")
    parser.add_argument("--offline", action="store_true", help="only what uv's cache holds")
    args = parser.parse_args(argv)
    if not UV.exists():
        parser.error(f"{UV} is missing: make venv installs it")
    os.umask(0o022)
    try:
        version, arch, python = project_version(), architecture(), system_python()
        args.out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="anjungan-deb-") as tmp:
            work = Path(tmp)
            wheel = build_wheel(work / "wheel", args.offline)
            for key in args.only or sorted(PACKAGES, reverse=True):
                deb = build_package(
                    PACKAGES[key],
                    work,
                    args.out,
                    wheel,
                    version=version,
                    arch=arch,
                    python=python,
                    compression=args.compression,
                    level=args.level,
                    offline=args.offline,
                )
                print(deb)
    except BuildError as error:
        print(f"build.py: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
