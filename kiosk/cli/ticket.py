"""``kiosk ticket``: tickets for operators and layout review.

    kiosk ticket render --number A-017 --service NAME [--paper 80mm|58mm|a4]
                        [--lang id|en] [--slip] --out FILE.pdf
    kiosk ticket test-print [--config FILE] [--json]

``render`` writes a sample ticket (or registration slip) as a PDF, with the
logo and central server of the configuration when there is one. ``test-print``
prints a test ticket (number ``TEST``) on the configured printer and reports
the printer's state before and after. Exit codes: 0 done, 1 not printed (the
fault is reported), 2 bad usage or a bad configuration.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from kiosk.cli.common import EXIT_FAILED, EXIT_USAGE, load_cli_config
from kiosk.config import Config

if TYPE_CHECKING:
    from printing import PrinterStatus, SlipDocument, TicketDocument
    from printing.documents import Language

    Document = TypeVar("Document", TicketDocument, SlipDocument)

PAPERS = ("80mm", "58mm", "a4")


def add_parser(sub: Any) -> None:
    ticket = sub.add_parser(
        "ticket",
        help="render a sample ticket, or test the configured printer",
        description="Tickets for operators and layout review; see docs/printing.md.",
    )
    cmds = ticket.add_subparsers(dest="ticket_command", metavar="TICKET_COMMAND", required=True)

    render = cmds.add_parser("render", help="write a sample ticket (or slip) as a PDF")
    render.add_argument("--number", required=True, help="queue number, e.g. A-017")
    render.add_argument("--service", required=True, metavar="NAME", help="the service's name")
    render.add_argument("--paper", choices=PAPERS, default=None, help="default: printer.paper")
    render.add_argument("--lang", choices=("id", "en"), default="id")
    render.add_argument("--counter", default="1", help="counter (loket); '' leaves it out")
    render.add_argument("--office", default="", help="office name (default: a sample office)")
    render.add_argument("--slip", action="store_true", help="the registration slip instead")
    render.add_argument("--reprint", action="store_true", help="mark it CETAK ULANG / REPRINT")
    render.add_argument("--config", type=Path, metavar="FILE", help="for the logo and the URL")
    render.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")

    test = cmds.add_parser("test-print", help="print a test ticket and report the printer")
    test.add_argument("--config", type=Path, metavar="FILE", help="the kiosk's TOML file")
    test.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    config = load_cli_config(args.config)
    if config is None:
        return EXIT_USAGE
    if args.ticket_command == "render":
        return _render(args, config)
    return _test_print(args, config)


def _render(args: argparse.Namespace, config: Config) -> int:
    from printing.layouts.paper import Paper
    from printing.layouts.slip import render_slip_pdf
    from printing.layouts.ticket import render_ticket_pdf
    from printing.samples import SAMPLE_ID, SAMPLE_OFFICE, sample_slip, sample_ticket

    url = f"{config.central.url.rstrip('/')}/t/{SAMPLE_ID}"
    office = args.office or SAMPLE_OFFICE
    paper = Paper(args.paper or config.printer.paper)
    logo = Path(config.printer.logo).expanduser() if config.printer.logo else None
    try:
        if args.slip:
            slip = sample_slip(args.number, args.service, language=args.lang, office=office,
                               status_url=url)  # fmt: skip
            pdf = render_slip_pdf(_reprint(slip, args.reprint), paper, logo=logo)
        else:
            ticket = sample_ticket(args.number, args.service, language=args.lang, office=office,
                                   counter=args.counter, status_url=url)  # fmt: skip
            pdf = render_ticket_pdf(_reprint(ticket, args.reprint), paper, logo=logo)
        args.out.write_bytes(pdf)
    except ValueError as exc:
        print(f"kiosk ticket render: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"kiosk ticket render: cannot write {args.out}: {exc.strerror}", file=sys.stderr)
        return EXIT_FAILED
    print(f"{args.out} ({paper.value}, {len(pdf)} bytes)")
    return 0


def _reprint(document: Document, reprint: bool) -> Document:
    return dataclasses.replace(document, reprint=True) if reprint else document


def _test_print(args: argparse.Namespace, config: Config) -> int:
    from kiosk.wiring.printer import PrinterMonitor, print_setup, print_test_ticket, printer_from

    if config.printer.backend == "pdf_file" and not config.printer.output_dir:
        config.ticket_dir.mkdir(parents=True, exist_ok=True)  # the default folder is ours
    try:
        monitor = PrinterMonitor(printer_from(config), lambda: dt.datetime.now().astimezone())
    except ValueError as exc:
        print(f"kiosk ticket test-print: {exc}", file=sys.stderr)
        return EXIT_USAGE
    before = monitor.status()
    setup = print_setup(config, monitor)
    language: Language = "en" if config.kiosk.language == "en" else "id"
    now = dt.datetime.now().astimezone()
    printed = print_test_ticket(setup, f"Anjungan {config.kiosk.office_id}", language, now)
    after = monitor.status() if printed else None
    health = monitor.health
    report = {
        "backend": config.printer.backend,
        "printer": repr(monitor.inner),
        "before": _status(before),
        "printed": printed,
        "fault": "" if printed else health.fault,
        "detail": health.detail,
        "after": _status(after) if after is not None else None,
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print(f"printer: {report['printer']}")
        print(f"before:  {_line(before)}")
        outcome = "printed" if printed else f"NOT printed: {health.fault} ({health.detail})"
        print(f"test ticket: {outcome}")
        if after is not None:
            print(f"after:   {_line(after)}")
    return 0 if printed else EXIT_FAILED


def _status(status: PrinterStatus) -> dict[str, Any]:
    fault = status.fault.value if status.fault is not None else None
    return {"ready": status.ready, "fault": fault, "detail": status.detail}


def _line(status: PrinterStatus) -> str:
    fault = status.fault.value if status.fault is not None else ""
    state = "ready" if status.ready else f"NOT ready ({fault})"
    return f"{state} — {status.detail}"
