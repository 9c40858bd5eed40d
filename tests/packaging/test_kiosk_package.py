"""anjungan-kiosk installed into a scratch root with dpkg: its files, user, conffiles, unit
and udev rules, the environment it runs from, and what a purge leaves. (What an upgrade
keeps is tested on the centre's package: the same scripts, a tenth of the files.)"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from testkit.debroot import DebRoot, DpkgFailed, deb_field, installed_root
from testkit.host_packages import depends_closure, packages_of
from testkit.kiosk_window import closed_port
from testkit.notify_socket import NotifyListener, ready_then_pings
from testkit.udev_rules import problems, rules

ROOT = Path(__file__).resolve().parents[2]
CONFFILES = ["/etc/anjungan/kiosk.toml", "/etc/modprobe.d/anjungan-nfc-blacklist.conf"]
UNIT = "/usr/lib/systemd/system/anjungan-kiosk.service"
VENV = "/opt/anjungan/venv"
DEADLINE_S = 120


@pytest.fixture(scope="module")
def root(kiosk_deb: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DebRoot]:
    yield installed_root(kiosk_deb, tmp_path_factory.mktemp("kiosk-root"))


def _unit(path: Path) -> dict[str, list[str]]:
    """A unit file's keys (each with every value it is given), sections ignored."""
    keys: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            keys.setdefault(key.strip(), []).append(value.strip())
    return keys


