"""How the kiosk and the centre write their logs: one format choice for both.

* ``plain``: ``LEVEL: logger: message`` lines, for a terminal;
* ``journal``: the same, each line prefixed ``<N>``, the syslog priority of its
  level (DEBUG 7, INFO 6, WARNING 4, ERROR 3, CRITICAL 2): systemd's stream
  reader turns the prefix into the entry's ``PRIORITY=``, so ``journalctl -p
  warning`` finds the warnings;
* ``json``: one JSON object per line (``ts``, ``level``, ``logger``, ``msg`` and
  ``exc`` when there is a traceback), for a log shipper;
* ``auto`` (the default): ``journal`` when stderr is the stream systemd
  named in ``JOURNAL_STREAM`` (``device:inode``), else ``plain``.

A record is one line in ``journal`` and ``json``: a message or traceback
with line breaks is written with ``\\n`` in their place, so the journal
does not split it into entries of the wrong priority. In those two formats
an exception nobody caught (in the main thread or another) is logged as a
critical record too, not printed as Python's many-line traceback. What goes into a
message (no personal data, no tokens) is the caller's duty; the access log
filter of central/server.py keeps URLs clean.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import re
import sys
import threading
from collections.abc import Mapping
from types import TracebackType
from typing import TextIO

FORMATS = ("auto", "plain", "journal", "json")
#: syslog priorities (RFC 5424) of the logging levels.
_PRIORITIES = ((logging.CRITICAL, 2), (logging.ERROR, 3), (logging.WARNING, 4), (logging.INFO, 6))
_OURS = "_anjungan_log_handler"
PLAIN = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def priority_of(levelno: int) -> int:
    """The syslog priority of a logging level (anything below INFO is debug, 7)."""
    for level, priority in _PRIORITIES:
        if levelno >= level:
            return priority
    return 7


#: What a journal line may not carry raw: control characters (journald ends an entry
#: at a line break and cuts at NUL), Unicode's own line breaks, and lone surrogates
#: (from a JSON body's ``\\ud800``: they cannot be written as UTF-8 at all).
_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r"}


def _escape(found: re.Match[str]) -> str:
    char = found.group()
    return _NAMED.get(char) or (
        f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"
    )


class JournalFormatter(logging.Formatter):
    """``<N>`` + the plain line, every control character escaped (``\\n``, ``\\r``,
    ``\\x00``, …): one journal entry per record, at its own priority."""

    def __init__(self) -> None:
        super().__init__("%(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        return f"<{priority_of(record.levelno)}>" + _UNSAFE.sub(_escape, text)


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exc"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)


def resolve_format(
    fmt: str, env: Mapping[str, str] | None = None, stream: TextIO | None = None
) -> str:
    """``plain``, ``journal`` or ``json``: ``fmt`` with ``auto`` decided."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown log format {fmt!r}: one of {', '.join(FORMATS)}")
    if fmt != "auto":
        return fmt
    environ = os.environ if env is None else env
    device, _, inode = environ.get("JOURNAL_STREAM", "").partition(":")
    if not (device.isdigit() and inode.isdigit()):
        return "plain"
    try:
        stat = os.fstat((stream or sys.stderr).fileno())
    except (OSError, ValueError, AttributeError):
        return "plain"
    return "journal" if (stat.st_dev, stat.st_ino) == (int(device), int(inode)) else "plain"


def formatter_for(fmt: str, plain: str = PLAIN) -> logging.Formatter:
    """The formatter of a resolved format (not ``auto``); ``plain``: its line's layout."""
    if fmt == "journal":
        return JournalFormatter()
    if fmt == "json":
        return JsonFormatter()
    return logging.Formatter(plain)


def configured_format() -> str | None:
    """The format :func:`configure_logging` installed its handler with; ``None``: none
    installed (not called yet, or someone else's handlers were left alone)."""
    for handler in logging.getLogger().handlers:
        chosen = getattr(handler, _OURS, None)
        if isinstance(chosen, str):
            return chosen
    return None


def _log_uncaught(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, exc, tb)
        return
    logging.getLogger("uncaught").critical("uncaught %s", kind.__name__, exc_info=(kind, exc, tb))


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is None:
        return
    logging.getLogger("uncaught").critical(
        "uncaught %s in thread %s",
        args.exc_type.__name__,
        args.thread.name if args.thread is not None else "?",
        exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
    )


def configure_logging(
    fmt: str, level: int = logging.INFO, *, stream: TextIO | None = None, plain: str = PLAIN
) -> str:
    """Send every record at ``level`` or above to stderr in ``fmt``; returns the
    format chosen (``auto`` decided). ``plain``: the layout of a ``plain`` line
    (each program keeps its own).

    Like :func:`logging.basicConfig`, it leaves alone a root logger that someone
    else has given handlers (a test runner calling ``main`` in its own process);
    a handler it installed itself is replaced.
    """
    out = stream or sys.stderr
    chosen = resolve_format(fmt, stream=out)
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, _OURS, False):
            root.removeHandler(old)
    if root.handlers:
        return chosen
    handler = logging.StreamHandler(out)
    handler.setFormatter(formatter_for(chosen, plain))
    setattr(handler, _OURS, chosen)
    root.addHandler(handler)
    root.setLevel(level)
    one_line = chosen in ("journal", "json")
    sys.excepthook = _log_uncaught if one_line else sys.__excepthook__
    threading.excepthook = _log_uncaught_in_thread if one_line else threading.__excepthook__
    return chosen


def add_log_format_option(parser: argparse.ArgumentParser) -> None:
    """``--log-format {auto,plain,journal,json}``."""
    parser.add_argument(
        "--log-format",
        choices=FORMATS,
        default="auto",
        help="plain lines, journal lines with their priority, or JSON lines "
        "(default: %(default)s: journal under systemd, else plain)",
    )
