"""anjungan-central installed into a scratch root with dpkg: its files, user, conffile and
credentials, its unit, the installed centre started as the unit starts it (its settings
file, its credentials, systemd's notify socket), what an upgrade keeps and a purge leaves."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from testkit.debroot import DebRoot, DpkgFailed, deb_field, installed_root
from testkit.notify_socket import NotifyListener

ROOT = Path(__file__).resolve().parents[2]
CONFIG = "/etc/anjungan/central.toml"
USER = "anjungan-central"
CREDENTIALS = "/etc/anjungan/credentials"
UNIT = "/usr/lib/systemd/system/anjungan-central.service"
VENV = "/opt/anjungan-central/venv"
DEADLINE_S = 120

# Run by the installed environment's interpreter: the centre started the way the unit
# starts it (`python -m central --config ...`, credentials from $CREDENTIALS_DIRECTORY),
# on a scratch SQLite file and a free port (command-line options win over the file),
# then a kiosk enrols through it.
CENTRE_CHILD = textwrap.dedent(
    """
    import json, sys, urllib.error, urllib.request
    import central
    from central.process import start_central
    from central.settings import DEMO_ENROLMENT_CODE

    config, voice = sys.argv[1], sys.argv[2]
    args = ["--config", config, "--voice-cache", voice]
    with start_central(extra_args=args, timeout_s=60) as centre:
        enrol = urllib.request.Request(
            centre.url + "/api/v1/enrol",
            data=json.dumps({"code": DEMO_ENROLMENT_CODE, "name": "packaged"}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(enrol, timeout=30) as answer:
            status = answer.status
        with urllib.request.urlopen(centre.url + "/ready", timeout=30) as answer:
            ready = json.load(answer)
        print(json.dumps({"central": central.__file__, "enrol": status, "ready": ready}))
    """
)


@pytest.fixture(scope="module")
def root(central_deb: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DebRoot]:
    yield installed_root(central_deb, tmp_path_factory.mktemp("central-root"))


def _mode_and_owner(path: Path) -> tuple[int, int, int]:
    found = path.stat()
    return stat.S_IMODE(found.st_mode), found.st_uid, found.st_gid


def test_the_package_has_the_centre_without_qt(central_deb: Path, root: DebRoot) -> None:
    python = Path("/usr/bin/python3").resolve().name
    assert python in deb_field(central_deb, "Depends")
    site = next((root / VENV).glob("lib/python3.*/site-packages"))
    assert (site / "central").is_dir() and (site / "fastapi").is_dir()
    assert not list(site.glob("PySide6*")) and not (site / "shiboken6").exists()


def test_install_makes_the_user_the_data_folder_and_the_credentials(root: DebRoot) -> None:
    """The centre's own account, not the kiosk's: on a machine with both, the public-facing
    kiosk cannot read the centre's data, settings or secrets."""
    user = root.account(USER)
    assert user is not None and 0 < user.uid < 1000
    assert (user.home, user.shell) == ("/var/lib/anjungan-central", "/usr/sbin/nologin")
    assert root.account("anjungan") is None
    assert _mode_and_owner(root / "/var/lib/anjungan-central") == (0o700, user.uid, user.gid)
    assert _mode_and_owner(root / CONFIG) == (0o640, 0, user.gid)
    assert _mode_and_owner(root / CREDENTIALS) == (0o750, 0, user.gid)
    for name in ("audit-key", "db-password", "integrations"):
        assert _mode_and_owner(root / f"{CREDENTIALS}/{name}") == (0o640, 0, user.gid), name
    assert len((root / f"{CREDENTIALS}/audit-key").read_bytes()) == 32
    assert (root / f"{CREDENTIALS}/db-password").read_bytes() == b""
    assert root.conffiles("anjungan-central") == [CONFIG]
    # The tested reverse-proxy configuration, as an example the city copies into nginx.
    shipped = ROOT / "packaging" / "nginx" / "anjungan-central.conf"
    example = root / "/usr/share/doc/anjungan-central/examples/nginx/anjungan-central.conf"
    assert example.read_bytes() == shipped.read_bytes()


def test_the_unit_is_enabled_and_verifies(root: DebRoot) -> None:
    wants = root / "/etc/systemd/system/multi-user.target.wants/anjungan-central.service"
    assert wants.is_symlink() and os.readlink(wants) == UNIT
    assert root.verify_units("anjungan-central.service") == ""
    unit = (root / UNIT).read_text(encoding="utf-8")
    assert f"\nUser={USER}\nGroup={USER}\n" in unit
    assert f"ExecStart={VENV}/bin/python -m central --config {CONFIG}\n" in unit
    for name in ("audit-key", "db-password", "integrations"):
        assert f"LoadCredential={name}:{CREDENTIALS}/{name}\n" in unit


def test_the_server_is_locked_down_and_has_time_to_migrate(root: DebRoot) -> None:
    """``systemd-analyze security`` rates the unit (6.5 before the system-call filter, the
    empty capability set and the kernel protections); a start, which migrates the
    database, may take far longer than systemd's default 90 s before READY=1."""
    assert root.exposure("anjungan-central.service") <= 2.0
    unit = (root / UNIT).read_text(encoding="utf-8")
    assert "\nTimeoutStartSec=30min\n" in unit


def test_the_installed_centre_starts_on_its_settings_and_credentials_and_says_ready(
    root: DebRoot, tmp_path: Path
) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "VIRTUAL_ENV") and not k.startswith("UV_")
    }
    child_args = [str(root / CONFIG), str(tmp_path / "voice")]
    with NotifyListener() as listener:
        env.update(CREDENTIALS_DIRECTORY=str(root / CREDENTIALS), NOTIFY_SOCKET=listener.path)
        served = subprocess.run(
            [str(root / f"{VENV}/bin/python"), "-c", CENTRE_CHILD, *child_args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=DEADLINE_S,
        )
        assert served.returncode == 0, served.stderr[-3000:]
        assert listener.with_line("READY=1"), listener.notices()
    answer = json.loads(served.stdout.strip().splitlines()[-1])
    assert Path(answer["central"]).is_relative_to(root / VENV), "not the checkout's centre"
    assert answer["enrol"] == 201
    assert answer["ready"] == {"ready": True}, "the database at the migrations' head"


def test_reinstalling_keeps_a_changed_conffile_the_audit_key_and_a_disabled_unit(
    central_deb: Path, tmp_path: Path
) -> None:
    scratch = DebRoot(tmp_path / "root")
    scratch.install(central_deb)
    config = scratch / CONFIG
    changed = config.read_text(encoding="utf-8").replace("workers = 2", "workers = 3")
    config.write_text(changed, encoding="utf-8")
    key = (scratch / f"{CREDENTIALS}/audit-key").read_bytes()
    wants = scratch / "/etc/systemd/system/multi-user.target.wants/anjungan-central.service"
    wants.unlink()  # the city disabled the service on this machine

    scratch.install(central_deb, "--force-confold")

    assert config.read_text(encoding="utf-8") == changed
    assert (scratch / f"{CREDENTIALS}/audit-key").read_bytes() == key
    assert not wants.exists(), "an upgrade must not enable a unit the city disabled"
    user = scratch.account(USER)
    assert user is not None
    assert _mode_and_owner(config) == (0o640, 0, user.gid)

    scratch.dpkg("--purge", "anjungan-central")
    assert scratch.status("anjungan-central") == "not-installed"
    for gone in (CONFIG, CREDENTIALS, UNIT, VENV):
        assert not (scratch / gone).exists(), gone
    assert (scratch / "/var/lib/anjungan-central").is_dir(), "the database folder stays"
    assert scratch.account(USER) is not None


def test_installing_into_a_root_leaves_this_machine_alone(
    central_deb: Path, tmp_path: Path
) -> None:
    """The maintainer scripts honour DPKG_ROOT: the user, the folders, the credentials and
    the enabled unit go into the root, never onto the machine that runs dpkg."""
    watched = [Path(p) for p in ("/etc/passwd", "/etc/group", "/etc/shadow", "/etc/gshadow")]
    before = {path: path.read_bytes() for path in watched if path.exists()}
    absent = [
        Path(p)
        for p in (
            CREDENTIALS,
            "/var/lib/anjungan-central",
            "/etc/systemd/system/multi-user.target.wants/anjungan-central.service",
        )
        if not Path(p).exists()
    ]
    scratch = DebRoot(tmp_path / "root")
    scratch.install(central_deb)
    assert scratch.account(USER) is not None
    assert {path: path.read_bytes() for path in before} == before
    assert [path for path in absent if path.exists() or path.is_symlink()] == []


def test_a_deleted_configuration_stays_deleted_and_the_reinstall_still_configures(
    central_deb: Path, tmp_path: Path
) -> None:
    """dpkg keeps a conffile the administrator deleted deleted; the scripts must not fail on
    its absence (a half-configured package would refuse every later upgrade)."""
    scratch = DebRoot(tmp_path / "root")
    scratch.install(central_deb)
    (scratch / CONFIG).unlink()

    scratch.install(central_deb)

    assert scratch.status("anjungan-central") == "installed"
    assert not (scratch / CONFIG).exists()


def test_remove_then_reinstall_keeps_the_unit_enabled_or_disabled_as_it_was(
    central_deb: Path, tmp_path: Path
) -> None:
    wants = "/etc/systemd/system/multi-user.target.wants/anjungan-central.service"
    enabled = DebRoot(tmp_path / "enabled")
    disabled = DebRoot(tmp_path / "disabled")
    for scratch in (enabled, disabled):
        scratch.install(central_deb)
    (disabled / wants).unlink()  # the city disabled the service on this machine
    for scratch in (enabled, disabled):
        scratch.dpkg("--remove", "anjungan-central")
        assert scratch.status("anjungan-central") == "config-files"
        scratch.install(central_deb)

    assert (enabled / wants).is_symlink() and os.readlink(enabled / wants) == UNIT
    assert not (disabled / wants).is_symlink()


def test_the_program_is_root_s_alone_and_carries_nothing_of_the_build_machine(
    root: DebRoot,
) -> None:
    """No file under /opt/anjungan-central another user could change (uv's .lock was 0666),
    no set-id bit; no path of the machine that built it: the staging folder in the bytecode and in
    direct_url.json, the developer's interpreter (a RUNPATH) or uv's cache in a library."""
    assert root.loose_files("/opt/anjungan-central") == []
    home = Path.home()
    build_traces = ("/tmp/anjungan-deb-", f"{home}/.pyenv/", f"{home}/.cache/uv/", str(ROOT))
    assert root.files_holding("/opt/anjungan-central", *build_traces) == []


def test_what_is_there_before_the_install_is_not_trusted(central_deb: Path, tmp_path: Path) -> None:
    """A password file left readable by everyone gets the credentials' mode; a link in the
    data folder's place is refused (chown would follow it); the centre's files of a
    version that ran it as the kiosk's user become the centre's own."""
    linked = DebRoot(tmp_path / "linked")
    victim = linked / "/srv/victim"
    victim.mkdir(parents=True)
    victim.chmod(0o755)
    (linked / "/var/lib").mkdir(parents=True, exist_ok=True)
    (linked / "/var/lib/anjungan-central").symlink_to(victim)
    with pytest.raises(DpkgFailed) as failed:
        linked.install(central_deb)
    assert "/var/lib/anjungan-central is not a folder" in str(failed.value)
    assert _mode_and_owner(victim) == (0o755, 0, 0)

    scratch = DebRoot(tmp_path / "root")
    with (scratch / "/etc/passwd").open("a", encoding="utf-8") as f:
        f.write("anjungan:x:990:990::/var/lib/anjungan:/usr/sbin/nologin\n")
    with (scratch / "/etc/group").open("a", encoding="utf-8") as f:
        f.write("anjungan:x:990:\n")
    credentials = scratch / CREDENTIALS
    credentials.mkdir(parents=True)
    credentials.chmod(0o777)
    (credentials / "db-password").write_text("s3cret\n", encoding="utf-8")
    (credentials / "db-password").chmod(0o666)
    data = scratch / "/var/lib/anjungan-central"
    data.mkdir(parents=True)
    (data / "central.db").write_bytes(b"tickets")
    os.chown(data / "central.db", 990, 990)

    scratch.install(central_deb)

    user = scratch.account(USER)
    assert user is not None
    assert _mode_and_owner(credentials) == (0o750, 0, user.gid)
    assert _mode_and_owner(credentials / "db-password") == (0o640, 0, user.gid)
    assert (credentials / "db-password").read_text(encoding="utf-8") == "s3cret\n"
    assert _mode_and_owner(data / "central.db")[1:] == (user.uid, user.gid)
