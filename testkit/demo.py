"""``make demo``: the demo with BPJS and SATUSEHAT played on 127.0.0.1.

``python -m testkit.demo [kiosk demo options]`` (what ``make demo`` runs, from
the checkout) starts, in order:

1. the BPJS Antrean RS stand-in (:mod:`testkit.bpjs_standin`) and the SATUSEHAT
   stand-in (:mod:`testkit.satusehat_standin`), each on a free port of
   127.0.0.1, in this process. SATUSEHAT knows the demo's patients (Siti Aminah
   and Budi Santoso by NIK), the demo doctors' Practitioner ids
   (:data:`central.hospital.demo.PRACTITIONERS`) and the polis' Location ids
   (the demo catalog);
2. an integrations file for them, ``OUTPUT/integrations.toml`` (0600), with a
   ``[bpjs]`` and a ``[satusehat]`` section;
3. the demo centre with it (``kiosk server --seed-demo --integrations FILE``), so
   the hospital's BPJS and SATUSEHAT reports and its WS RS are on;
4. Budi's Mobile JKN booking, made as it really is: the BPJS stand-in, playing the
   app, calls the centre's WS RS (token, then ambil antrean) for today with the
   first demo doctor whose hours are not over (tomorrow's when every one is over),
   and so knows the ``kodebooking`` the centre answered and accepts its tasks;
5. the kiosk, ``kiosk demo --central URL`` with the options given, as a child.

When the kiosk quits (its window closed, ``--exit-after``, Ctrl-C, SIGTERM to this
process) the kiosk, the centre and the stand-ins are stopped, in that order. The
kiosk and the centre also stop by themselves if this process dies without
stopping them (the kiosk through the kernel's parent-death signal, the centre
watching its parent, :data:`central.process.PARENT_PID_ENV`).

:func:`demo_world` is steps 1 to 4, for the tests (tests/kiosk/test_demo_world.py).
"""

from __future__ import annotations

import argparse
import ctypes
import datetime as dt
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any
from zoneinfo import ZoneInfo

from central.hospital import demo as hospital_demo
from central.process import RunningCentral, start_central
from central.settings import DEMO_HOSPITAL_ID, CentralSettings
from contract.bookings import format_code
from kiosk.cli.main import office_pages
from testkit.bpjs_standin import BpjsStandIn, config_text
from testkit.centres import DEMO_CATALOG
from testkit.satusehat_standin import Satusehat

#: The demo hospital's SATUSEHAT Organization id (the stand-in's; a hospital's own
#: comes with its SATUSEHAT credentials).
ORGANIZATION_ID = "100026342"
#: The demo patients' IHS numbers, by NIK (SATUSEHAT's Patient ids).
PATIENTS = {
    "1471015203850001": "P02478375538",  # Siti Aminah
    "1471011708790002": "P02428473601",  # Budi Santoso
}
#: The WS RS account the centre gives Mobile JKN (written to the integrations file).
WS_RS_USERNAME = "mobilejkn-demo"
WS_RS_PASSWORD = "mobilejkn-demo-sandi"  # noqa: S105 - the demo's own, printed nowhere secret
WS_RS_PATH = "/api/v1/wsrs"
#: Budi Santoso, as Mobile JKN knows him: NIK, BPJS number, No. RM, phone.
BUDI = ("1471011708790002", "0001234567891", "000124", "081234567891")
#: How long the kiosk has to stop after SIGTERM before it is killed.
KIOSK_STOP_S = 10.0
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class MobileJknBooking:
    """What the app shows Budi: the booking code, the day, the doctor and the hours."""

    kodebooking: str
    day: dt.date
    doctor: str
    hours: str
    nomorantrean: str


@dataclass(frozen=True)
class DemoWorld:
    bpjs: BpjsStandIn
    satusehat: Satusehat
    centre: RunningCentral
    integrations: Path
    zone: ZoneInfo
    #: Budi's Mobile JKN booking, or ``None`` when the centre refused it (said why).
    booking: MobileJknBooking | None
    #: The centre's refusal of the booking, if it refused.
    refusal: str = ""


