"""`kiosk doctor` against the suite's real centre and CUPS: each fault found, named,
with its fix in one sentence; JSON alone on stdout with --json; no token in any output.
(The card readers' checks, against the real pcscd: tests/kiosk/test_doctor_pcsc.py.)"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from cardio.readers.probe import MAX_READ_BYTES, dangerous_drivers
from central.process import RunningCentral
from kiosk.config import SYSTEM_PATH, load_config
from kiosk.doctor.check import NAMES, Check, Severity, serves
from kiosk.doctor.run import Places, run_doctor
from kiosk.wiring.store import open_store
from testkit.commands import kiosk
from testkit.cupsd import PDF_QUEUE, PrivateCupsd
from testkit.doctor_kiosk import DoctorKiosk, by_name, doctor_centre, failing, faults, kiosk_files
from testkit.fault_proxy import FaultProxy
from testkit.kiosk_window import closed_port

pytestmark = pytest.mark.timeout(90)

ROOT = Path(__file__).resolve().parents[2]
QM = ROOT / "ui" / "i18n" / "anjungan_en.qm"


@pytest.fixture(scope="module")
def centre() -> Iterator[RunningCentral]:
    yield from doctor_centre()


@pytest.fixture
def healthy(tmp_path: Path, centre: RunningCentral) -> DoctorKiosk:
    return kiosk_files(tmp_path, centre.url)


def _checks(
    files: DoctorKiosk,
    *,
    i18n_dir: Path | None = None,
    disk_fail_bytes: int | None = None,
    disk_warn_bytes: int | None = None,
) -> dict[str, Check]:
    places = Places(files.root, i18n_dir, disk_fail_bytes, disk_warn_bytes)
    found = run_doctor(files.config, places=places)
    assert [c.name for c in found] == list(NAMES)
    return {c.name: c for c in found}


def _failing(checks: dict[str, Check]) -> list[str]:
    """Failing checks besides the demo card's and PDF printer's (see ``faults``)."""
    return faults({"checks": [c.as_json() for c in checks.values()]})


def test_a_kiosk_healthy_but_for_its_demo_parts_says_so_in_json_alone(
    healthy: DoctorKiosk,
) -> None:
    done = healthy.doctor("--json")
    report = json.loads(done.stdout)  # stdout is the JSON and nothing else
    # The simulated card reads no citizen's card: it cannot serve (exit 1).
    assert done.returncode == 1 and report["ok"] is False, done.stdout + done.stderr
    assert failing(report) == ["readers", "printer"] and faults(report) == []
    assert [c["name"] for c in report["checks"]] == list(NAMES)
    assert all(set(c) == {"name", "ok", "severity", "detail", "fix"} for c in report["checks"])
    checks = by_name(report)
    assert "pku-mpp" in checks["token"]["detail"]
    assert checks["clock"]["detail"].startswith("selisih / skew")
    assert healthy.token not in done.stdout + done.stderr


def test_an_unreachable_centre_fails_with_its_fix_and_the_run_ends(
    tmp_path: Path, centre: RunningCentral
) -> None:
    files = kiosk_files(tmp_path, centre.url)
    text = files.config.read_text().replace(centre.url, f"http://127.0.0.1:{closed_port()}")
    files.config.write_text(text)
    done = files.doctor()
    assert done.returncode == 1
    assert failing_lines(done.stdout) == ["readers", "printer", "centre", "token", "clock"]
    assert "GAGAL centre" in done.stdout and "-> Periksa jaringan, central.url" in done.stdout
    # Both languages, not the HTTP library's own English ("Max retries exceeded ...").
    assert "tak terjangkau / unreachable" in done.stdout and "retries" not in done.stdout
    assert "can NOT serve citizens" in done.stdout
    assert files.token not in done.stdout + done.stderr


def failing_lines(stdout: str) -> list[str]:
    return [line.split()[1] for line in stdout.splitlines() if line.startswith(("GAGAL", "AWAS"))]


def test_a_revoked_token_fails_the_token_check(
    healthy: DoctorKiosk, centre: RunningCentral
) -> None:
    revoked = kiosk("server", "--db", centre.db_url, "revoke-kiosk", healthy.kiosk_id)
    assert revoked.returncode == 0, revoked.stderr
    code, report = healthy.doctor_json()
    assert code == 1 and faults(report) == ["token"]
    token = by_name(report)["token"]
    assert token["severity"] == "fail"
    assert token["detail"].startswith("ditolak / refused (401")
    assert "kode pendaftaran baru" in token["fix"] and "new enrolment code" in token["fix"]
    assert healthy.token not in str(report)


def test_a_hanging_centre_is_given_up_at_the_run_deadline(tmp_path: Path) -> None:
    with socket.socket() as black_hole:  # accepts, never answers
        black_hole.bind(("127.0.0.1", 0))
        black_hole.listen()
        url = f"http://127.0.0.1:{black_hole.getsockname()[1]}"
        files = tmp_path / "kiosk.toml"
        files.write_text(f'[kiosk]\ndata_dir = "{tmp_path}/data"\n[central]\nurl = "{url}"\n')
        found = {c.name: c for c in run_doctor(files, deadline_s=0.5)}
    for name in ("centre", "token", "clock"):
        assert not found[name].ok
        assert found[name].detail == "tidak ada jawaban dalam / no answer within 0.5 s"


def test_a_stopped_and_a_missing_printer(
    tmp_path: Path, centre: RunningCentral, cupsd: PrivateCupsd
) -> None:
    printer = f'backend = "cups"\nqueue = "{PDF_QUEUE}"\ncups_server = "{cupsd.server}"\n'
    files = kiosk_files(tmp_path, centre.url, printer=printer)
    assert _failing(_checks(files)) == []
    cupsd.tool("cupsdisable", "-r", "paper out", PDF_QUEUE)
    stopped = _checks(files)
    assert _failing(stopped) == ["printer"]
    assert "cupsenable" in stopped["printer"].fix and stopped["printer"].severity is Severity.FAIL
    files.config.write_text(files.config.read_text().replace(PDF_QUEUE, "NoSuchQueue"))
    missing = _checks(files)
    assert _failing(missing) == ["printer"] and "NoSuchQueue" in missing["printer"].detail


def test_a_skewed_clock_warns_then_fails(healthy: DoctorKiosk) -> None:
    def ahead(seconds: float) -> dict[str, Check]:
        return _checks_at(healthy, dt.timedelta(seconds=seconds))

    slightly = ahead(45)
    assert _failing(slightly) == ["clock"] and slightly["clock"].severity is Severity.WARN
    assert serves([slightly["clock"]])  # a warning: citizens are still served
    far = ahead(-600)
    assert _failing(far) == ["clock"] and far["clock"].severity is Severity.FAIL
    skew = int(far["clock"].detail.split()[3])  # "selisih / skew -600 s (…)"
    assert -605 < skew < -595  # the kiosk behind the centre: negative
    assert "timedatectl set-ntp true" in far["clock"].fix


def _checks_at(files: DoctorKiosk, shift: dt.timedelta) -> dict[str, Check]:
    found = run_doctor(
        files.config,
        places=Places(root=files.root),
        now=lambda: dt.datetime.now(dt.UTC) + shift,
    )
    return {c.name: c for c in found}


def test_a_deep_and_old_outbox(healthy: DoctorKiosk) -> None:
    config = load_config(healthy.config)
    now = dt.datetime.now(dt.UTC)
    store = open_store(config)
    for n in range(3):
        body = {"office_id": "pku-mpp", "text": "lampu jalan mati"}
        store.enqueue_submission(f"k-{n}", "complaint", body, now - dt.timedelta(minutes=10))
    store.close()
    waiting = _checks(healthy)
    assert _failing(waiting) == ["outbox"] and waiting["outbox"].severity is Severity.WARN
    assert waiting["outbox"].detail.startswith("3 belum terkirim / unsent, 0 gagal / dead")
    store = open_store(config)
    store.enqueue_submission("k-old", "complaint", {"text": "x"}, now - dt.timedelta(hours=2))
    store.close()
    old = _checks(healthy)
    assert _failing(old) == ["outbox"] and old["outbox"].severity is Severity.FAIL


def test_a_missing_store_key_fails_the_store(healthy: DoctorKiosk) -> None:
    (healthy.data / "store.key").unlink()
    checks = _checks(healthy)
    assert _failing(checks) == ["store", "outbox"]
    assert "store.key" in checks["store"].fix
    assert (healthy.data / "store.key").exists() is False  # never made anew over a store


def test_a_nearly_full_disk(healthy: DoctorKiosk) -> None:
    full = _checks(healthy, disk_fail_bytes=1 << 62, disk_warn_bytes=1 << 63)
    assert _failing(full) == ["disk"] and full["disk"].severity is Severity.FAIL
    low = _checks(healthy, disk_warn_bytes=1 << 62)
    assert _failing(low) == ["disk"] and low["disk"].severity is Severity.WARN


def test_a_data_folder_open_to_others_or_owned_by_another_user(healthy: DoctorKiosk) -> None:
    healthy.data.chmod(0o755)
    opened = _checks(healthy)
    assert _failing(opened) == ["data_folder"] and opened["data_folder"].severity is Severity.WARN
    assert "chmod 0700" in opened["data_folder"].fix
    healthy.data.chmod(0o700)
    if os.geteuid() != 0:
        pytest.skip("giving the folder to another user needs root")
    os.chown(healthy.data, 65534, 65534)
    try:
        other = _checks(healthy)
    finally:
        os.chown(healthy.data, os.geteuid(), os.getegid())
    assert _failing(other) == ["store", "outbox", "data_folder"]
    assert "sudo -u anjungan kiosk doctor" in other["data_folder"].fix


def test_missing_or_broken_translations(healthy: DoctorKiosk, tmp_path: Path) -> None:
    i18n = tmp_path / "i18n"
    i18n.mkdir()
    missing = _checks(healthy, i18n_dir=i18n)
    assert _failing(missing) == ["translations"]
    assert "anjungan_en.qm" in missing["translations"].detail
    (i18n / "anjungan_en.qm").write_bytes(b"<TS version='2.1'>")
    assert _failing(_checks(healthy, i18n_dir=i18n)) == ["translations"]
    whole = QM.read_bytes()
    (i18n / "anjungan_en.qm").write_bytes(whole[: len(whole) * 6 // 10])  # Qt refuses it
    cut = _checks(healthy, i18n_dir=i18n)
    assert _failing(cut) == ["translations"] and "truncated" in cut["translations"].detail
    (i18n / "anjungan_en.qm").write_bytes(whole)
    assert _failing(_checks(healthy, i18n_dir=i18n)) == []


def test_dangerous_drivers_are_named(healthy: DoctorKiosk) -> None:
    (healthy.root / "proc" / "modules").write_text(
        "pn533_usb 20480 0 - Live 0x0\n"
        "pn533 45056 1 pn533_usb, Live 0x0\n"
        "nfc 135168 1 pn533, Live 0x0\n"
    )
    driver = healthy.root / "usr" / "lib" / "pcsc" / "drivers" / "serial" / "libifdvpcd.so"
    driver.parent.mkdir(parents=True)
    driver.write_bytes(b"\x7fELF")
    code, report = healthy.doctor_json()
    assert code == 1 and faults(report) == ["drivers"]
    assert by_name(report)["drivers"]["severity"] == "fail"
    assert by_name(report)["drivers"]["detail"] == (
        "kernel module pn533_usb; kernel module pn533; kernel module nfc; "
        "pcsc driver /usr/lib/pcsc/drivers/serial/libifdvpcd.so"
    )


def test_a_bad_configuration_is_the_one_thing_said(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text('[card]\nbackend = "magnetic"\n')
    done = kiosk("doctor", "--json", "--config", str(config))
    assert done.returncode == 1
    report = json.loads(done.stdout)
    checks = by_name(report)
    assert "card.backend" in checks["config"]["detail"]
    assert all(checks[n]["detail"].startswith("tidak diperiksa") for n in NAMES if n != "config")
    assert kiosk("doctor", "--no-such-option").returncode == 2


def test_no_nfc_reader_where_nfcpy_is_told_to_look(tmp_path: Path, centre: RunningCentral) -> None:
    # No USB device has the vendor id ffff: nfcpy finds nothing there.
    files = kiosk_files(tmp_path, centre.url, card='backend = "nfc"\nnfc_path = "usb:ffff:ffff"')
    code, report = files.doctor_json()
    assert (code, faults(report)) == (1, ["nfc"])
    nfc = by_name(report)["nfc"]
    assert nfc["detail"] == "nfcpy finds no reader at usb:ffff:ffff"
    assert "udev" in nfc["fix"]


def test_nfcpy_s_simulated_udp_radio_opens_but_fails(
    tmp_path: Path, centre: RunningCentral
) -> None:
    # nfcpy's real udp driver: opened and let go again, as a USB reader would be; but
    # whoever reaches that port presents the "card": no kiosk may serve with it.
    path = f"udp:127.0.0.1:{closed_port()}"
    files = kiosk_files(tmp_path, centre.url, card=f'backend = "nfc"\nnfc_path = "{path}"')
    code, report = files.doctor_json()
    assert (code, faults(report)) == (1, ["nfc"])
    nfc = by_name(report)["nfc"]
    assert nfc["severity"] == "fail"
    assert f"IP-Stack ({path}): radio tiruan nfcpy lewat UDP" in nfc["detail"]
    assert 'card.backend = "pcsc"' in nfc["fix"]


def test_vpcd_under_a_versioned_name_or_named_by_reader_conf_d(healthy: DoctorKiosk) -> None:
    drivers = healthy.root / "usr" / "lib" / "pcsc" / "drivers" / "serial"
    drivers.mkdir(parents=True)
    (drivers / "libifdvpcd.so.0.8").write_bytes(b"\x7fELF")
    conf = healthy.root / "etc" / "reader.conf.d"
    conf.mkdir(parents=True)
    (conf / "vpcd").write_text(
        'FRIENDLYNAME "Virtual PCD"\nDEVICENAME /dev/null:0x8C7B\n'
        "LIBPATH /usr/lib/pcsc/drivers/serial/libifdvpcd.so.0.8\nCHANNELID 0x8C7B\n"
    )
    drivers_check = _checks(healthy)["drivers"]
    assert not drivers_check.ok and drivers_check.severity is Severity.FAIL
    assert drivers_check.detail == (
        "pcsc driver /usr/lib/pcsc/drivers/serial/libifdvpcd.so.0.8; "
        "/etc/reader.conf.d/vpcd: LIBPATH /usr/lib/pcsc/drivers/serial/libifdvpcd.so.0.8"
    )


def test_proc_modules_is_read_only_up_to_its_cap(healthy: DoctorKiosk) -> None:
    # No /proc/modules is a megabyte long: what lies beyond is not read (a --root
    # pointing at /dev/zero would otherwise read until memory runs out).
    filler = "ext4 1003520 1 - Live 0x0\n" * (MAX_READ_BYTES // 25 + 1)
    (healthy.root / "proc" / "modules").write_text(filler + "pn533_usb 20480 0 - Live 0x0\n")
    assert dangerous_drivers(healthy.root) == []
    (healthy.root / "proc" / "modules").write_text("pn533_usb 20480 0 - Live 0x0\n" + filler)
    assert dangerous_drivers(healthy.root) == ["kernel module pn533_usb"]


def test_an_escpos_printer_that_reports_no_state_warns(
    tmp_path: Path, centre: RunningCentral
) -> None:
    printer = 'backend = "escpos"\nescpos_device = "file:/dev/null"'
    checks = _checks(kiosk_files(tmp_path, centre.url, printer=printer))
    assert _failing(checks) == ["printer"]
    assert checks["printer"].severity is Severity.WARN
    assert "its state is unknown" in checks["printer"].detail
    assert "test ticket" in checks["printer"].fix


class _NotACentre(BaseHTTPRequestHandler):
    """Another web server at central.url: a captive portal, or another service."""

    health = b'{"status": "ok"}'

    def do_GET(self) -> None:
        body = self.health if self.path == "/health" else b"<html>Welcome to WiFi</html>"
        self.send_response(200 if self.path == "/health" else 404)
        self.send_header("Content-Type", "application/json" if body[:1] == b"{" else "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.parametrize(
    "health", [b'{"status": "ok"}', b"<html>Welcome to WiFi</html>", b"[]"], ids=str
)
def test_only_an_anjungan_centre_passes_the_centre_check(
    healthy: DoctorKiosk, centre: RunningCentral, health: bytes
) -> None:
    handler = type("Handler", (_NotACentre,), {"health": health})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        healthy.config.write_text(healthy.config.read_text().replace(centre.url, url))
        checks = _checks(healthy)
    finally:
        server.shutdown()
        server.server_close()
    assert _failing(checks) == ["centre", "token", "clock"]
    assert checks["centre"].severity is Severity.FAIL
    assert checks["centre"].detail == (
        f"{url}: yang menjawab bukan pusat Anjungan / what answers is not an Anjungan centre"
    )


@pytest.mark.parametrize("status", [500, 404])
def test_a_centre_that_cannot_say_whether_the_token_is_valid_fails_it(
    healthy: DoctorKiosk, centre: RunningCentral, status: int
) -> None:
    # The real centre behind a proxy: /health passes, /api/v1/kiosks/me answers
    # 500 (its database down) or 404 (another service behind the same name).
    proxy = FaultProxy(target_port=urlsplit(centre.url).port or 0)
    try:
        proxy.set("pass", status=status)
        proxy.route("/api/v1/kiosks/me", "error")
        healthy.config.write_text(healthy.config.read_text().replace(centre.url, proxy.url))
        checks = _checks(healthy)
    finally:
        proxy.close()
    assert _failing(checks) == ["token"]
    token = checks["token"]
    assert token.severity is Severity.FAIL
    assert token.detail == (
        "pusat tidak dapat memastikan token / the centre cannot say whether the token is "
        f"valid: menjawab HTTP {status} / answered HTTP {status}"
    )
    assert "journalctl -u anjungan-central" in token.fix


def test_any_stdout_encoding_gets_the_whole_report(tmp_path: Path, centre: RunningCentral) -> None:
    home = tmp_path / "kios\u2014satu"  # an em dash: in neither ASCII nor Latin-1
    home.mkdir()
    files = kiosk_files(home, centre.url)
    for encoding in ("ascii", "latin-1"):
        as_json = files.doctor("--json", env={"PYTHONIOENCODING": encoding})
        assert as_json.stdout.isascii() and "Traceback" not in as_json.stderr
        report = json.loads(as_json.stdout)
        assert str(files.data) in by_name(report)["data_folder"]["detail"]
        assert faults(report) == [] and as_json.returncode == 1  # the demo card
        human = files.doctor(env={"PYTHONIOENCODING": encoding})
        assert human.returncode == 1 and "Traceback" not in human.stderr
        assert "kios\\u2014satu" in human.stdout and "can NOT serve citizens" in human.stdout


def test_without_a_file_the_embedded_defaults_are_a_warning(tmp_path: Path) -> None:
    if SYSTEM_PATH.exists():
        pytest.skip(f"{SYSTEM_PATH} is there: the doctor would check it")
    env = {
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "ANJUNGAN_CONFIG": "",  # as `sudo -u anjungan` leaves it: unset
    }
    done = kiosk("doctor", "--json", env=env)
    config = by_name(json.loads(done.stdout))["config"]
    assert (config["ok"], config["severity"]) == (False, "warn")
    assert config["detail"].endswith("no file found: the embedded defaults are used")
    assert "--config /etc/anjungan/kiosk.toml" in config["fix"]


def _files_of(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {p.name: (p.stat().st_mode, p.read_bytes()) for p in sorted(folder.iterdir())}


def test_the_doctor_changes_nothing_in_the_store_it_looks_at(healthy: DoctorKiosk) -> None:
    (healthy.data / "store.key").chmod(0o644)
    (healthy.data / "kiosk.db").chmod(0o444)
    before = _files_of(healthy.data)
    checks = _checks(healthy)
    assert _failing(checks) == ["store"] and checks["store"].severity is Severity.WARN
    assert f"{healthy.data / 'kiosk.db'} 0444" in checks["store"].detail
    assert f"{healthy.data / 'store.key'} 0644" in checks["store"].detail
    assert "chmod 0600" in checks["store"].fix
    assert _files_of(healthy.data) == before  # modes, bytes, and no file more or less


def test_a_store_without_key_or_schema_is_said_and_left_so(healthy: DoctorKiosk) -> None:
    (healthy.data / "store.key").unlink()
    (healthy.data / "kiosk.db").write_bytes(b"")
    before = _files_of(healthy.data)
    checks = _checks(healthy)
    assert _failing(checks) == ["store", "outbox"]
    store = checks["store"]
    assert store.severity is Severity.WARN and "no key yet" in store.detail
    assert "schema to migrate: 1, 2" in store.detail
    assert "made by the kiosk at its start" in store.detail
    assert checks["outbox"].detail.endswith("not checked: the schema is not migrated")
    assert _files_of(healthy.data) == before  # no key made, no schema written


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (lambda p: p.mkdir(), "Is a directory"),
        (lambda p: None, "No such file or directory"),
        (lambda p: p.write_text("[kiosk"), "not valid TOML"),
    ],
    ids=["folder", "missing", "toml"],
)
def test_a_config_file_that_cannot_be_read_is_said_so(
    tmp_path: Path, make: Callable[[Path], None], said: str
) -> None:
    path = tmp_path / "kiosk.toml"
    make(path)
    config = run_doctor(path)[0]
    assert not config.ok and said in config.detail
    assert "it exists, the kiosk's user can read it, it is valid UTF-8 TOML" in config.fix
    assert "fix the key" not in config.fix


def test_a_bad_key_is_named_in_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text('[card]\nbackend = "magnetic"\n')
    assert "fix the key card.backend" in run_doctor(path)[0].fix


def test_a_data_folder_under_a_file_says_to_fix_the_path(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[kiosk]\ndata_dir = "{tmp_path / "kiosk.toml" / "data"}"\n')
    folder = {c.name: c for c in run_doctor(path, deadline_s=5)}["data_folder"]
    assert not folder.ok and "set kiosk.data_dir to a folder" in folder.fix
    assert "sudo -u anjungan" not in folder.fix


def test_a_password_in_central_url_is_never_printed(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    port = closed_port()
    path.write_text(
        f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n'
        f'[central]\nurl = "http://kiosk:pa55word@127.0.0.1:{port}/"\ntimeout_s = 1.0\n'
    )
    done = kiosk("-v", "doctor", "--config", str(path))
    assert f"GAGAL centre       http://127.0.0.1:{port}/: tak terjangkau" in done.stdout
    assert "pa55word" not in done.stdout + done.stderr
