"""The reference central server, over real HTTP on 127.0.0.1 (on SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests

from central.app import create_app, etag_matches, load_catalog
from central.cli_options import EXIT_BIND, EXIT_CONFIG
from central.database import Database
from central.errors import CatalogLoadError
from central.process import RunningCentral
from central.server import main
from central.settings import DEMO_CATALOG_PATH, CentralSettings
from contract.catalog import Catalog
from kiosk.client.client import CentralClient
from kiosk.client.errors import CentralProtocolError

pytestmark = pytest.mark.timeout(30)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def demo_catalog() -> object:
    return json.loads(DEMO_CATALOG_PATH.read_text(encoding="utf-8"))


def test_health(central_server: RunningCentral, http: requests.Session) -> None:
    response = http.get(f"{central_server.url}/health", timeout=3)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert isinstance(body["version"], str) and body["version"]


def test_client_health(client: CentralClient) -> None:
    assert client.health() is True


def test_catalog_is_the_demo_file(client: CentralClient) -> None:
    fetched = client.fetch_catalog()
    assert fetched.not_modified is False
    assert fetched.data == demo_catalog()
    assert Catalog.from_json(fetched.data).version == load_catalog(DEMO_CATALOG_PATH).version


def test_catalog_headers(
    central_server: RunningCentral, http: requests.Session, kiosk_token: str
) -> None:
    response = http.get(
        f"{central_server.url}/api/v1/catalog", headers=bearer(kiosk_token), timeout=3
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Cache-Control"] == "no-cache"
    etag = response.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"'), "a strong, quoted entity tag"
    # The same content always gets the same tag.
    assert etag == load_catalog(DEMO_CATALOG_PATH).etag


def test_matching_etag_gives_304(
    central_server: RunningCentral, client: CentralClient, kiosk_token: str
) -> None:
    first = client.fetch_catalog()
    assert first.etag is not None

    again = client.fetch_catalog(first.etag)
    assert again == type(again)(not_modified=True, etag=first.etag, data=None)

    with requests.Session() as http:
        raw = http.get(
            f"{central_server.url}/api/v1/catalog",
            headers={"If-None-Match": first.etag, **bearer(kiosk_token)},
            timeout=3,
        )
    assert raw.status_code == 304
    assert raw.content == b""
    assert raw.headers["ETag"] == first.etag


def test_stale_etag_gives_the_catalog(client: CentralClient) -> None:
    fetched = client.fetch_catalog('"stale"')
    assert fetched.not_modified is False
    assert fetched.data == demo_catalog()


def test_openapi_lists_the_catalog(central_server: RunningCentral, http: requests.Session) -> None:
    response = http.get(f"{central_server.url}/openapi.json", timeout=30)
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "get" in paths["/api/v1/catalog"]
    assert "/health" in paths


def test_unknown_path_is_a_protocol_error(central_server: RunningCentral) -> None:
    with (
        CentralClient(f"{central_server.url}/no-such-prefix") as client,
        pytest.raises(CentralProtocolError) as caught,
    ):
        client.fetch_catalog()
    assert caught.value.status == 404


def test_server_keeps_up_with_its_log(
    central_server: RunningCentral, http: requests.Session, client: CentralClient
) -> None:
    # Each request writes an access-log line, path included, to the child's
    # stdout. If nobody drained that pipe (64 KiB on Linux) the server would
    # block on its log long before 50 lines of 4 KiB.
    long_path = "/" + "x" * 4000
    for _ in range(50):
        assert http.get(central_server.url + long_path, timeout=3).status_code == 404
    assert client.health()


@pytest.mark.parametrize(
    ("if_none_match", "matches"),
    [
        ('"abc"', True),
        ('W/"abc"', True),
        ('"x", "abc"', True),
        ("*", True),
        ('"abcd"', False),
        ("abc", False),
        ("", False),
    ],
)
def test_etag_matching(if_none_match: str, matches: bool) -> None:
    assert etag_matches(if_none_match, '"abc"') is matches


def test_no_catalog_is_a_startup_error(tmp_path: Path) -> None:
    settings = CentralSettings(db_url=f"sqlite:///{tmp_path / 'central.db'}")
    with pytest.raises(CatalogLoadError, match="no catalog configured"):
        create_app(settings)


def test_missing_catalog_is_a_startup_error(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    with pytest.raises(CatalogLoadError, match="cannot read file"):
        create_app(CentralSettings(catalog_path=missing, seed_demo=True))


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("", "not valid JSON"),
        ('{"version": NaN}', "not valid JSON (NaN is not allowed in JSON"),
        ('{"version": "x", "offices": {}}', "invalid catalog (catalog.offices: must be a list)"),
    ],
)
def test_invalid_catalog_is_a_startup_error(tmp_path: Path, content: str, problem: str) -> None:
    bad = tmp_path / "catalog.json"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(CatalogLoadError) as caught:
        create_app(CentralSettings(catalog_path=bad))
    assert str(caught.value).startswith(f"catalog {bad}: ")
    assert problem in str(caught.value)


def test_cli_reports_a_bad_catalog(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "catalog.json"
    bad.write_text("[]", encoding="utf-8")
    assert main(["--port", "0", "--catalog", str(bad)]) == EXIT_CONFIG
    assert "catalog.json: invalid catalog (catalog: must be an object)" in capsys.readouterr().err


def test_cli_reports_a_busy_port(
    central_server: RunningCentral, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--port", str(central_server.port), "--seed-demo"]) == EXIT_BIND
    assert "cannot listen on 127.0.0.1:" in capsys.readouterr().err


#: A server's start (central.server._serve_app) with uvicorn's loop replaced by a note
#: of the collector's state when serving would begin; argv: a folder for the database.
_SERVE = """
import gc, json, sys
from central import server
from central.app import create_app
from central.database import Database
from central.settings import CentralSettings