def _run_installed(root: DebRoot, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """A program of the installed environment, run from outside the checkout."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "VIRTUAL_ENV") and not k.startswith("UV_")
    }
    env["QT_QPA_PLATFORM"] = "offscreen"
    return subprocess.run(
        [str(root / args[0]), *args[1:]],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=DEADLINE_S,
    )


def test_the_package_depends_on_the_session_and_the_readers_and_refuses_vpcd(
    kiosk_deb: Path,
) -> None:
    python = Path("/usr/bin/python3").resolve().name
    depends = deb_field(kiosk_deb, "Depends")
    assert {python, "cage", "pcscd", "libccid", "fonts-dejavu-core"} <= set(depends), depends
    assert deb_field(kiosk_deb, "Conflicts") == ["vsmartcard-vpcd"]


def test_install_makes_the_unprivileged_user_and_its_private_data_folder(root: DebRoot) -> None:
    user = root.account("anjungan")
    assert user is not None
    assert 0 < user.uid < 1000, "a system account"
    assert (user.home, user.shell) == ("/var/lib/anjungan", "/usr/sbin/nologin")
    group = root.group("anjungan")
    assert group is not None and group[0] == user.gid
    for printer_group in ("lp", "dialout"):
        found = root.group(printer_group)
        assert found is not None and "anjungan" in found[1], printer_group

    data = (root / "/var/lib/anjungan").stat()
    assert stat.S_ISDIR(data.st_mode) and stat.S_IMODE(data.st_mode) == 0o700
    assert (data.st_uid, data.st_gid) == (user.uid, user.gid)

    config = (root / "/etc/anjungan/kiosk.toml").stat()
    assert stat.S_IMODE(config.st_mode) == 0o640
    assert (config.st_uid, config.st_gid) == (0, user.gid), "root's file the kiosk can read"


def test_the_configuration_and_the_blacklist_are_conffiles(root: DebRoot) -> None:
    assert sorted(root.conffiles("anjungan-kiosk")) == CONFFILES
    assert "blacklist pn533_usb" in (root / CONFFILES[1]).read_text(encoding="utf-8")


def test_the_session_unit_is_enabled_and_verifies(root: DebRoot) -> None:
    wants = root / "/etc/systemd/system/graphical.target.wants/anjungan-kiosk.service"
    assert wants.is_symlink() and os.readlink(wants) == UNIT
    # cage is not installed on the build machine: a stand-in lets verify check the rest.
    assert root.verify_units("anjungan-kiosk.service", stand_ins=("/usr/bin/cage",)) == ""


def test_the_unit_runs_only_the_kiosk_under_cage_with_a_watchdog_within_30_s(
    root: DebRoot,
) -> None:
    unit = _unit(root / UNIT)
    [start] = unit["ExecStart"]
    assert start.startswith("/usr/bin/cage -- /usr/bin/env -u WATCHDOG_PID ")
    assert start.endswith(f"{VENV}/bin/kiosk run --fullscreen")
    assert " -s " not in start, "VT switching would let a citizen reach a console"
    assert unit["Type"] == ["notify"] and unit["NotifyAccess"] == ["all"]
    assert unit["User"] == ["anjungan"] and unit["PAMName"] == ["login"]
    assert unit["TTYPath"] == ["/dev/tty1"] and unit["Conflicts"] == ["getty@tty1.service"]
    assert unit["Restart"] == ["always"]
    for hang in ("WatchdogSec", "TimeoutStartSec"):
        # A kiosk that hangs while running (no pings) or while starting (no READY=1).
        hung_to_serving = sum(
            float(unit[key][0]) for key in (hang, "TimeoutAbortSec", "RestartSec")
        )
        assert hung_to_serving <= 30, f"a hung UI is killed and restarted within 30 s ({hang})"
    assert "ANJUNGAN_CONFIG=/etc/anjungan/kiosk.toml" in unit["Environment"][0].split()


def test_the_session_is_locked_down(root: DebRoot) -> None:
    """``systemd-analyze security`` rates the unit (9.4, "UNSAFE", with no hardening); the
    screen and input devices stay reachable (cage takes them through logind)."""
    assert root.exposure("anjungan-kiosk.service") <= 3.0
    unit = _unit(root / UNIT)
    assert unit["ProtectSystem"] == ["strict"]
    assert unit["ReadWritePaths"][0].split()[0] == "/var/lib/anjungan"
    assert "PrivateDevices" not in unit and "DevicePolicy" not in unit


def test_the_udev_rules_parse_and_give_the_devices_to_the_kiosk_s_group(root: DebRoot) -> None:
    installed = sorted((root / "/usr/lib/udev/rules.d").glob("*.rules"))
    assert [p.name for p in installed] == ["60-anjungan-escpos.rules", "60-anjungan-nfc.rules"]
    for path in installed:
        assert problems(path) == [], path.name
        granting = [rule for rule in rules(path) if rule.get("GROUP")]
        assert granting, path.name
        for rule in granting:
            assert [k.value for k in rule.get("GROUP")] == ["anjungan"]
            assert [k.value for k in rule.get("MODE")] == ["0660"]
            for key in rule.get("ATTR"):
                if key.attr in ("idVendor", "idProduct"):
                    assert len(key.value) == 4 and int(key.value, 16) >= 0, key


def test_the_installed_kiosk_runs_from_its_own_environment_at_the_locked_versions(
    root: DebRoot, tmp_path: Path
) -> None:
    helped = _run_installed(root, f"{VENV}/bin/kiosk", "--help", cwd=tmp_path)
    assert helped.returncode == 0, helped.stderr[-3000:]
    assert "run" in helped.stdout

    probe = (
        "import importlib.metadata as m, json, kiosk, ui, PySide6;"
        "print(json.dumps({'kiosk': kiosk.__file__, 'ui': ui.__file__,"
        " 'pyside6': m.version('pyside6-essentials'), 'pyscard': m.version('pyscard')}))"
    )
    found = _run_installed(root, f"{VENV}/bin/python", "-c", probe, cwd=tmp_path)
    assert found.returncode == 0, found.stderr[-3000:]
    where = json.loads(found.stdout)
    site = root / f"{VENV}/lib"
    assert Path(where["kiosk"]).is_relative_to(site), "not the checkout's kiosk"
    assert (Path(where["ui"]).parent / "i18n" / "anjungan_en.qm").is_file()
    locked = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))["package"]
    versions = {p["name"]: p["version"] for p in locked}
    assert where["pyside6"] == versions["pyside6-essentials"]
    assert where["pyscard"] == versions["pyscard"]


def test_the_kiosk_s_code_cache_is_shipped_root_s_read_only_and_read_by_the_kiosk(
    root: DebRoot, tmp_path: Path
) -> None:
    """The dataclasses' code cache (kiosk.code_cache) is built into the package beside the
    kiosk's bytecode: root's, written by no one else, holding nothing of the build
    machine; the installed kiosk's command line takes its methods from it, compiles none
    and writes nothing (the tree is root's)."""
    probe = (
        "import dataclasses, json\n"
        "from kiosk import code_cache\n"
        "cache = code_cache.install()\n"
        "import kiosk.cli.main\n"
        "print(json.dumps({'path': str(cache.path), 'compiled': cache.compiled,"
        " 'reused': cache.reused, 'ours': dataclasses.exec == cache.exec}))"
    )
    env_python = f"{VENV}/bin/python"
    found = _run_installed(root, env_python, "-c", probe, cwd=tmp_path)
    assert found.returncode == 0, found.stderr[-3000:]
    seen = json.loads(found.stdout)
    cache = Path(seen["path"])
    site = root / f"{VENV}/lib"
    assert cache.is_relative_to(site) and cache.parent.name == "__pycache__"
    assert cache.parent.parent.name == "kiosk"
    info = cache.stat()
    assert (info.st_uid, info.st_gid) == (0, 0)
    assert stat.S_IMODE(info.st_mode) == 0o644  # read by all, written by root alone
    assert seen["ours"] and seen["compiled"] == 0 and seen["reused"] > 40
    home = Path.home()
    traces = ("/tmp/anjungan-deb-", f"{home}/.pyenv/", f"{home}/.cache/uv/", str(ROOT))
    relative = str(cache.relative_to(root.path))
    assert root.files_holding(relative, *traces) == []
    assert sorted(p.name for p in cache.parent.glob("dataclass-code*")) == [cache.name]


def test_the_shipped_configuration_loads_in_the_installed_kiosk(
    root: DebRoot, tmp_path: Path
) -> None:
    load = (
        "import sys; from pathlib import Path; from kiosk.config import load_config;"
        "c = load_config(Path(sys.argv[1])); print(c.kiosk.data_dir)"
    )
    loaded = _run_installed(
        root, f"{VENV}/bin/python", "-c", load, str(root / "/etc/anjungan/kiosk.toml"), cwd=tmp_path
    )
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    assert loaded.stdout.strip() == "/var/lib/anjungan"


def test_the_installed_kiosk_started_as_the_unit_starts_it_says_ready_and_feeds_the_watchdog(
    root: DebRoot, tmp_path: Path
) -> None:
    """The unit's command after ``cage --``, as cage runs it: systemd's WATCHDOG_PID names
    cage (here: this test's process), which ``env -u`` drops so the kiosk feeds the watchdog.
    Offscreen instead of cage's Wayland display (there is no cage here)."""
    [start] = _unit(root / UNIT)["ExecStart"]
    command = start.partition(" -- ")[2].split()
    command = [str(root / word) if word.startswith("/opt/") else word for word in command]
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n'
        f'[central]\nurl = "http://127.0.0.1:{closed_port()}"\ntimeout_s = 0.5\n',
        encoding="utf-8",
    )
    with NotifyListener() as listener:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("PYTHONPATH", "VIRTUAL_ENV") and not k.startswith("UV_")
        }
        env.update(
            ANJUNGAN_CONFIG=str(config),
            QT_QPA_PLATFORM="offscreen",
            NOTIFY_SOCKET=listener.path,
            WATCHDOG_USEC="200000",
            WATCHDOG_PID=str(os.getpid()),
        )
        child = subprocess.Popen(
            command,
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        _, stderr = ready_then_pings(listener, child, ready_within_s=60.0)
    assert b"Traceback" not in stderr, stderr.decode()[-3000:]
    assert (tmp_path / "data" / "kiosk.db").is_file()


def test_the_installed_doctor_finds_the_package_s_translations_and_says_what_is_wrong(
    root: DebRoot, tmp_path: Path
) -> None:
    """``kiosk doctor --json`` of the package: stdout only JSON, the .qm files the package
    carries found, the unreachable centre a failing check (exit 1)."""
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n'
        f'[central]\nurl = "http://127.0.0.1:{closed_port()}"\ntimeout_s = 0.5\n',
        encoding="utf-8",
    )
    done = _run_installed(
        root, f"{VENV}/bin/kiosk", "doctor", "--json", "--config", str(config), cwd=tmp_path
    )
    assert done.returncode == 1, done.stderr[-3000:]
    report = json.loads(done.stdout)
    checks = {check["name"]: check for check in report["checks"]}
    assert report["ok"] is False
    assert checks["config"]["ok"] and checks["translations"]["ok"], checks["translations"]
    assert str(root / VENV) in checks["translations"]["detail"]
    assert not checks["centre"]["ok"] and checks["centre"]["fix"]


