"""Operator commands of ``kiosk server``: run against the database directly, no server needed.

::

    kiosk server migrate      [--db URL]
    kiosk server enrol-code   --office ID [--kiosk KIOSK_ID] [--desk] [--ttl-hours H]
                              [--note TEXT] [--db URL]
    kiosk server kiosks       [--db URL]
    kiosk server revoke-kiosk KIOSK_ID [--db URL]
    kiosk server add-staff    USERNAME [--role admin|staff] [--office ID] [--name NAME]
                              [--password-stdin] [--db URL]

Each migrates the database to head first (idempotent). ``enrol-code``
prints only the code on stdout, so ``CODE=$(kiosk server enrol-code …)``
works; what it means goes to stderr. Exit status 0 done, 1 refused (the
message says why), 4 database unusable.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from sqlalchemy.exc import SQLAlchemyError

from central.access import kiosks, staff
from central.cli_options import EXIT_DATABASE, EXIT_REFUSED, add_db_option
from central.database import Database, migrate
from central.errors import ApiError, DatabaseError
from central.settings import CentralSettings

ACTOR = "cli"


def add_subcommands(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands = {
        "migrate": "bring the database schema to the newest revision",
        "enrol-code": "make a one-time enrolment code for a kiosk of an office",
        "kiosks": "list enrolled kiosks",
        "revoke-kiosk": "revoke every token of a kiosk (it must enrol again)",
        "add-staff": "add a staff account (password from the terminal or stdin)",
        "disable-staff": "disable a staff account and end all its sessions at once",
    }
    made = {}
    for name, help_text in commands.items():
        made[name] = sub.add_parser(name, help=help_text, description=help_text)
        add_db_option(made[name], top_level=False)
    code = made["enrol-code"]
    code.add_argument("--office", required=True, metavar="ID", help="the kiosk's office id")
    code.add_argument(
        "--ttl-hours",
        type=float,
        default=CentralSettings().enrolment_code_ttl_s / 3600,
        help="hours the code stays valid (default: %(default)g)",
    )
    code.add_argument("--note", default="", help="a note for the audit (e.g. where the kiosk is)")
    code.add_argument(
        "--kiosk",
        metavar="KIOSK_ID",
        help="re-key this enrolled kiosk of the office: it gets a new token and keeps its "
        "kiosk code, leases and tickets (after revoke-kiosk, or a lost token)",
    )
    code.add_argument(
        "--desk",
        action="store_true",
        help="the code makes a hospital's registration desk (kiosk run --desk: name search, "
        "phone and address); a re-key code without it makes the kiosk no desk",
    )
    made["revoke-kiosk"].add_argument("kiosk_id", metavar="KIOSK_ID")
    add = made["add-staff"]
    add.add_argument("username")
    add.add_argument("--role", choices=[r.value for r in staff.Role], default="staff")
    add.add_argument("--office", metavar="ID", help="limit the account to one office")
    add.add_argument("--name", default="", help="display name")
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin's first line"
    )
    made["disable-staff"].add_argument("username")


def run(args: argparse.Namespace) -> int:
    try:
        db = Database(args.db or CentralSettings().resolved_db_url)
    except DatabaseError as exc:
        return _fail(str(exc), EXIT_DATABASE)
    try:
        migrate(db)
        return _COMMANDS[args.command](db, args)
    except ApiError as exc:
        return _fail(exc.detail, EXIT_REFUSED)
    except (DatabaseError, SQLAlchemyError) as exc:
        return _fail(str(exc), EXIT_DATABASE)
    finally:
        db.dispose()


def _migrate(db: Database, _args: argparse.Namespace) -> int:
    print(f"database at revision {db.revision()}", file=sys.stderr)
    return 0


def _enrol_code(db: Database, args: argparse.Namespace) -> int:
    if not 0 < args.ttl_hours <= 24 * 30:
        return _fail("--ttl-hours must be more than 0 and at most 720", EXIT_REFUSED)
    with db.begin() as conn:
        code, expires = kiosks.create_enrolment_code(
            conn,
            args.office,
            ttl_s=int(args.ttl_hours * 3600),
            actor=ACTOR,
            note=args.note,
            kiosk_id=args.kiosk,
            desk=args.desk,
        )
    print(code)
    what = f"kiosk {args.kiosk} of office" if args.kiosk else "a new kiosk of office"
    if args.desk:
        what = f"the registration desk {what}"
    print(
        f"one-time enrolment code for {what} {args.office}, valid until "
        f"{expires.isoformat(timespec='minutes')}; set it as central.enrolment_code on the kiosk",
        file=sys.stderr,
    )
    return 0


def _kiosks(db: Database, _args: argparse.Namespace) -> int:
    with db.read() as conn:
        rows = kiosks.list_kiosks(conn)
    for k in rows:
        state = "active" if k.active_tokens else "revoked"
        enrolled = k.enrolled_at.isoformat(timespec="seconds")
        role = "  (registration desk)" if k.desk else ""
        print(f"{k.kiosk_id}  {k.office_id}  {state:7}  {enrolled}  {k.name}{role}")
    return 0


def _revoke(db: Database, args: argparse.Namespace) -> int:
    with db.begin() as conn:
        count = kiosks.revoke_kiosk(conn, args.kiosk_id, actor=ACTOR)
    print(f"kiosk {args.kiosk_id}: {count} token(s) revoked", file=sys.stderr)
    return 0


def _add_staff(db: Database, args: argparse.Namespace) -> int:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            return _fail("the passwords differ", EXIT_REFUSED)
    with db.begin() as conn:
        staff.add_staff(
            conn,
            args.username,
            password,
            role=staff.Role(args.role),
            office_id=args.office,
            display_name=args.name,
            actor=ACTOR,
        )
    print(f"staff account {args.username} ({args.role}) added", file=sys.stderr)
    return 0


def _disable_staff(db: Database, args: argparse.Namespace) -> int:
    with db.begin() as conn:
        ended = staff.disable_staff(conn, args.username, actor=ACTOR)
    print(f"staff account {args.username} disabled; {ended} session(s) ended", file=sys.stderr)
    return 0


_COMMANDS = {
    "migrate": _migrate,
    "enrol-code": _enrol_code,
    "kiosks": _kiosks,
    "revoke-kiosk": _revoke,
    "add-staff": _add_staff,
    "disable-staff": _disable_staff,
}


def _fail(message: str, status: int) -> int:
    print(f"kiosk server: error: {message}", file=sys.stderr, flush=True)
    return status