seen = {}

def serve(self, sockets=None):
    seen.update(frozen=gc.get_freeze_count(), running=gc.isenabled())

server._AnnouncingServer.run = serve
settings = CentralSettings(seed_demo=True, port=0)
db = Database(f"sqlite:///{sys.argv[1]}/central.db")
app = create_app(settings, db=db)
seen["before"] = gc.get_freeze_count()
server._serve_app(app, settings, server.bind_socket("127.0.0.1", 0), "plain")
print(json.dumps(seen))
"""


def test_what_the_start_made_is_frozen_out_of_the_collector_before_serving(
    tmp_path: Path,
) -> None:
    """The modules, the app and its routes live as long as the server: a full
    collection while serving batches does not walk them again (gc.freeze)."""
    from testkit.fresh_python import run_python

    out = run_python(_SERVE, str(tmp_path), env={"PYTHONPATH": str(Path.cwd())})
    seen = json.loads(out.strip().splitlines()[-1])
    assert seen["before"] == 0
    assert seen["running"] is True  # requests' garbage is still collected
    assert seen["frozen"] > 50_000  # the modules, the app, its routes and models


def test_a_catalog_older_than_the_published_one_is_refused_as_older(tmp_path: Path) -> None:
    """A centre started with the catalog "1" after "2" was published over it (a process of
    the last release restarting beside the new one, or a catalog put back) was refused
    with "already published with other content": the content was the very same, so its
    operator looked for a difference that is not there. It is refused as the older one,
    which is what it is; a file changed under a published version is still refused as
    such."""
    url = f"sqlite:///{tmp_path / 'central.db'}"
    files = {}
    for version, city in (("1", None), ("2", None), ("1", "Kota Lain")):
        data: Any = demo_catalog()
        data["version"] = version
        if city is not None:
            data["offices"][0]["city"] = city
        files[version, city] = tmp_path / f"catalog-{version}-{city}.json"
        files[version, city].write_text(json.dumps(data), encoding="utf-8")

    def start(path: Path) -> None:
        db = Database(url)
        try:
            create_app(CentralSettings(catalog_path=path, db_url=url), db=db)
        finally:
            db.dispose()

    start(files["1", None])
    start(files["2", None])
    with pytest.raises(CatalogLoadError) as older:
        start(files["1", None])
    with pytest.raises(CatalogLoadError) as changed:
        start(files["1", "Kota Lain"])
    assert str(older.value) == (
        "catalog version '1' is older than the published '2': a centre does not go back to "
        "an older catalog; to serve this content again, give it a new version"
    )
    assert "other content" in str(changed.value)
