"""CentralClient's calls for the touchscreen (#7): applications, health information, queue.

Against the real server (SQLite and PostgreSQL) with the demo data, and against
tiny misbehaving peers on 127.0.0.1 for the answers the kiosk must refuse.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import pytest

from kiosk.client.client import CentralClient
from kiosk.client.errors import CentralProtocolError, CentralUnavailable
from testkit.peers import http_reply

pytestmark = pytest.mark.timeout(60)

SITI_CARD, SITI_NIK = "PKU-000001", "1471015203850001"
TOKEN = "not-checked-by-these-peers"  # noqa: S105


class Peer(Protocol):
    url: str


def test_a_citizens_applications_by_card_number(client: CentralClient) -> None:
    found = {a.reference: a for a in client.applications(card_number=SITI_CARD)}
    assert {"BRK-DEMO0001", "BRK-DEMO0002"} <= set(found)
    ready = found["BRK-DEMO0001"]
    assert (ready.service_id, ready.state, ready.ready) == ("ktp-cetak-ulang", "ready", True)
    assert ready.note is not None and "loket 2" in ready.note
    assert ready.title_in("id") and ready.title_in("en")
    assert found["BRK-DEMO0002"].state == "in_progress" and not found["BRK-DEMO0002"].ready


def test_the_same_applications_by_nik(client: CentralClient) -> None:
    by_nik = {a.reference for a in client.applications(nik=SITI_NIK)}
    by_card = {a.reference for a in client.applications(card_number=SITI_CARD)}
    assert by_nik == by_card and by_nik


def test_an_unknown_citizen_has_no_applications(client: CentralClient) -> None:
    assert client.applications(card_number="PKU-999999") == ()


def test_applications_take_exactly_one_key(client: CentralClient) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        client.applications(card_number=SITI_CARD, nik=SITI_NIK)
    with pytest.raises(ValueError, match="exactly one"):
        client.applications()
    with pytest.raises(ValueError, match="deadline"):
        client.applications(card_number=SITI_CARD, deadline_s=0)


def test_health_information_of_the_demo_office(client: CentralClient) -> None:
    info = client.health_info()
    assert info is not None and info.office_id == "pku-mpp" and not info.empty
    wards = {w.ward_id: w for w in info.wards}
    assert (wards["rawat-inap"].beds_total, wards["rawat-inap"].beds_free) == (12, 5)
    assert all(0 <= w.beds_free <= w.beds_total for w in info.wards)
    assert any(d.name == "dr. Andi Pratama" and d.start == "07:30" for d in info.doctors)


def test_queue_state_of_the_demo_office(client: CentralClient) -> None:
    state = client.queue_state()
    assert state.office_id == "pku-mpp" and len(state.day) == 10
    ids = {s.service_id for s in state.services}
    assert "puskesmas-umum" in ids
    assert all(s.waiting >= 0 and s.estimated_wait_minutes >= 0 for s in state.services)


@pytest.mark.parametrize(
    ("call", "body"),
    [
        pytest.param("applications", b'{"applications": {}}', id="applications-not-a-list"),
        pytest.param(
            "applications",
            b'{"applications": [{"reference": "X", "service_id": "s", "title": "t",'
            b' "submitted_at": "2025-01-01T00:00:00+07:00", "state": "ready"}]}',
            id="title-not-an-object",
        ),
        pytest.param(
            "health_info", b'{"office_id": "o", "wards": [], "doctors_on_duty": 3}', id="doctors"
        ),
        pytest.param(
            "health_info",
            b'{"office_id": "o", "wards": [{"ward_id": "w", "name": "n", "beds_total": "12",'
            b' "beds_free": 1}], "doctors_on_duty": []}',
            id="beds-as-text",
        ),
        pytest.param(
            "health_info",
            b'{"office_id": "o", "wards": [{"ward_id": "w", "name": "n", "beds_total": 12,'
            b' "beds_free": 1}], "doctors_on_duty": []}',
            id="ward-without-its-time",
        ),
        pytest.param("queue_state", b'{"office_id": "o", "day": "2025-01-01"}', id="no-services"),
    ],
)
def test_malformed_answers_are_protocol_errors(
    raw_server: Callable[[bytes | None], Peer], call: str, body: bytes
) -> None:
    peer = raw_server(http_reply("200 OK", body, "Content-Type: application/json"))
    with (
        CentralClient(peer.url, timeout_s=0.5, token=TOKEN) as client,
        pytest.raises(CentralProtocolError, match="malformed"),
    ):
        if call == "applications":
            client.applications(card_number=SITI_CARD)
        else:
            getattr(client, call)()


def test_an_office_without_health_information_is_none(
    raw_server: Callable[[bytes | None], Peer],
) -> None:
    peer = raw_server(http_reply("404 Not Found", b'{"error": "not_found"}'))
    with CentralClient(peer.url, timeout_s=0.5, token=TOKEN) as client:
        assert client.health_info() is None


def test_a_silent_server_is_unavailable_within_the_deadline(
    raw_server: Callable[[bytes | None], Peer],
) -> None:
    peer = raw_server(None)
    with CentralClient(peer.url, timeout_s=5.0, token=TOKEN) as client:
        with pytest.raises(CentralUnavailable, match=r"timed out after 0\.3 s"):
            client.applications(card_number=SITI_CARD, deadline_s=0.3)
        with pytest.raises(CentralUnavailable, match=r"timed out after 0\.3 s"):
            client.queue_state(deadline_s=0.3)
