"""``kiosk card``: tools for issuers and testers.

    kiosk card keygen --out DIR [--issuer ID] [--name NAME]
    kiosk card issue --issuer-key KEY --claims CITIZEN.json --out CARD.json [...]
    kiosk card emulate CARD.json [--vpcd HOST:PORT] [--nfc udp:HOST:PORT] [--ndef]
    kiosk card read [--backend pcsc|nfc] [--reader NAME] [--timeout S] [--trust FILE] --json

A card's UID is printed by its length (``uid=<7 bytes>``), as the kiosk logs it;
``--show-uid`` prints it whole (docs/operations.md, "Card tools").

Exit codes: 0 done, 1 the card was refused or no card came in time (with a
JSON reason under ``--json``), 2 bad usage or an unusable file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from kiosk.cli.common import EXIT_FAILED, EXIT_USAGE

TAMPER = ("forged", "tampered", "cloned", "expired", "trailing", "unprotected", "bidi")


def add_parser(sub: Any) -> None:
    card = sub.add_parser(
        "card",
        help="issue, emulate and read citizen cards (for issuers and testers)",
        description="Tools for card issuers and testers; see docs/card-format.md.",
    )
    cmds = card.add_subparsers(dest="card_command", metavar="CARD_COMMAND", required=True)

    keygen = cmds.add_parser("keygen", help="make an issuer key pair and its trust list")
    keygen.add_argument("--out", type=Path, required=True, help="folder to write into")
    keygen.add_argument("--issuer", default="ID-CITY", help="issuer id (default: %(default)s)")
    keygen.add_argument("--name", default="", help="the issuer's name, e.g. 'Kota Pekanbaru'")

    issue = cmds.add_parser("issue", help="sign a citizen's claims into a card image")
    issue.add_argument("--issuer-key", type=Path, required=True, metavar="KEY")
    issue.add_argument("--claims", type=Path, required=True, metavar="CITIZEN.json")
    issue.add_argument("--out", type=Path, required=True, metavar="CARD.json")
    issue.add_argument("--issued", type=_date, metavar="YYYY-MM-DD", help="default: today")
    issue.add_argument(
        "--expires", type=_date, metavar="YYYY-MM-DD", help="default: five years after --issued"
    )
    issue.add_argument("--uid", type=_hex, metavar="HEX", help="default: a random 7-byte UID")
    issue.add_argument("--label", default="", help="a name for the image (tests, demo)")
    issue.add_argument(
        "--tamper", choices=TAMPER, help="make a card that must be refused (for testing kiosks)"
    )
    _show_uid_option(issue)

    emulate = cmds.add_parser("emulate", help="present a card image until stopped")
    emulate.add_argument("image", type=Path, metavar="CARD.json")
    emulate.add_argument(
        "--vpcd",
        metavar="HOST:PORT",
        help="to a pcscd through the vpcd driver (default 127.0.0.1:35963)",
    )
    emulate.add_argument(
        "--nfc", metavar="udp:HOST:PORT", help="through nfcpy's udp driver instead of vpcd"
    )
    emulate.add_argument(
        "--ndef",
        action="store_true",
        help="with --nfc: as an NDEF tag (Type 3) rather than an ISO-DEP card",
    )
    emulate.add_argument("--duration", type=float, metavar="S", help="remove after S seconds")
    _show_uid_option(emulate)

    read = cmds.add_parser("read", help="wait for one card and print what it proves")
    read.add_argument("--backend", choices=("pcsc", "nfc"), default="pcsc")
    read.add_argument("--reader", default="", help="part of the reader's name (pcsc)")
    read.add_argument("--nfc-path", default="usb", help="nfcpy device path (default: usb)")
    read.add_argument("--timeout", type=float, default=30.0, metavar="S")
    read.add_argument("--trust", type=Path, metavar="FILE", help="trust list of issuer keys")
    read.add_argument("--revocations", type=Path, metavar="FILE", help="revocation list")
    read.add_argument("--json", action="store_true", help="print JSON (always one object)")
    _show_uid_option(read)


def _show_uid_option(parser: Any) -> None:
    parser.add_argument(
        "--show-uid",
        action="store_true",
        help="print the card's UID whole (default: by its length, as the kiosk logs it)",
    )


def run(args: argparse.Namespace) -> int:
    handler = {"keygen": _keygen, "issue": _issue, "emulate": _emulate, "read": _read}
    return handler[args.card_command](args)


def _keygen(args: argparse.Namespace) -> int:
    from cardio.errors import IssueError
    from cardio.issuing.issuer import generate_issuer_key
    from contract.trust import revocation_list_json

    try:
        key = generate_issuer_key(args.issuer, args.name)
        args.out.mkdir(parents=True, exist_ok=True)
        key.save(args.out / "issuer-key.json")
        _write_json(args.out / "trust-list.json", key.trust_list())
        _write_json(args.out / "revocation-list.json", revocation_list_json({}))
    except (IssueError, OSError) as exc:
        return _fail(f"keygen: {exc}")
    print(f"issuer {key.issuer_id}, kid {key.kid.hex()}")
    print(f"private key (keep secret, mode 0600): {args.out / 'issuer-key.json'}")
    print(f"trust list for kiosks: {args.out / 'trust-list.json'}")
    return 0


def _issue(args: argparse.Namespace) -> int:
    from cardio.emulators import card_tamper
    from cardio.errors import CardImageError, IssueError
    from cardio.issuing.issuer import IssuerKey, issue_card

    try:
        key = IssuerKey.load(args.issuer_key)
        claims = json.loads(args.claims.read_text(encoding="utf-8"))
        if not isinstance(claims, dict):
            raise IssueError(f"{args.claims}: must hold one JSON object of claims")
        if args.tamper == "expired":
            image = card_tamper.expired(key, claims, uid=args.uid, label=args.label)
        elif args.tamper == "bidi":
            image = card_tamper.bidi_name(key, claims, uid=args.uid, label=args.label)
        else:
            image = issue_card(
                key,
                claims,
                uid=args.uid,
                issued=args.issued,
                expires=args.expires,
                label=args.label,
            )
            if args.tamper == "forged":
                image = card_tamper.forged(image)
            elif args.tamper == "tampered":
                image = card_tamper.tampered(image)
            elif args.tamper == "cloned":
                image = card_tamper.cloned(image)
            elif args.tamper == "trailing":
                image = card_tamper.trailing(image)
            elif args.tamper == "unprotected":
                image = card_tamper.unprotected(image)
        image.save(args.out)
    except (IssueError, CardImageError, OSError, ValueError) as exc:
        return _fail(f"issue: {exc}")
    from kiosk.cli.card_reading import shown_uid

    print(f"card image written: {args.out} ({shown_uid(image.uid, args.show_uid)})")
    return 0


def _emulate(args: argparse.Namespace) -> int:
    from cardio.errors import CardImageError
    from cardio.issuing.card_image import CardImage

    try:
        image = CardImage.load(args.image)
    except (CardImageError, OSError) as exc:
        return _fail(f"emulate: {exc}")
    try:
        card = _presenter(image, args)
    except ValueError as exc:
        return _fail(f"emulate: {exc}")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        card.present()
    except OSError as exc:
        return _fail(f"emulate: cannot reach the reader: {exc}")
    from kiosk.cli.card_reading import shown_uid

    shown = shown_uid(image.uid, args.show_uid)
    print(f"card ({shown}) presented; Ctrl-C to remove", file=sys.stderr, flush=True)
    try:
        stop.wait(args.duration)
    finally:
        card.remove()
    return 0


class _Presenter:
    def __init__(self, present: Any, remove: Any) -> None:
        self.present, self.remove = present, remove


def _presenter(image: Any, args: argparse.Namespace) -> _Presenter:
    from cardio.emulators.citizen_applet import CitizenCardApplet

    if args.nfc:
        from cardio.card.ndef_cose import NDEF_TYPE
        from cardio.emulators.nfc_emulator import IsoDepEmulator, Type3NdefEmulator

        if args.ndef:
            if image.record is None:
                raise ValueError("a UID-only card has no record to put in an NDEF tag")
            tag = Type3NdefEmulator.mime(NDEF_TYPE, image.record, args.nfc)
            return _Presenter(tag.present, tag.remove)
        card = IsoDepEmulator(CitizenCardApplet.from_image(image), args.nfc)
        return _Presenter(card.present, card.remove)
    from cardio.emulators.vpcd import DEFAULT_PORT, VpcdCard

    host, port = "127.0.0.1", DEFAULT_PORT
    if args.vpcd:
        host, _, port_text = args.vpcd.rpartition(":")
        if not host or not port_text.isdigit():
            raise ValueError(f"--vpcd wants HOST:PORT, not {args.vpcd!r}")
        port = int(port_text)
    virtual = VpcdCard(CitizenCardApplet.from_image(image), port=port, host=host)
    return _Presenter(virtual.insert, virtual.remove)


def _read(args: argparse.Namespace) -> int:
    from contract.errors import TrustError
    from contract.trust import TrustStore

    try:
        trust = TrustStore.load(args.trust, args.revocations) if args.trust else TrustStore.empty()
    except TrustError as exc:
        return _fail(f"read: {exc}")
    from kiosk.cli.card_reading import read_one

    result = read_one(
        args.backend,
        reader_filter=args.reader,
        nfc_path=args.nfc_path,
        trust=trust,
        timeout_s=args.timeout,
    )
    if args.json:
        print(json.dumps(result.to_json(show_uid=args.show_uid), ensure_ascii=False, indent=2))
    else:
        print(result.describe(show_uid=args.show_uid))
    return 0 if result.ok else EXIT_FAILED


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def _fail(message: str) -> int:
    print(f"kiosk card {message}", file=sys.stderr)
    return EXIT_USAGE


def _date(text: str) -> dt.datetime:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from None
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _hex(text: str) -> bytes:
    try:
        value = bytes.fromhex(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not hex: {text!r}") from None
    if len(value) not in (4, 7, 10):
        raise argparse.ArgumentTypeError("a UID is 4, 7 or 10 bytes")
    return value
