"""The checks on the centre: reachable, the kiosk's token taken, the clocks agree."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from kiosk.client.bearer import load_token
from kiosk.client.client import CentralClient
from kiosk.client.errors import CentralAuthError, CentralError
from kiosk.config import Config
from kiosk.doctor.check import Check, Severity, failed, passed

#: The clocks may differ this much unremarked (the centre's Date has whole seconds).
CLOCK_OK_S = 10.0
#: Beyond this, ticket times, leases and the office's day go wrong: a failure.
CLOCK_FAIL_S = 120.0

TIME_SYNC = (
    "Nyalakan sinkronisasi waktu: sudo timedatectl set-ntp true / "
    "turn on time sync: sudo timedatectl set-ntp true."
)


def check_centre(
    config: Config, now: Callable[[], dt.datetime], timeout_s: float
) -> tuple[Check, Check, Check]:
    """``centre``, ``token`` and ``clock``, from two requests at most."""
    seconds = min(config.central.timeout_s, timeout_s)
    client = CentralClient(
        config.central.url, timeout_s=seconds, ca_bundle=config.central.ca_bundle
    )
    try:
        return _check(client, config, now)
    finally:
        client.close()


def _check(
    client: CentralClient, config: Config, now: Callable[[], dt.datetime]
) -> tuple[Check, Check, Check]:
    url = config.central.url
    try:
        before = now()
        theirs = client.server_time()
        after = now()
    except CentralError as exc:
        fix = (
            "Periksa jaringan, central.url dan server pusat (curl URL/health) / "
            "check the network, central.url and the centre (curl URL/health)."
        )
        skipped = "tidak diperiksa: pusat tak terjangkau / not checked: centre unreachable"
        return (
            failed("centre", str(exc), fix),
            failed("token", skipped, fix),
            failed("clock", skipped, TIME_SYNC, Severity.WARN),
        )
    centre = passed("centre", f"{url}: menjawab / answers")
    return centre, _token(client, config), _clock(theirs, before, after)


def _token(client: CentralClient, config: Config) -> Check:
    path = config.central_token_path
    token = load_token(path)
    enrol = (
        "Minta kode pendaftaran baru dari admin pusat, isi central.enrolment_code, hapus "
        "berkas token, lalu mulai ulang kiosk / ask the centre's admin for a new enrolment "
        "code, put it in central.enrolment_code, delete the token file, restart the kiosk."
    )
    if token is None:
        detail = f"{path}: " + (
            "tidak terbaca atau kosong / unreadable or empty"
            if path.exists()
            else "belum terdaftar / not enrolled yet"
        )
        severity = Severity.WARN if config.central.enrolment_code else Severity.FAIL
        return failed("token", detail, enrol, severity)
    client.token = token
    try:
        info = client.kiosk_me()
    except CentralAuthError as exc:
        return failed("token", f"ditolak / refused ({exc.status} {exc.code or ''})".strip(), enrol)
    except CentralError as exc:
        fix = "Coba lagi sebentar lagi / try again in a moment."
        return failed("token", str(exc), fix, Severity.WARN)
    return passed("token", f"diterima / taken: kantor / office {info.office_id}")


def _clock(theirs: dt.datetime | None, before: dt.datetime, after: dt.datetime) -> Check:
    if theirs is None:
        return failed(
            "clock", "pusat tidak mengirim Date / the centre sent no Date", TIME_SYNC, Severity.WARN
        )
    ours = before + (after - before) / 2
    skew = (ours - theirs).total_seconds()
    # The Date header drops the fraction: the centre's second began up to 1 s earlier.
    skew = 0.0 if -1.0 <= skew <= 1.0 else skew
    detail = f"selisih / skew {skew:+.0f} s (kiosk − pusat / kiosk − centre)"
    if abs(skew) > CLOCK_FAIL_S:
        return failed("clock", detail, TIME_SYNC)
    if abs(skew) > CLOCK_OK_S:
        return failed("clock", detail, TIME_SYNC, Severity.WARN)
    return passed("clock", detail)
