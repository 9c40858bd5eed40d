"""`kiosk doctor` against the suite's real centre and CUPS: each fault found, named,
with its fix in one sentence; JSON alone on stdout with --json; no token in any output.
(The card readers' checks, against the real pcscd: tests/kiosk/test_doctor_pcsc.py.)"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from central.process import RunningCentral, start_central
from kiosk.config import load_config
from kiosk.doctor.check import NAMES, Check, Severity, serves
from kiosk.doctor.run import Places, run_doctor
from kiosk.wiring.store import open_store
from testkit.commands import kiosk
from testkit.cupsd import PDF_QUEUE, PrivateCupsd
from testkit.doctor_kiosk import DoctorKiosk, by_name, failing, kiosk_files
from testkit.kiosk_window import closed_port

pytestmark = pytest.mark.timeout(90)

ROOT = Path(__file__).resolve().parents[2]
QM = ROOT / "ui" / "i18n" / "anjungan_en.qm"


@pytest.fixture(scope="module")
def centre() -> Iterator[RunningCentral]:
    running = start_central(seed_demo=True)
    try:
        yield running
    finally:
        running.stop()


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
    return [name for name, check in checks.items() if not check.ok]


def test_a_healthy_kiosk_passes_and_says_so_in_json_alone(healthy: DoctorKiosk) -> None:
    done = healthy.doctor("--json")
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)  # stdout is the JSON and nothing else
    assert report["ok"] is True and failing(report) == []
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
    assert failing_lines(done.stdout) == ["centre", "token", "clock"]
    assert "GAGAL centre" in done.stdout and "-> Periksa jaringan, central.url" in done.stdout
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
    assert code == 1 and failing(report) == ["token"]
    token = by_name(report)["token"]
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
    assert serves(list(slightly.values()))  # a warning: citizens are still served
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
    (i18n / "anjungan_en.qm").write_bytes(QM.read_bytes())
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
    assert code == 1 and failing(report) == ["drivers"]
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
    assert (code, failing(report)) == (1, ["nfc"])
    nfc = by_name(report)["nfc"]
    assert nfc["detail"] == "nfcpy finds no reader at usb:ffff:ffff"
    assert "udev" in nfc["fix"]


def test_an_nfc_reader_nfcpy_opens_passes_with_its_name(
    tmp_path: Path, centre: RunningCentral
) -> None:
    # nfcpy's real udp driver: opened and let go again, as a USB reader would be.
    path = f"udp:127.0.0.1:{closed_port()}"
    files = kiosk_files(tmp_path, centre.url, card=f'backend = "nfc"\nnfc_path = "{path}"')
    code, report = files.doctor_json()
    assert (code, failing(report)) == (0, [])
    assert by_name(report)["nfc"]["detail"].endswith(f"IP-Stack ({path})")