def test_purge_removes_the_program_and_conffiles_and_keeps_the_data_the_user_and_the_centre(
    kiosk_deb: Path, central_deb: Path, tmp_path: Path
) -> None:
    """Both packages on one machine, each with its own user: the kiosk's cannot read the
    centre's settings, secrets or data; purging the kiosk leaves the centre whole."""
    scratch = DebRoot(tmp_path / "root")
    scratch.install(central_deb)
    scratch.install(kiosk_deb)
    kiosk, centre = scratch.account("anjungan"), scratch.account("anjungan-central")
    assert kiosk is not None and centre is not None and kiosk.uid != centre.uid
    centre_group = scratch.group("anjungan-central")
    assert centre_group is not None and "anjungan" not in centre_group[1]
    for private in ("/etc/anjungan/central.toml", "/etc/anjungan/credentials/audit-key"):
        found = (scratch / private).stat()
        assert (found.st_uid, found.st_gid) == (0, centre.gid), private
        assert not found.st_mode & 0o007, private
    assert (scratch / "/var/lib/anjungan-central").stat().st_uid == centre.uid
    (scratch / "/var/lib/anjungan/store.db").write_bytes(b"tickets")

    scratch.dpkg("--purge", "anjungan-kiosk")

    assert scratch.status("anjungan-kiosk") == "not-installed"
    for gone in (*CONFFILES, UNIT, VENV, "/usr/lib/udev/rules.d/60-anjungan-nfc.rules"):
        assert not (scratch / gone).exists(), gone
    wants = scratch / "/etc/systemd/system/graphical.target.wants/anjungan-kiosk.service"
    assert not wants.is_symlink()
    assert (scratch / "/var/lib/anjungan/store.db").read_bytes() == b"tickets"
    assert scratch.account("anjungan") is not None
    assert scratch.status("anjungan-central") == "installed"
    assert (scratch / "/etc/anjungan/central.toml").is_file()
    assert (scratch / "/etc/anjungan/credentials/audit-key").is_file()


