"""One interface for sending a message, and its adapters: ``webhook`` and ``log``.

A :class:`Provider` takes a claimed message and its text and says what
became of it: :class:`Delivered`, :class:`RetryLater` (the gateway is down,
slow, answers 5xx or 429: ``after`` is its ``Retry-After``) or
:class:`Refused` (a 4xx the gateway means: a bad number, a bad signature;
trying again would change nothing). A provider never raises for the
network; the sender decides what happens next.

``webhook`` POSTs JSON to the city's SMS or WhatsApp gateway::

    POST <url>
    Content-Type: application/json
    Idempotency-Key: <the message's key>
    X-Anjungan-Timestamp: <Unix seconds>
    X-Anjungan-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + key + "." + body)>

    {"key": "...", "to": "62812...", "language": "id", "template": "ticket.called",
     "text": "..."}

The whole exchange has one total deadline (a watchdog shuts the socket
kept from its connect when it passes, however slowly the gateway dribbles,
with or without ``Connection: close``: central/integrations/http.py) and
the answer is read up to a size cap. The gateway keeps the key: a message sent again after a
lost answer is the same message (docs/messages.md).

``log`` writes one line per message (the number masked, a first name cut to
its initial, a complaint's reference and a booking's code cut to their start,
since either opens the citizen's page): for the demo and a city that has no
gateway yet. No log line names a message's key, for the same reason: the
message's id stands for it.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import hmac
import http.client
import json
import logging
import re
import time
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from central.integrations.http import watched_connection
from central.messages.outbox import Outgoing
from central.messages.phones import masked
from central.messages.templates import render
from central.settings import WEBHOOK_USERINFO
from contract.shown import shown_code, shown_reference

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Anjungan-Signature"
TIMESTAMP_HEADER = "X-Anjungan-Timestamp"
KEY_HEADER = "Idempotency-Key"


@dataclass(frozen=True)
class Delivered:
    pass


@dataclass(frozen=True)
class RetryLater:
    error: str
    #: The gateway's ``Retry-After`` in seconds, if it gave one.
    after_s: float | None = None


@dataclass(frozen=True)
class Refused:
    error: str


Outcome = Delivered | RetryLater | Refused


class Provider(Protocol):
    """What sends a message; one instance serves one sender thread."""

    name: str

    def send(self, message: Outgoing, text: str) -> Outcome: ...


class LogProvider:
    """Writes each message to the server's log instead of sending it."""

    name = "log"

    def send(self, message: Outgoing, text: str) -> Outcome:
        params = dict(message.params)
        if "first_name" in params:
            params["first_name"] = str(params["first_name"])[:1] + "."
        # They open the citizen's pages: shown as every other line shows them.
        if "reference" in params:
            params["reference"] = shown_reference(str(params["reference"]))
        if "code" in params:
            params["code"] = shown_code(str(params["code"]))
        shown = render(message.template, message.language, params)
        log.info(
            "message %d [%s] to %s: %s", message.id, message.template, masked(message.phone), shown
        )
        return Delivered()


def signature(secret: bytes, timestamp: str, key: str, body: bytes) -> str:
    """The value of :data:`SIGNATURE_HEADER`: ``sha256=`` and the hex HMAC of
    ``timestamp.key.body`` (the ``Idempotency-Key`` signed too: a replayed body under
    another key would otherwise be a second message to a gateway that keys on it)."""
    signed = timestamp.encode("ascii") + b"." + key.encode("utf-8") + b"." + body
    return "sha256=" + hmac.new(secret, signed, hashlib.sha256).hexdigest()


def body_of(message: Outgoing, text: str) -> bytes:
    """The JSON the gateway receives (compact, keys sorted, UTF-8)."""
    return json.dumps(
        {
            "key": message.key,
            "to": message.phone,
            "language": message.language,
            "template": message.template,
            "text": text,
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    ).encode("utf-8")


#: Delta-seconds as RFC 9110 writes them: ASCII digits only, and few of them (a day
#: is five; ten is centuries).
_DELTA_SECONDS = re.compile(r"[0-9]{1,10}", re.ASCII)
#: The longest HTTP date a gateway may send ("Sun, 06 Nov 1994 08:49:37 GMT" is 29).
_LONGEST_DATE = 64


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds from now: delta-seconds or an HTTP date; ``None`` if unusable.

    Strict: ``"²"`` or ``"٣"`` (digits to :meth:`str.isdigit`, not to HTTP), a
    thousand digits or a malformed date are unusable, never an error.
    """
    if not value:
        return None
    value = value.strip()
    if _DELTA_SECONDS.fullmatch(value):
        return float(int(value))
    if len(value) > _LONGEST_DATE or not value.isascii():
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        return max(0.0, when.timestamp() - (time.time() if now is None else now))
    except (TypeError, ValueError, OverflowError, IndexError):
        return None


class WebhookProvider:
    """POSTs each message to the gateway, signed; one total deadline and an answer cap."""

    name = "webhook"

    def __init__(
        self, url: str, secret: bytes, *, deadline_s: float = 10.0, answer_max_bytes: int = 65536
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("the webhook URL must be http(s)://host/path")
        if "@" in parts.netloc:
            raise ValueError(WEBHOOK_USERINFO)
        self._parts = parts
        self._secret = secret
        self._deadline_s = deadline_s
        self._cap = answer_max_bytes

    def __repr__(self) -> str:  # the secret (and any credential in the URL) never reaches a log
        port = f":{self._parts.port}" if self._parts.port else ""
        return f"WebhookProvider({self._parts.scheme}://{self._parts.hostname}{port})"

    def send(self, message: Outgoing, text: str) -> Outcome:
        body = body_of(message, text)
        stamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            KEY_HEADER: message.key,
            TIMESTAMP_HEADER: stamp,
            SIGNATURE_HEADER: signature(self._secret, stamp, message.key, body),
            "User-Agent": "anjungan-central",
        }
        try:
            status, asked = self._post(body, headers)
        except (OSError, http.client.HTTPException) as exc:
            return RetryLater(f"gateway unreachable or too slow ({type(exc).__name__})")
        except Exception as exc:  # whatever else an answer breaks: a retry, never a raise
            log.warning("the gateway's answer could not be read (%s)", type(exc).__name__)
            return RetryLater(f"gateway answer unreadable ({type(exc).__name__})")
        if 200 <= status < 300:  # taken: whatever Retry-After came with it means nothing
            return Delivered()
        if status == 429:
            return RetryLater("gateway busy (429)", retry_after(asked))
        if status in (408, 425) or status >= 500:
            return RetryLater(f"gateway answered {status}", retry_after(asked))
        return Refused(f"gateway refused the message ({status})")

    def _post(self, body: bytes, headers: dict[str, str]) -> tuple[int, str | None]:
        """The answer's status and its raw ``Retry-After``."""
        parts = self._parts
        watched = watched_connection(
            parts.scheme, parts.hostname or "", parts.port, self._deadline_s
        )
        with watched as (connection, expired):
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            left = self._cap
            while left > 0 and not expired.is_set():
                chunk = response.read(min(left, 8192))
                if not chunk:
                    break
                left -= len(chunk)
            if expired.is_set():
                raise TimeoutError("the gateway's answer did not end within the deadline")
            return response.status, response.getheader("Retry-After")
