"""The ids a kiosk gives its tickets name the kiosk (docs/central-api.md, "Whose ticket is it?").

The expected bytes are computed here from the published rule, not by the
code under test: SHA-256 of ``anjungan-ticket-id/1:`` and the kiosk code, its
first six bytes, then a version-8 UUID with the RFC 9562 variant.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from contract.catalog import Catalog
from contract.ticket_ids import is_foreign, new_ticket_id
from kiosk.tickets.issue import PrintSetup, issue_and_print
from offline_store import Store
from testkit.printers import READY, ScriptedPrinter, request

NOW = dt.datetime(2026, 11, 22, 9, 40, tzinfo=dt.timezone(dt.timedelta(hours=7)))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(tmp_path / "kiosk.db")
    yield opened
    opened.close()


def test_a_bound_id_starts_with_the_kiosk_codes_tag_and_is_a_version_8_uuid() -> None:
    tag = hashlib.sha256(b"anjungan-ticket-id/1:K07").hexdigest()[:12]
    made = {new_ticket_id("K07") for _ in range(50)}
    assert len(made) == 50  # 74 random bits each
    for ticket_id in made:
        parsed = uuid.UUID(ticket_id)
        assert ticket_id == str(parsed)  # lower case, as the centre's routes take it
        assert parsed.hex[:12] == tag
        assert (parsed.version, parsed.variant) == (8, uuid.RFC_4122)


def test_the_centre_takes_a_bound_id_from_its_kiosk_only() -> None:
    ticket_id = new_ticket_id("K07")
    assert not is_foreign(ticket_id, "K07")
    assert is_foreign(ticket_id, "K08")
    assert is_foreign(ticket_id, None)
    assert not is_foreign(str(uuid.uuid4()), "K08")  # an unbound id is no one's in particular


def test_without_a_kiosk_code_the_id_is_random() -> None:
    assert uuid.UUID(new_ticket_id(None)).version == 4


def test_the_tickets_a_kiosk_issues_carry_its_bound_ids(store: Store, catalog: Catalog) -> None:
    store.set_kiosk_code("K07")
    setup = PrintSetup(ScriptedPrinter(READY))

    issued = issue_and_print(request(), catalog=catalog, office_id="pku-mpp", store=store,
                             setup=setup, now=lambda: NOW)  # fmt: skip

    ticket_id = store.outbox()[0].key
    assert issued.ticket.number == "A-K07-001"
    assert not is_foreign(ticket_id, "K07") and is_foreign(ticket_id, "K08")


@pytest.mark.parametrize("code", ["K07", "K08", None])
def test_whose_id_is_read_off_the_text_as_off_the_parsed_uuid(code: str | None) -> None:
    """Any UUID, bound or not, of any version, variant and case: foreign as the rule says."""
    rng = random.Random(19)  # noqa: S311 - the same ids every run, not secrets
    ids = [new_ticket_id("K07") for _ in range(200)] + [str(uuid.uuid4()) for _ in range(200)]
    ids += [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(400)]
    ids += [i.upper() for i in ids[:50]]
    for ticket_id in ids:
        parsed = uuid.UUID(ticket_id)
        bound = parsed.version == 8 and parsed.variant == uuid.RFC_4122
        tag = hashlib.sha256(f"anjungan-ticket-id/1:{code}".encode()).digest()[:6]
        expected = bound and (code is None or parsed.bytes[:6] != tag)
        assert is_foreign(ticket_id, code) is expected, ticket_id