def test_an_existing_system_account_joins_its_group_and_a_reinstall_starts_the_kiosk_again(
    kiosk_deb: Path, tmp_path: Path
) -> None:
    """A system account made before the package (another group as its primary) can read
    root:anjungan 0640 files once it is in the group the unit names with Group=. A removal
    keeps the unit's enablement (as debhelper's scripts do) so a reinstall brings the kiosk
    back at boot; a conffile the administrator deleted stays deleted and does not stop the
    scripts."""
    scratch = DebRoot(tmp_path / "root")
    with (scratch / "/etc/passwd").open("a", encoding="utf-8") as f:
        f.write("anjungan:x:990:65534::/var/lib/anjungan:/usr/sbin/nologin\n")
    wants = scratch / "/etc/systemd/system/graphical.target.wants/anjungan-kiosk.service"

    scratch.install(kiosk_deb)

    group = scratch.group("anjungan")
    assert group is not None and "anjungan" in group[1], group
    config = (scratch / CONFFILES[0]).stat()
    assert (config.st_gid, stat.S_IMODE(config.st_mode)) == (group[0], 0o640)
    assert _unit(scratch / UNIT)["Group"] == ["anjungan"]

    (scratch / CONFFILES[0]).unlink()
    scratch.dpkg("--remove", "anjungan-kiosk")
    assert scratch.status("anjungan-kiosk") == "config-files"
    scratch.install(kiosk_deb)

    assert scratch.status("anjungan-kiosk") == "installed"
    assert wants.is_symlink() and os.readlink(wants) == UNIT
    assert not (scratch / CONFFILES[0]).exists()


def test_a_person_s_account_named_anjungan_is_refused_and_nothing_is_given_to_it(
    kiosk_deb: Path, tmp_path: Path
) -> None:
    scratch = DebRoot(tmp_path / "root")
    with (scratch / "/etc/passwd").open("a", encoding="utf-8") as f:
        f.write("anjungan:x:1000:1000:A person:/home/anjungan:/bin/bash\n")
    with (scratch / "/etc/group").open("a", encoding="utf-8") as f:
        f.write("staff2:x:1000:\n")

    with pytest.raises(DpkgFailed) as failed:
        scratch.install(kiosk_deb)

    assert "not a system account without login" in str(failed.value)
    assert "bukan akun sistem tanpa login" in str(failed.value)
    assert scratch.status("anjungan-kiosk") != "installed"
    lp = scratch.group("lp")
    assert lp is not None and "anjungan" not in lp[1], "no printer access for a person"
    assert not (scratch / "/var/lib/anjungan").exists()
    assert not (scratch / "/etc/systemd/system/graphical.target.wants").exists()
    assert not (scratch / VENV).exists(), "refused before anything is unpacked"


