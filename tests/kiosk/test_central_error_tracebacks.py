"""A client error's whole traceback, as a log handler's ``log.exception`` or an uncaught
error writes it, names no secret of the request's path.

A booking's code opens its page (``/b/{code}``), a ticket's id its public page
(``/t/{ticket_id}``): the client's own message shows them cut (``SecretPath``), and the
HTTP library's words under it (``Max retries exceeded with url: /api/v1/bookings/<the
code>``) must not bring them back in the chained exception a traceback prints below it.
Nor may the chain hold the HTTP library's exception itself, whose ``request`` keeps the
URL sent whole for a debugger or an error reporter to read. The peers are real sockets on
127.0.0.1: a port that refuses, a server that drops the connection unanswered, one that
answers garbage.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import pytest

from contract.bookings import damm_digit
from contract.ticket_ids import new_ticket_id
from kiosk.client.client import CentralClient
from kiosk.client.errors import CentralError, CentralProtocolError, CentralUnavailable
from testkit.fault_proxy import FaultProxy
from testkit.peers import RawServer

pytestmark = pytest.mark.timeout(60)

TOKEN = "a-kiosk-token"  # noqa: S105 (no real credential)
DEADLINE_S = 5.0
BOOKING_CODE = "48291350" + str(damm_digit("48291350"))
TICKET_ID = new_ticket_id("PKU-K01")


@contextmanager
def _refusing() -> Iterator[str]:
    """A loopback port that refuses every connection (a proxy whose listener is down)."""
    proxy = FaultProxy(target_port=1)
    proxy.down()
    try:
        yield proxy.url
    finally:
        proxy.close()


@contextmanager
def _raw(reply: bytes) -> Iterator[str]:
    with RawServer(reply) as peer:
        yield peer.url


PEERS: dict[str, tuple[Callable[[], AbstractContextManager[str]], type[CentralError]]] = {
    "refused": (_refusing, CentralUnavailable),
    "dropped": (lambda: _raw(b""), CentralUnavailable),
    "garbage": (lambda: _raw(b"NOT HTTP AT ALL\r\n\r\n"), CentralProtocolError),
}
CALLS: dict[str, tuple[str, Callable[[CentralClient], object]]] = {
    "booking-code": (BOOKING_CODE, lambda c: c.booking(BOOKING_CODE, deadline_s=DEADLINE_S)),
    "ticket-id": (TICKET_ID, lambda c: c.void_ticket(TICKET_ID)),
}


@pytest.mark.parametrize("peer", PEERS)
@pytest.mark.parametrize("call", CALLS)
def test_a_failed_calls_traceback_names_no_secret_of_its_path(peer: str, call: str) -> None:
    serving, expected = PEERS[peer]
    secret, make_call = CALLS[call]
    with (
        serving() as url,
        CentralClient(url, token=TOKEN) as client,
        pytest.raises(expected) as caught,
    ):
        make_call(client)
    written = "".join(traceback.format_exception(caught.value))
    assert type(caught.value).__name__ in written  # the traceback was written
    assert secret not in written, written
    # The fault is still named below the client's error, as the transport saw it.
    assert "ConnectionError" in written or "ProtocolError" in written, written
    held = _held(caught.value)
    assert secret not in held, held


def _held(error: BaseException) -> str:
    """What the exceptions chained to ``error`` hold: their words, their arguments and
    their attributes (a request's ``url`` among them)."""
    texts: list[str] = []
    pending: list[BaseException] = [error]
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        texts += [str(current), repr(current.args)]
        texts += [repr(getattr(value, "url", value)) for value in vars(current).values()]
        pending += [e for e in (current.__cause__, current.__context__) if e is not None]
        pending += [a for a in current.args if isinstance(a, BaseException)]
    return "\n".join(texts)
