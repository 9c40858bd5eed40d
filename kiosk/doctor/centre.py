"""The checks on the centre: reachable, the kiosk's token taken, the clocks agree."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

from kiosk.client.bearer import load_token
from kiosk.client.client import CentralClient
from kiosk.client.errors import (
    CentralAuthError,
    CentralError,
    CentralProtocolError,
    CentralUnavailable,
)
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
    url = shown_url(config.central.url)
    try:
        before = now()
        theirs = client.server_time()
        after = now()
    except CentralError as exc:
        fix = (
            "Periksa jaringan, central.url dan server pusat (curl URL/health) / "
            "check the network, central.url and the centre (curl URL/health)."
        )
        skipped = "tidak diperiksa: tidak ada pusat / not checked: no centre reached"
        return (
            failed("centre", f"{url}: {why(exc)}", fix),
            failed("token", skipped, fix),
            failed("clock", skipped, TIME_SYNC, Severity.WARN),
        )
    centre = passed("centre", f"{url}: pusat Anjungan menjawab / an Anjungan centre answers")
    return centre, _token(client, config), _clock(theirs, before, after)


def shown_url(url: str) -> str:
    """``url`` without a user name or password (never printed back)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port is not None else ""
    except ValueError:
        return "central.url"
    if ":" in host:
        host = f"[{host}]"
    return urlunsplit((parts.scheme, host + port, parts.path, "", ""))


def why(exc: CentralError) -> str:
    """What went wrong, in both languages, without the HTTP library's own text."""
    if isinstance(exc, CentralUnavailable) and exc.timed_out:
        return "tidak menjawab tepat waktu / no answer in time"
    if isinstance(exc, CentralProtocolError) and exc.status is None:
        return "yang menjawab bukan pusat Anjungan / what answers is not an Anjungan centre"
    if exc.status is not None:
        return f"menjawab HTTP {exc.status} / answered HTTP {exc.status}"
    return "tak terjangkau / unreachable"


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
        # Not "refused", not "taken": the kiosk cannot know it may sync.
        detail = (
            "pusat tidak dapat memastikan token / the centre cannot say whether the token "
            f"is valid: {why(exc)}"
        )
        fix = (
            "Periksa log pusat (journalctl -u anjungan-central) dan GET /ready-nya / "
            "check the centre's log (journalctl -u anjungan-central) and its GET /ready."
        )
        return failed("token", detail, fix)
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
    detail = f"selisih / skew {skew:+.0f} s (kiosk - pusat / kiosk - centre)"
    if abs(skew) > CLOCK_FAIL_S:
        return failed("clock", detail, TIME_SYNC)
    if abs(skew) > CLOCK_OK_S:
        return failed("clock", detail, TIME_SYNC, Severity.WARN)
    return passed("clock", detail)