#: What the kiosk loads of Qt: the modules it imports (ui/, kiosk/) and the plugins its
#: session uses (cage's Wayland, the virtual keyboard, the speech's audio, images).
QT_LOADED = (
    "QtCore.abi3.so",
    "QtGui.abi3.so",
    "QtWidgets.abi3.so",
    "QtMultimedia.abi3.so",
    "Qt/plugins/platforms/libqwayland*.so",
    "Qt/plugins/wayland-*/*.so",
    "Qt/plugins/multimedia/*.so",
    "Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so",
    "Qt/plugins/imageformats/*.so",
    "Qt/plugins/iconengines/*.so",
)


def test_every_system_library_qt_loads_in_the_kiosk_comes_with_the_package_s_depends(
    kiosk_deb: Path, root: DebRoot
) -> None:
    """Qt's wheels link against the system's libraries; one the Depends do not pull in is
    missing on a fresh kiosk and Qt leaves out what needs it without a word (the speech's
    audio output needs libpulse0, the ffmpeg plugin libxrandr2)."""
    pyside = next((root / VENV).glob("lib/python3.*/site-packages/PySide6"))
    elves = sorted({p for pattern in QT_LOADED for p in pyside.glob(pattern)})
    assert len(elves) >= 8, elves
    outside: set[str] = set()
    for elf in elves:
        linked = subprocess.run(
            ["ldd", str(elf)], capture_output=True, text=True, timeout=DEADLINE_S, check=True
        )
        for line in linked.stdout.splitlines():
            name, arrow, where = line.strip().partition(" => ")
            assert "not found" not in where, f"{elf.name}: {name} not found on this machine"
            path = where.split(" (")[0]
            if arrow and path and not Path(path).is_relative_to(root.path):
                outside.add(path)
    names = [alt.split()[0] for part in deb_field(kiosk_deb, "Depends") for alt in part.split("|")]
    closure = depends_closure(names)
    holders = packages_of(outside)
    assert [lib for lib, package in holders.items() if package is None] == [], "of no package"
    missing = {lib: package for lib, package in sorted(holders.items()) if package not in closure}
    assert missing == {}, f"Qt loads these, the Depends do not pull them in: {missing}"


#: What the kiosk never loads and the package leaves out (a third of it was the web engine).
PRUNED = ("libQt6WebEngineCore.so.6", "libQt6Pdf.so.6", "libQt6Designer.so.6", "qmlls")


def test_what_the_kiosk_never_loads_is_left_out_and_nothing_left_needs_it(
    kiosk_deb: Path, root: DebRoot, tmp_path: Path
) -> None:
    """PySide6's web engine, PDF, Designer and developer tools are not in the package; no
    file left names one of the libraries that went, and every Qt part the kiosk loads
    (its modules, the Wayland, multimedia and input plugins) loads from the installed tree
    with all it links against."""
    pyside = next((root / VENV).glob("lib/python3.*/site-packages/PySide6"))
    for name in PRUNED:
        assert not list(pyside.rglob(name)), name
    assert not list((root / f"{VENV}/bin").glob("pyside6-*")), "launchers of removed tools"
    gone = [f"{p}.so.6" for p in ("libQt6WebEngineCore", "libQt6WebView", "libQt6Pdf")]
    gone += ["libQt6Designer.so.6", "libQt6WebEngineWidgets.so.6"]
    assert root.files_holding(f"{VENV}/lib", *gone) == []
    assert int(deb_field(kiosk_deb, "Installed-Size")[0]) < 500_000, "KiB"

    parts = sorted(str(p) for pattern in QT_LOADED for p in pyside.glob(pattern))
    assert len(parts) >= 8, parts
    load = (
        "import ctypes, sys\n"
        "for path in sys.argv[1:]:\n"
        "    ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from PySide6.QtMultimedia import QMediaDevices\n"
        "app = QApplication([])\n"
        "print(len(QMediaDevices.audioOutputs()) >= 0)\n"
    )
    loaded = _run_installed(root, f"{VENV}/bin/python", "-c", load, *parts, cwd=tmp_path)
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    assert loaded.stdout.strip() == "True"
