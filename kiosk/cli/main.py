"""The ``kiosk`` command: one entry point, one subcommand per job.

Exit codes: 0 done, 1 the kiosk could not start or failed, 2 bad usage or a
bad configuration (the message names the key).
"""

# ruff: noqa: E402 - the code cache goes in before the command's own imports
from __future__ import annotations

# The console entry point's first import: from here on, the methods dataclasses makes
# for the command line's, the configuration's and the store's classes (and the rest of
# the start's) come from the cache the build wrote beside the kiosk's bytecode
# (kiosk.code_cache), not compiled again.
from kiosk import code_cache

code_cache.install()

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from contract.logs import add_log_format_option, configure_logging
from kiosk.cli import card as card_cli
from kiosk.cli import doctor as doctor_cli
from kiosk.cli import sync as sync_cli
from kiosk.cli import ticket as ticket_cli
from kiosk.cli.common import EXIT_FAILED, EXIT_USAGE, load_cli_config
from kiosk.config import (
    CentralSection,
    Config,
    KioskSection,
    OperatorSection,
    PrinterSection,
)

log = logging.getLogger("kiosk")

DESK_HELP = (
    "hospital registration desk: a normal window for a clerk at a keyboard (F2 find a "
    "patient, F3 new patient, Ctrl+Enter register the visit, F5 reprint, F8 cancel, "
    "F9 next patient; docs/desk.md)"
)
#: The demo's offices: the city's service mall (the default) and the demo hospital
#: (central/hospital/demo.py), as ``kiosk demo --office``.
DEMO_OFFICES = ("pku-mpp", "rsud-pku")
#: The demo's operator PIN (printed when the demo starts; a real kiosk hashes its own).
DEMO_OPERATOR_PIN = "1234"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk",
        description="Anjungan: a self-service smart-card kiosk for city offices and hospitals.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = sub.add_parser(
        "demo",
        help="start the kiosk on embedded defaults with a local central server",
        description=(
            "Start a local central server with demo data and the kiosk with the "
            "simulated reader (demo cards on screen) and the PDF printer. Tickets "
            "land in OUTPUT/tickets."
        ),
    )
    demo.add_argument(
        "--output",
        type=Path,
        default=Path("demo-output"),
        help="folder for the demo's data and printed tickets (default: %(default)s)",
    )
    demo.add_argument(
        "--fullscreen", action="store_true", help="frameless full screen, locked (operator PIN)"
    )
    demo.add_argument("--desk", action="store_true", help=DESK_HELP)
    demo.add_argument(
        "--office",
        choices=DEMO_OFFICES,
        default=DEMO_OFFICES[0],
        help=(
            "the demo office the kiosk stands in: the city's service mall, or the demo "
            "hospital with its polis and doctors (default: %(default)s)"
        ),
    )
    demo.add_argument(
        "--central",
        metavar="URL",
        help=(
            "use the demo central server already running at URL instead of starting "
            "one (make demo starts it with the BPJS and SATUSEHAT stand-ins: "
            "python -m testkit.demo)"
        ),
    )
    demo.add_argument(
        "--exit-after",
        type=float,
        metavar="SECONDS",
        help="quit by itself after SECONDS (for scripted runs)",
    )
    add_log_format_option(demo)
    demo.add_argument(
        "--screenshot",
        type=Path,
        metavar="PNG",
        help="save a picture of the window shortly after start",
    )

    run = sub.add_parser(
        "run",
        help="start the kiosk from a configuration file",
        description=(
            "Start the kiosk. The configuration is --config FILE, else $ANJUNGAN_CONFIG, "
            "else kiosk.toml in the platform's config dir, else the embedded defaults "
            "(see docs/configuration.md)."
        ),
    )
    run.add_argument("--config", type=Path, metavar="FILE", help="the kiosk's TOML file")
    run.add_argument(
        "--fullscreen",
        action="store_true",
        help="kiosk mode: frameless full screen that only the operator panel (PIN) can close",
    )
    run.add_argument("--desk", action="store_true", help=DESK_HELP)
    run.add_argument("--exit-after", type=float, metavar="SECONDS", help=argparse.SUPPRESS)
    add_log_format_option(run)

    card_cli.add_parser(sub)
    ticket_cli.add_parser(sub)
    sync_cli.add_parser(sub)
    doctor_cli.add_parser(sub)
    pin = sub.add_parser(
        "operator-pin",
        help="hash an operator PIN for the configuration (operator.pin_hash)",
        description=(
            "Ask for a PIN (4 to 12 digits) twice and print its salted scrypt hash, "
            "scrypt$N$r$p$SALT$HASH, for the key operator.pin_hash. The PIN itself is "
            "stored nowhere."
        ),
    )
    pin.add_argument(
        "--stdin", action="store_true", help="read the PIN from one line of standard input"
    )

    sub.add_parser(
        "server",
        help="run the reference central server (see 'kiosk server --help')",
        add_help=False,
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["server"]:
        from central.server import main as server_main

        return server_main(args_list[1:])
    args = build_parser().parse_args(args_list)
    configure_logging(
        getattr(args, "log_format", "auto"), logging.DEBUG if args.verbose else logging.INFO
    )
    if args.command == "demo":
        return _demo(args)
    if args.command == "card":
        return card_cli.run(args)
    if args.command == "ticket":
        return ticket_cli.run(args)
    if args.command == "sync":
        return sync_cli.run(args)
    if args.command == "doctor":
        return doctor_cli.run(args)
    if args.command == "operator-pin":
        return _operator_pin(args)
    return _run(args)


def _run(args: argparse.Namespace) -> int:
    config = load_cli_config(args.config)
    if config is None:
        return EXIT_USAGE
    if not config.printer.output_dir:  # the default folder is ours to create
        config.ticket_dir.mkdir(parents=True, exist_ok=True)
    return _start(
        config, demo=False, fullscreen=args.fullscreen, exit_after=args.exit_after, desk=args.desk
    )


def _operator_pin(args: argparse.Namespace) -> int:
    import getpass

    from kiosk.errors import PinFormatError
    from kiosk.operator.pin import check_pin_format, hash_pin

    if args.stdin:
        pin = sys.stdin.readline().strip()
    else:
        pin = getpass.getpass("PIN operator / operator PIN: ")
        if getpass.getpass("Ulangi / again: ") != pin:
            print("kiosk: PIN tidak sama / the PINs differ", file=sys.stderr)
            return EXIT_USAGE
    try:
        check_pin_format(pin)
    except PinFormatError as exc:
        print(f"kiosk: PIN tidak sah / bad PIN: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(hash_pin(pin))
    print("kiosk: taruh di / put it in [operator] pin_hash", file=sys.stderr)
    return 0


def _demo(args: argparse.Namespace) -> int:
    from central.errors import CentralStartError
    from central.process import start_central
    from central.settings import (
        DEMO_ENROLMENT_CODE,
        DEMO_HOSPITAL_DESK_ENROLMENT_CODE,
        DEMO_HOSPITAL_ENROLMENT_CODE,
    )

    output: Path = args.output.resolve()
    tickets = output / "tickets"
    tickets.mkdir(parents=True, exist_ok=True)
    screenshot: Path | None = args.screenshot
    if not _has_display():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        screenshot = screenshot or output / "attract.png"
        print(
            "kiosk: tidak ada layar (DISPLAY kosong); kiosk berjalan tanpa jendela dan "
            f"menyimpan gambar layar ke {screenshot}.\n"
            "kiosk: no display found; the kiosk runs without a window and saves a "
            f"screenshot to {screenshot}.",
            file=sys.stderr,
        )
    central = None
    url = CentralSection().url
    if args.central:  # started by the demo's launcher, which prints its pages and stops it
        url = str(args.central).rstrip("/")
    else:
        try:
            central = start_central(seed_demo=True)
            url = central.url
            print(f"kiosk: server pusat demo / demo central server: {url}", file=sys.stderr)
            print(office_pages(url), file=sys.stderr)
        except CentralStartError as exc:
            print(
                f"kiosk: server pusat tidak dapat dijalankan, kiosk berjalan luring: {exc}",
                file=sys.stderr,
            )
    hospital = args.office == DEMO_OFFICES[1]
    code = DEMO_HOSPITAL_ENROLMENT_CODE if hospital else DEMO_ENROLMENT_CODE
    if hospital and args.desk:  # the desk is a role the centre gives: the desk's own code
        code = DEMO_HOSPITAL_DESK_ENROLMENT_CODE
    config = demo_config(output, url, code, office_id=args.office)
    if hospital:
        print(
            "kiosk: kiosk rumah sakit demo / the demo hospital's kiosk: RSUD Kota Pekanbaru "
            f"(jadwal dokter / schedules: {url}/office/schedules)",
            file=sys.stderr,
        )
    print(
        f"kiosk: PIN operator demo / demo operator PIN: {DEMO_OPERATOR_PIN} "
        "(ketuk nama kantor 5 kali / tap the office name 5 times)",
        file=sys.stderr,
    )
    print(f"kiosk: tiket PDF / ticket PDFs: {tickets}", file=sys.stderr)
    try:
        return _start(
            config,
            demo=True,
            fullscreen=args.fullscreen,
            exit_after=args.exit_after,
            screenshot=screenshot,
            desk=args.desk,
        )
    finally:
        if central is not None:
            central.stop()


def office_pages(url: str) -> str:
    """Where the demo's office pages are, and the demo staff login, for the terminal."""
    from central.settings import DEMO_BOARD_TOKEN, DEMO_STAFF_PASSWORD, DEMO_STAFF_USERNAME

    login = f"{DEMO_STAFF_USERNAME} / {DEMO_STAFF_PASSWORD}"
    return "\n".join(
        (
            f"kiosk: halaman kantor / office pages (petugas / staff: {login}):",
            f"  loket / counter:      {url}/counter",
            f"  papan / board:        {url}/board/{DEMO_BOARD_TOKEN}",
            f"  dasbor / dashboard:   {url}/dashboard",
            f"  angka publik / stats: {url}/stats",
        )
    )


def demo_config(
    output: Path, url: str, enrolment_code: str, *, office_id: str = "pku-mpp"
) -> Config:
    """The demo kiosk's configuration: data and tickets under ``output``, the
    rest (the 24-hour retention of printed slips with personal data included)
    as a real kiosk's defaults. Another office than the service mall keeps its own
    data folder: a kiosk is enrolled for one office."""
    from kiosk.operator.pin import hash_pin

    data = output / ("data" if office_id == DEMO_OFFICES[0] else f"data-{office_id}")
    return Config(
        kiosk=KioskSection(data_dir=str(data), office_id=office_id),
        printer=PrinterSection(output_dir=str(output / "tickets")),
        # The demo server's reusable code: the kiosk enrols on its first start.
        central=CentralSection(url=url, enrolment_code=enrolment_code),
        operator=OperatorSection(pin_hash=hash_pin(DEMO_OPERATOR_PIN)),
        source="demo",
    )


def import_the_start() -> None:
    """Import what ``kiosk run`` and ``kiosk demo`` import on their way to the window,
    starting nothing: the code cache's build step (kiosk.cli.build_cache)."""
    from kiosk.wiring.store import open_store  # noqa: F401
    from ui.app import run_kiosk  # noqa: F401


def _start(
    config: Config,
    *,
    demo: bool,
    fullscreen: bool,
    exit_after: float | None,
    screenshot: Path | None = None,
    desk: bool = False,
) -> int:
    from kiosk.startup import hold_collector, release_collector

    # The start makes objects that live as long as the kiosk: no collection until the
    # store has settled (kiosk.startup). The code cache is in since this module's import.
    hold_collector()
    from kiosk.wiring.store import open_store

    # Opened once the attract screen is painted; run_kiosk ends with a message
    # if it cannot be.
    store = open_store(config, deferred=True)
    try:
        from ui.app import run_kiosk
    except ImportError as exc:
        release_collector()
        print(f"kiosk: antarmuka layar tidak tersedia / Qt not available: {exc}", file=sys.stderr)
        return EXIT_FAILED
    try:
        return run_kiosk(
            config,
            store,
            demo=demo,
            fullscreen=fullscreen,
            exit_after_s=exit_after,
            screenshot=screenshot,
            desk=desk,
        )
    finally:
        release_collector()
        store.close()


def _has_display() -> bool:
    return bool(
        os.environ.get("DISPLAY")
        or os.environ.get("WAYLAND_DISPLAY")
        or os.environ.get("QT_QPA_PLATFORM")
    )


if __name__ == "__main__":
    raise SystemExit(main())
