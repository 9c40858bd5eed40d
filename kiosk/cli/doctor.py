"""``kiosk doctor``: every check of a kiosk, with the fix for each that fails.

Exit 0 when every check whose failure stops a citizen being served passes, 1
otherwise, 2 on bad usage. With ``--json`` stdout carries only the JSON
``{"ok": bool, "checks": [{"name", "ok", "severity", "detail", "fix"}]}``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from kiosk.cli.common import EXIT_FAILED
from kiosk.doctor.check import RUN_DEADLINE_S, Check, serves


def add_parser(sub: Any) -> None:
    doctor = sub.add_parser(
        "doctor",
        help="check this kiosk: configuration, store, readers, printer, centre, disk, drivers",
        description=(
            "Check everything a kiosk needs and say, for each check that fails, the fix in "
            "one sentence. Exit 0 when citizens can be served, 1 when not. Runs without "
            f"network (an unreachable centre is one failing check), within {RUN_DEADLINE_S:g} s. "
            "Run it as the kiosk's user: sudo -u anjungan kiosk doctor --config "
            "/etc/anjungan/kiosk.toml. It changes nothing: the store is read, never written."
        ),
    )
    doctor.add_argument("--config", type=Path, metavar="FILE", help="the kiosk's TOML file")
    doctor.add_argument("--json", action="store_true", help="print only JSON on stdout")
    # Where /proc/modules and the pcsc-lite drivers are looked for (tests).
    doctor.add_argument("--root", type=Path, default=Path("/"), help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    # Imported here: the doctor's probes need the kiosk's stack (the store, the
    # printers), which a centre-only install lacks, and `kiosk server` must not.
    from kiosk.doctor.run import Places, run_doctor

    checks = run_doctor(args.config, places=Places(root=args.root))
    ok = serves(checks)
    if args.json:
        # ASCII whatever the locale: a monitor reads the JSON from any stdout.
        text = json.dumps({"ok": ok, "checks": [c.as_json() for c in checks]}, ensure_ascii=True)
    else:
        text = report(checks, ok)
    write_out(text, sys.stdout)
    return 0 if ok else EXIT_FAILED


def write_out(text: str, stream: TextIO) -> None:
    """``text`` and a newline on ``stream``; a character its encoding lacks (a path or a
    printer's name in a C or Latin-1 locale) is written as ``\\uXXXX``, never a crash."""
    encoding = getattr(stream, "encoding", None) or "ascii"
    try:
        safe = text.encode(encoding, errors="backslashreplace").decode(encoding)
    except LookupError:  # an encoding Python does not know: ASCII is in every one
        safe = text.encode("ascii", errors="backslashreplace").decode("ascii")
    stream.write(safe + "\n")
    stream.flush()


def report(checks: list[Check], ok: bool) -> str:
    """The checks as an operator reads them: one line each, the fix under a failure."""
    lines = []
    for check in checks:
        mark = "OK  " if check.ok else ("GAGAL" if check.severity == "fail" else "AWAS")
        lines.append(f"{mark:5} {check.name:12} {check.detail}")
        if not check.ok:
            lines.append(f"{'':18} -> {check.fix}")
    lines.append(
        "Kiosk siap melayani / the kiosk can serve citizens"
        if ok
        else "Kiosk TIDAK dapat melayani / the kiosk can NOT serve citizens"
    )
    return "\n".join(lines)
