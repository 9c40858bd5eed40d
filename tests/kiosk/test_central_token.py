"""The kiosk's central token: enrolled once with the code, kept 0600, re-enrolled on a 401."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest

from central.settings import DEMO_ENROLMENT_CODE
from kiosk.client.bearer import (
    adopt_kiosk_code,
    authorised,
    ensure_token,
    kiosk_code_path,
    load_token,
    save_token,
)
from kiosk.client.client import CentralClient
from kiosk.client.errors import CentralAuthError
from kiosk.config import CentralSection, Config, KioskSection
from offline_store import Store

pytestmark = pytest.mark.timeout(30)


def config_for(tmp_path: Path, url: str, code: str = DEMO_ENROLMENT_CODE) -> Config:
    return Config(
        kiosk=KioskSection(data_dir=str(tmp_path / "data")),
        central=CentralSection(url=url, enrolment_code=code),
    )


def test_token_file_is_private_and_replaced_whole(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "central-token"
    assert load_token(path) is None
    save_token(path, "ak_first")
    assert path.stat().st_mode & 0o777 == 0o600
    save_token(path, "ak_second")
    assert load_token(path) == "ak_second"
    assert [p.name for p in path.parent.iterdir()] == ["central-token"], "no temporary left"


def test_default_token_path_is_in_the_data_dir(tmp_path: Path) -> None:
    config = config_for(tmp_path, "http://127.0.0.1:1")
    assert config.central_token_path == tmp_path / "data" / "central-token"
    custom = Config(central=CentralSection(token_file=str(tmp_path / "t")))
    assert custom.central_token_path == tmp_path / "t"


def test_enrols_once_then_uses_the_file(tmp_path: Path, demo_central: str) -> None:
    config = config_for(tmp_path, demo_central)
    with CentralClient(demo_central) as client:
        assert ensure_token(client, config)
        token = client.token
        assert token and load_token(config.central_token_path) == token
    with CentralClient(demo_central) as again:
        assert ensure_token(again, config)
        assert again.token == token, "the saved token, not a new enrolment"
        assert again.fetch_catalog().data is not None


def test_no_code_and_no_token_is_not_enrolled(tmp_path: Path, demo_central: str) -> None:
    config = config_for(tmp_path, demo_central, code="")
    with CentralClient(demo_central) as client:
        assert not ensure_token(client, config)
        with pytest.raises(CentralAuthError) as caught:
            authorised(client, config, client.fetch_catalog)
    assert caught.value.status == 401


def test_a_refused_token_is_replaced_by_enrolling_again(tmp_path: Path, demo_central: str) -> None:
    config = config_for(tmp_path, demo_central)
    save_token(config.central_token_path, "ak_from-a-server-that-forgot-us")
    with CentralClient(demo_central) as client:
        fetched = authorised(client, config, client.fetch_catalog)
        assert fetched.data is not None
    saved = load_token(config.central_token_path)
    assert saved is not None and saved != "ak_from-a-server-that-forgot-us"


def test_a_used_code_is_reported(tmp_path: Path, demo_central: str) -> None:
    config = config_for(tmp_path, demo_central, code="AAAA-BBBB-CCCC-DDDD")
    with CentralClient(demo_central) as client, pytest.raises(CentralAuthError) as caught:
        authorised(client, config, client.fetch_catalog)
    assert (caught.value.status, caught.value.code) == (403, "enrolment_code_unknown")


def test_two_clients_of_one_kiosk_enrol_it_once(tmp_path: Path, demo_central: str) -> None:
    """The controller and the sync engine start together: one kiosk, one token, one code."""
    config = config_for(tmp_path, demo_central)
    start = threading.Barrier(4)
    tokens: list[str | None] = []

    def start_client() -> None:
        with CentralClient(demo_central) as client:
            start.wait(timeout=10)
            ensure_token(client, config)
            tokens.append(client.token)

    threads = [threading.Thread(target=start_client) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert len(tokens) == 4 and len(set(tokens)) == 1 and tokens[0] is not None
    assert load_token(config.central_token_path) == tokens[0]
    assert sorted(p.name for p in config.central_token_path.parent.iterdir()) == [
        "central-token",
        "central-token.kiosk-code",
    ], "one enrolment, no temporary left"


def test_a_client_whose_token_was_replaced_adopts_the_new_one(
    tmp_path: Path, demo_central: str
) -> None:
    config = config_for(tmp_path, demo_central)
    with CentralClient(demo_central) as first, CentralClient(demo_central) as second:
        ensure_token(first, config)
        second.token = "ak_stale-from-before"  # noqa: S105 - a made-up token
        assert authorised(second, config, second.fetch_catalog).data is not None
        assert second.token == first.token, "took the token on disk, did not enrol again"


def test_the_enrolment_answers_code_reaches_the_store_before_any_ticket(
    tmp_path: Path, demo_central: str
) -> None:
    """A kiosk that enrolled and then lost the network before the sync engine asked
    for its code still numbers offline tickets with it (never a plain ``A-001``)."""
    config = config_for(tmp_path, demo_central)
    with CentralClient(demo_central) as client:
        assert ensure_token(client, config)
        me = client.kiosk_me()
    assert load_token(kiosk_code_path(config)) == me.kiosk_code
    assert kiosk_code_path(config).stat().st_mode & 0o777 == 0o600
    store = Store.open(tmp_path / "kiosk.db")
    try:
        assert store.kiosk_code() is None
        assert adopt_kiosk_code(store, config) == me.kiosk_code
        ticket = store.issue_ticket(
            office_id="pku-mpp", service_id="puskesmas-umum", prefix="A", counter="1",
            payload={}, now=dt.datetime.now(dt.UTC),
        )  # fmt: skip
        assert (ticket.number, ticket.source) == (f"A-{me.kiosk_code}-001", "fallback")
        store.set_kiosk_code("K999")  # the engine learnt another: the store's stands
        assert adopt_kiosk_code(store, config) == "K999"
    finally:
        store.close()


def test_without_an_enrolment_there_is_no_code_to_adopt(tmp_path: Path) -> None:
    config = config_for(tmp_path, "http://127.0.0.1:1")
    store = Store.open(tmp_path / "kiosk.db")
    try:
        assert adopt_kiosk_code(store, config) is None and store.kiosk_code() is None
    finally:
        store.close()