def polis() -> dict[str, tuple[str, str]]:
    """The demo catalog's polis: service id → (kodepoli, SATUSEHAT Location id)."""
    catalog = json.loads(DEMO_CATALOG.read_text(encoding="utf-8"))
    return {
        s["id"]: (s["poli"]["kodepoli"], s["poli"].get("location_id", ""))
        for s in catalog["services"]
        if s.get("office_id") == DEMO_HOSPITAL_ID and isinstance(s.get("poli"), dict)
    }


def integrations_text(bpjs: BpjsStandIn, satusehat: Satusehat) -> str:
    """The ``--integrations`` file for the two stand-ins (retries kept short for a demo)."""
    short = {"timeout_s": 5, "retry_base_s": 2, "retry_max_s": 30}
    bpjs_short = "".join(f"{key} = {value}\n" for key, value in short.items())
    return config_text(bpjs) + bpjs_short + "\n" + satusehat.section_text(**short)


def write_integrations(folder: Path, bpjs: BpjsStandIn, satusehat: Satusehat) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "integrations.toml"
    path.unlink(missing_ok=True)
    # Created 0600 before any secret is in it.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(integrations_text(bpjs, satusehat))
    return path


def ambil_body(day: dt.date, now_hhmm: str | None) -> tuple[dict[str, Any], str]:
    """Mobile JKN's ambil antrean for Budi on ``day``: the body and the doctor's name.

    ``now_hhmm`` is the local time when ``day`` is today (a doctor whose hours are
    over is not offered), ``None`` for a later day. The OpenAPI example's internist
    first, as the app lists the patient's usual poli first.
    """
    nik, nomorkartu, norm, phone = BUDI
    codes = polis()
    doctors = [
        d for d in hospital_demo.DOCTORS if now_hhmm is None or d[5] > now_hhmm
    ]  # (stem, service, kodedokter, name, starts, ends, …)
    if not doctors:
        raise LookupError("every demo doctor's hours today are over")
    doctors.sort(key=lambda d: (d[0] != hospital_demo.EXAMPLE_DOCTOR, d[4], d[0]))
    _, service, kode, name, starts, ends = doctors[0][:6]
    body = {
        "nomorkartu": nomorkartu,
        "nik": nik,
        "nohp": phone,
        "kodepoli": codes[service][0],
        "norm": norm,
        "tanggalperiksa": day.isoformat(),
        "kodedokter": int(kode),
        "jampraktek": f"{starts}-{ends}",
        "jeniskunjungan": 1,
        "nomorreferensi": "DEMO-RUJUKAN-0001",
    }
    return body, name


def book_budi(
    bpjs: BpjsStandIn, centre_url: str, zone: ZoneInfo
) -> tuple[MobileJknBooking | None, str]:
    """Budi books through Mobile JKN: the booking, or ``None`` and the centre's refusal."""
    now = dt.datetime.now(zone)
    try:
        day, body_name = now.date(), ambil_body(now.date(), now.strftime("%H:%M"))
    except LookupError:  # the evening: the app offers tomorrow's hours
        day = now.date() + dt.timedelta(days=1)
        body_name = ambil_body(day, None)
    body, name = body_name
    answer = bpjs.mobile_jkn_book(centre_url + WS_RS_PATH, WS_RS_USERNAME, WS_RS_PASSWORD, body)
    booked = answer.get("response")
    if answer["metadata"].get("code") not in (200, 202) or not isinstance(booked, dict):
        return None, str(answer["metadata"].get("message", ""))
    return (
        MobileJknBooking(
            kodebooking=str(booked["kodebooking"]),
            day=day,
            doctor=name,
            hours=str(body["jampraktek"]),
            nomorantrean=str(booked.get("nomorantrean", "")),
        ),
        "",
    )


