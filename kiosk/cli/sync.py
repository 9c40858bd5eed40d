"""``kiosk sync``: the sync engine for operators.

    kiosk sync status [--config FILE] [--json]
    kiosk sync now [--config FILE] [--json]
    kiosk sync retry-dead KEY [--config FILE]

``status`` reads the local store only (it works with the kiosk running or
not, online or not; it never creates one): outbox depth and its oldest item, dead letters with the
centre's reason, the last successful sync, the ticket-number leases and the
catalog version. ``now`` runs one full sync step against the central server
(every task, ignoring the backoff) and prints the same. ``retry-dead`` puts a
dead letter back in the outbox, after its cause was fixed; it takes a key whole or as
``status`` shows it, its end after the word before its UUID if any (``cancel-…3f2a9c0b1d7e``;
a complaint's whole key gives its reference). Exit codes: 0
done (``now``: the centre answered), 1 the centre could not be reached or
the store could not be opened, 2 bad usage or a bad configuration.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.cli.common import EXIT_FAILED, EXIT_USAGE, load_cli_config
from kiosk.config import Config, office_clock

if TYPE_CHECKING:
    from offline_store import Store, SyncLogEntry

#: Dead letters listed by ``status``.
DEAD_SHOWN = 20


def add_parser(sub: Any) -> None:
    sync = sub.add_parser(
        "sync",
        help="show the sync state, or sync with the central server now",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    actions = sync.add_subparsers(dest="sync_command", metavar="ACTION", required=True)
    for name, text in (
        ("status", "outbox, dead letters, last sync, leases, catalog (local store only)"),
        ("now", "run one full sync step against the central server now"),
        ("retry-dead", "send a dead letter again (after fixing what the centre refused)"),
    ):
        action = actions.add_parser(name, help=text, description=text)
        action.add_argument("--config", type=Path, metavar="FILE", help="the kiosk's TOML file")
        if name == "retry-dead":
            action.add_argument(
                "key", help="the outbox item's whole key, or exactly as `status` lists it"
            )
        else:
            action.add_argument("--json", action="store_true", help="machine-readable output")


def run(args: argparse.Namespace) -> int:
    config = load_cli_config(args.config)
    if config is None:
        return EXIT_USAGE
    from kiosk.wiring.store import open_store
    from offline_store import StoreError

    if args.sync_command != "now" and not config.store_path.exists():
        print(
            f"kiosk: belum ada penyimpanan lokal / no local store at {config.store_path}"
            " (start the kiosk once, or give --config)",
            file=sys.stderr,
        )
        return EXIT_FAILED
    try:
        store = open_store(config)
    except StoreError as exc:
        print(
            f"kiosk: penyimpanan lokal tidak dapat dibuka / store unusable: {exc}", file=sys.stderr
        )
        return EXIT_FAILED
    try:
        if args.sync_command == "retry-dead":
            return _retry_dead(store, args.key, config)
        if args.sync_command == "now":
            return _now(store, config, as_json=args.json)
        _print(status_report(store, office_clock(config)()), as_json=args.json)
        return 0
    finally:
        store.close()


def status_report(store: Store, now: dt.datetime) -> dict[str, Any]:
    """What ``kiosk sync status`` shows, from the store alone (no personal data)."""
    from contract.shown import shown_key
    from offline_store import OutboxState, SyncResult

    stats = store.outbox_stats(now)
    # no payload is read, nor needed: a row that cannot be decrypted is listed too
    oldest = store.outbox(OutboxState.PENDING, 1, payloads=False)
    last_ok = store.last_sync(result=SyncResult.OK)
    last_failed = store.last_sync(result=SyncResult.FAILED)
    document = store.catalog_document()
    return {
        "outbox": {
            "depth": stats.depth,
            "sending": stats.sending,
            "oldest_created_at": oldest[0].created_at if oldest else None,
            "oldest_age_s": stats.oldest_unsent_age_s,
            "dead": stats.dead,
        },
        "dead": [
            # its end only: a complaint's whole key gives the reference to her page
            {"key": shown_key(item.key), "kind": item.kind, "error": item.last_error}
            for item in store.outbox(OutboxState.DEAD, DEAD_SHOWN, payloads=False)
        ],
        "last_success": _entry(last_ok),
        "last_failure": _entry(last_failed),
        "kiosk_code": store.kiosk_code(),
        "leases": [
            {
                "service_id": state.service_id,
                "day": state.day.isoformat(),
                "source": state.source,
                "next": state.next,
                "left": state.remaining,
                "expires_at": state.expires_at.isoformat() if state.expires_at else None,
                "usable": state.usable,
            }
            for state in store.lease_state(now)
        ],
        "catalog_version": document.version if document else None,
        "catalog_fetched_at": document.fetched_at.isoformat() if document else None,
    }


def _entry(entry: SyncLogEntry | None) -> dict[str, str] | None:
    if entry is None:
        return None
    return {"task": entry.task, "at": entry.finished_at.isoformat(), "detail": entry.detail}


def _now(store: Store, config: Config, *, as_json: bool) -> int:
    from kiosk.client.client import CentralClient
    from kiosk.sync import SyncEngine

    clock = office_clock(config)
    with CentralClient.from_config(config.central) as client:
        engine = SyncEngine(store, client, config, now=clock)
        report = engine.run_once(force=True)
    result = status_report(store, clock())
    result["step"] = {
        "connection": report.status.connection,
        "ran": list(report.ran),
        "failed": list(report.failed),
        "delivered": report.pushed.delivered,
        "dead": report.pushed.dead,
        "error": report.status.last_error,
    }
    _print(result, as_json=as_json)
    return 0 if report.status.connection == "online" else EXIT_FAILED


def _retry_dead(store: Store, key: str, config: Config) -> int:
    """Send the dead letter ``key`` again: its whole key, or exactly as ``status`` shows it."""
    from contract.shown import shown_key

    keys = [key] if store.retry_dead(key, office_clock(config)()) else []
    if not keys:
        keys = store.dead_keys_shown_as(key)
        if len(keys) > 1:
            shown = ", ".join(shown_key(each) for each in keys)
            print(
                f"kiosk: {shown_key(key)} cocok dengan {len(keys)} surat mati ({shown}), beri"
                f" salah satu seperti tertulis / matches {len(keys)} dead letters ({shown}),"
                " give one as `status` lists it",
                file=sys.stderr,
            )
            return EXIT_FAILED
        if keys and not store.retry_dead(keys[0], office_clock(config)()):
            keys = []
    if keys:
        print(f"kiosk: {shown_key(keys[0])} dikirim ulang / will be sent again")
        return 0
    print(f"kiosk: {shown_key(key)} bukan surat mati / is not a dead letter", file=sys.stderr)
    return EXIT_FAILED


def _print(report: dict[str, Any], *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return
    outbox = report["outbox"]
    age = outbox["oldest_age_s"]
    lines = [
        f"Kotak keluar / outbox: {outbox['depth']} belum terkirim / unsent"
        + (f", tertua / oldest {outbox['oldest_created_at']} ({age:.0f} s)" if age else ""),
        f"Surat mati / dead letters: {outbox['dead']}",
    ]
    lines += [f"  {d['key']} {d['kind']}: {d['error']}" for d in report["dead"]]
    last = report["last_success"]
    lines.append(
        "Sinkron terakhir berhasil / last success: "
        + (f"{last['at']} ({last['task']})" if last else "belum pernah / never")
    )
    failure = report["last_failure"]
    if failure:
        lines.append(f"Gagal terakhir / last failure: {failure['at']} ({failure['task']})")
    lines.append(f"Kode kios / kiosk code: {report['kiosk_code'] or '-'}")
    lines.append(f"Katalog / catalog: {report['catalog_version'] or '-'}")
    lines.append("Sewa nomor / leases:")
    for lease in report["leases"]:
        left = "∞" if lease["left"] is None else lease["left"]
        state = "aktif / usable" if lease["usable"] else "habis / used up"
        lines.append(
            f"  {lease['day']} {lease['service_id']} {lease['source']}: "
            f"next {lease['next']}, left {left}, {state}"
        )
    if not report["leases"]:
        lines.append("  -")
    step = report.get("step")
    if step:
        lines.append(
            f"Sinkron sekarang / sync now: {step['connection']}, delivered {step['delivered']}, "
            f"dead {step['dead']}"
            + (f", failed {', '.join(step['failed'])}" if step["failed"] else "")
        )
        if step["error"]:
            lines.append(f"  {step['error']}")
    print("\n".join(lines))
