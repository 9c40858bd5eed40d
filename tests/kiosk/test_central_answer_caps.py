"""Every answer from the centre has a size cap, counted after inflating: memory stays bounded.

The gzip bomb (about 1 MB that inflates to 1 GiB) comes from the fault proxy in
front of the real centre, into a child process that measures its own peak RSS
(``VmHWM``) and runs under an address-space limit, so a client that inflated the
whole body fails with MemoryError there instead of taking the machine's memory.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest

from kiosk.client.client import CentralClient
from kiosk.client.errors import CentralProtocolError
from kiosk.client.transport import ANSWER_CAPS
from testkit.fault_proxy import FaultProxy
from testkit.peers import Dripper, http_reply
from testkit.todays_bookings import code

pytestmark = pytest.mark.timeout(120)

TOKEN = "a-kiosk-token"  # noqa: S105 (no real credential)
GROWTH_LIMIT = 100 * 1024 * 1024  # bytes of peak RSS a bomb may add

CHILD = r"""
import json, resource, sys

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(key)

from kiosk.client.client import CentralClient
from kiosk.client.errors import CentralError

centre, bomb = sys.argv[1:3]
with CentralClient(centre, timeout_s=30.0) as warm:
    assert warm.health()  # requests and a session at work: all in the baseline
with CentralClient(bomb, timeout_s=30.0) as client:
    # A client that inflated the whole gigabyte fails here instead of eating the machine.
    limit = status("VmSize") + (1 << 30)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    before = status("VmHWM")
    try:
        client.fetch_catalog()
        outcome = "answered"
    except CentralError as exc:
        outcome = f"{type(exc).__name__}: {exc}"
    except MemoryError:
        outcome = "MemoryError"
    print(json.dumps({"growth": status("VmHWM") - before, "outcome": outcome}))
"""


@pytest.fixture
def bomb_proxy(demo_central: str) -> Iterator[FaultProxy]:
    port = int(demo_central.rsplit(":", 1)[1])
    proxy = FaultProxy(port)
    try:
        yield proxy
    finally:
        proxy.close()


def test_a_gzip_bomb_is_refused_with_bounded_memory(
    demo_central: str, bomb_proxy: FaultProxy
) -> None:
    bomb_proxy.set("bomb")
    child = subprocess.run(
        [sys.executable, "-c", CHILD, demo_central, bomb_proxy.url],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert child.returncode == 0, child.stderr[-2000:]
    result = json.loads(child.stdout)
    cap = ANSWER_CAPS["document"]
    assert result["outcome"] == (
        f"CentralProtocolError: {bomb_proxy.url}/api/v1/catalog: answer larger than {cap} bytes"
    )
    assert result["growth"] < GROWTH_LIMIT, result
    assert bomb_proxy.count("/api/v1/catalog", "bomb") == 1


def test_a_declared_length_over_the_cap_is_refused_before_the_body() -> None:
    # The head promises a gigabyte and nothing follows: the client must not wait for it.
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 1073741824\r\n\r\n"
    with (
        Dripper(head, b"", interval_s=0.05) as peer,
        CentralClient(peer.url, timeout_s=30.0, token=TOKEN) as client,
        pytest.raises(CentralProtocolError, match=r"answer larger than 65536 bytes"),
    ):
        client.heartbeat({})


@pytest.mark.parametrize(
    ("call", "kind"),
    [
        ("lookup", "small"),
        ("allocate", "small"),
        ("submit", "list"),
        ("catalog", "document"),
        ("bookings_today", "bookings"),
        ("booking", "small"),
    ],
)
def test_an_answer_over_its_kinds_cap_is_refused(call: str, kind: str) -> None:
    cap = ANSWER_CAPS[kind]  # type: ignore[index]
    body = b'{"found": false, "pad": "' + b"x" * cap + b'"}'  # valid JSON, one cap too big
    chunked = b"".join(
        b"%x\r\n%s\r\n" % (len(part), part)
        for part in (body[i : i + 8192] for i in range(0, len(body), 8192))
    )
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    with (
        Dripper(head + chunked + b"0\r\n\r\n", b"") as peer,
        CentralClient(peer.url, timeout_s=10.0, token=TOKEN) as client,
        pytest.raises(CentralProtocolError, match=f"answer larger than {cap} bytes"),
    ):
        if call == "lookup":
            client.lookup_citizen(card_number="PKU-000001", deadline_s=10.0)
        elif call == "allocate":
            client.allocate_ticket("t-1", "s-1", deadline_s=10.0)
        elif call == "submit":
            client.submit([{"key": "k", "kind": "x", "body": {}}])
        elif call == "bookings_today":
            client.bookings_today()
        elif call == "booking":
            client.booking(code("48291307"), deadline_s=10.0)
        else:
            client.fetch_catalog()


def test_an_answer_at_its_cap_is_read() -> None:
    cap = ANSWER_CAPS["small"]
    prefix, suffix = b'{"found": false, "pad": "', b'"}'
    body = prefix + b"x" * (cap - len(prefix) - len(suffix)) + suffix
    with (
        Dripper(http_reply("200 OK", body), b"") as peer,
        CentralClient(peer.url, timeout_s=10.0, token=TOKEN) as client,
    ):
        assert client.lookup_citizen(card_number="PKU-000001", deadline_s=10.0) is None