@contextmanager
def demo_world(
    folder: Path, *, timezone: str | None = None, extra_args: Sequence[str] = ()
) -> Iterator[DemoWorld]:
    """The stand-ins, the integrations file in ``folder``, the demo centre with it, and
    Budi's Mobile JKN booking; all stopped afterwards. ``timezone``: the centre's (an
    IANA name; the demo's default, the city's, otherwise)."""
    zone = ZoneInfo(timezone or CentralSettings().timezone)
    bpjs = BpjsStandIn()
    satusehat: Satusehat | None = None
    centre: RunningCentral | None = None
    try:
        satusehat = Satusehat(organization_id=ORGANIZATION_ID)
        satusehat.patients.update(PATIENTS)
        satusehat.practitioners.update(hospital_demo.PRACTITIONERS.values())
        satusehat.locations.update(location for _, location in polis().values() if location)
        path = write_integrations(folder, bpjs, satusehat)
        args = ["--integrations", str(path), *(["--timezone", timezone] if timezone else [])]
        centre = start_central(seed_demo=True, extra_args=[*args, *extra_args])
        booking, refusal = book_budi(bpjs, centre.url, zone)
        yield DemoWorld(bpjs, satusehat, centre, path, zone, booking, refusal)
    finally:
        if centre is not None:
            centre.stop()
        if satusehat is not None:
            satusehat.close()
        bpjs.close()


def _parent_death_signal() -> Callable[[], None] | None:
    """What the kiosk child runs before exec so that it gets SIGTERM if this launcher
    dies first (Linux's ``prctl``); ``None`` elsewhere. The library is loaded here, in
    the parent: the child only makes the call."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None

    def in_child() -> None:  # pragma: no cover - runs in the child before exec
        prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM))

    return in_child


def _stop_kiosk(kiosk: subprocess.Popen[bytes]) -> int:
    if kiosk.poll() is None:
        kiosk.terminate()
        try:
            kiosk.wait(KIOSK_STOP_S)
        except subprocess.TimeoutExpired:
            kiosk.kill()
    return kiosk.wait()


class _Stop(Exception):
    """SIGTERM to the launcher: stop everything, as after Ctrl-C."""


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise _Stop


def tell(world: DemoWorld) -> str:
    """What the terminal says of the stand-ins and Budi's booking."""
    lines = [
        f"demo: BPJS Antrean RS (stand-in): {world.bpjs.url}",
        f"demo: SATUSEHAT (stand-in): {world.satusehat.base_url}",
        f"demo: integrasi / integrations: {world.integrations}",
        f"demo: server pusat demo / demo central server: {world.centre.url}",
        office_pages(world.centre.url),
        f"  integrasi / integrations: {world.centre.url}/office/integrations",
    ]
    booked = world.booking
    if booked is None:
        lines.append(
            "demo: Mobile JKN tidak dapat memesan untuk Budi / Mobile JKN could not book "
            f"for Budi: {world.refusal}"
        )
    else:
        lines.append(
            f"demo: Mobile JKN: Budi Santoso, {booked.day.isoformat()}, {booked.doctor} "
            f"{booked.hours}, kode booking {format_code(booked.kodebooking)} (kiosk RSUD: "
            "ketuk kartu Budi atau ketik kodenya / the hospital kiosk: tap Budi's card or "
            "type the code)"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m testkit.demo",
        description=(
            "The demo with the BPJS and SATUSEHAT stand-ins: every other option goes to "
            "'kiosk demo' (e.g. --office rsud-pku)."
        ),
    )
    parser.add_argument("--output", type=Path, default=Path("demo-output"))
    args, kiosk_args = parser.parse_known_args(argv)
    output: Path = args.output.resolve()
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        with demo_world(output) as world:
            print(tell(world), file=sys.stderr, flush=True)
            kiosk = subprocess.Popen(  # our own interpreter and module
                [
                    sys.executable,
                    "-m",
                    "kiosk.cli.main",
                    "demo",
                    "--output",
                    str(output),
                    "--central",
                    world.centre.url,
                    *kiosk_args,
                ],
                stdin=subprocess.DEVNULL,
                preexec_fn=_parent_death_signal(),  # one libc call, then exec
            )
            try:
                code = kiosk.wait()
            except (KeyboardInterrupt, _Stop):  # the kiosk has SIGINT too, or gets SIGTERM
                code = 0
            finally:
                _stop_kiosk(kiosk)
            return code
    except (KeyboardInterrupt, _Stop):
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    raise SystemExit(main())
