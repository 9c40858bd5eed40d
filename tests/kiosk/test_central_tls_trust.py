"""The kiosk trusts the system's certificate authorities and ``central.ca_bundle``.

A test CA made here with ``cryptography`` signs the certificate of an nginx on
127.0.0.1 running the shipped packaging/nginx/anjungan-central.conf in front of
a real central server. certifi's list alone refuses it; the kiosk accepts it
through ``central.ca_bundle``, and through OpenSSL's default paths when they hold
the CA (``SSL_CERT_FILE``, in a child process, as a city's CA installed in the
system store would be): ``kiosk sync now`` delivers a ticket through it. The
shipped file also redirects plain HTTP, sets the client's address itself, passes
the boards' stream as it is written and never lets ``/metrics`` through
(tests/central/test_shipped_proxy.py has the rest of the proxy's own rules).
"""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from central.access import staff
from central.database import Database
from central.process import RunningCentral, start_central
from central.settings import DEMO_ENROLMENT_CODE
from contract.ticket_ids import new_ticket_id
from kiosk.client.client import CentralClient
from kiosk.client.errors import CentralUnavailable
from kiosk.config import load_config, parse_config
from kiosk.errors import ConfigError
from kiosk.wiring.store import open_store
from testkit.boards import register_board
from testkit.centre_accounts import new_staff
from testkit.clocks import OfficeClock
from testkit.demo_kiosk import SERVICE_ID
from testkit.peers import Dripper, RawServer, http_reply
from testkit.sync_kiosk import centre_tickets, issue
from testkit.tls_proxy import (
    SHIPPED,
    CityCA,
    RunningProxy,
    centre_behind_proxy,
    make_city_ca,
    render_shipped,
    shipped_proxy,
    shipped_proxy_or_skip,
)
from testkit.waits import wait_for

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def test_ca(tmp_path_factory: pytest.TempPathFactory) -> CityCA:
    return make_city_ca(tmp_path_factory.mktemp("test-ca"))


@pytest.fixture(scope="module")
def centre() -> Iterator[RunningCentral]:
    """A centre of its own, believing the proxy's forwarded headers, as central.toml says."""
    with centre_behind_proxy() as running:
        yield running


@pytest.fixture(scope="module")
def proxy(
    centre: RunningCentral, test_ca: CityCA, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningProxy]:
    """nginx (a child, not a daemon) running the shipped configuration in front of it."""
    with shipped_proxy_or_skip(centre.url, test_ca, tmp_path_factory.mktemp("nginx")) as running:
        yield running


@pytest.fixture(scope="module")
def tls_centre(proxy: RunningProxy) -> str:
    """``https://127.0.0.1:PORT``."""
    return proxy.url


def test_the_ca_bundle_setting_trusts_a_citys_ca(tls_centre: str, test_ca: CityCA) -> None:
    config = parse_config({"central": {"url": tls_centre, "ca_bundle": str(test_ca.ca_pem)}})
    with CentralClient.from_config(config.central) as client:
        assert client.health() is True
        enrolled = client.enrol(DEMO_ENROLMENT_CODE, name="tls")
        assert enrolled.office_id
        assert client.fetch_catalog().data is not None


def test_a_number_asked_over_tls_says_when_its_request_is_sent(
    tls_centre: str, test_ca: CityCA
) -> None:
    """The encrypted connection hears its request written too (the ticket's QR code is
    encoded then, while the centre numbers it): once, with the number then answered."""
    config = parse_config({"central": {"url": tls_centre, "ca_bundle": str(test_ca.ca_pem)}})
    heard: list[str] = []
    with CentralClient.from_config(config.central) as client:
        enrolled = client.enrol(DEMO_ENROLMENT_CODE, name="tls-sent")
        allocation = client.allocate_ticket(
            new_ticket_id(enrolled.kiosk_code),
            SERVICE_ID,
            deadline_s=10.0,
            sent=lambda: heard.append("sent"),
        )
    assert allocation.number and allocation.service_id == SERVICE_ID
    assert heard == ["sent"]


def test_without_the_ca_the_certificate_is_refused(tls_centre: str) -> None:
    with CentralClient(tls_centre, timeout_s=5.0) as client:
        assert client.health() is False
        with pytest.raises(CentralUnavailable, match=r"certificate is not trusted.*ca_bundle"):
            client.fetch_catalog()


CHILD = r"""
import json, sys
import certifi, requests
from kiosk.client.client import CentralClient

url = sys.argv[1]
with CentralClient(url, timeout_s=10.0) as client:
    kiosk = client.health()
try:
    requests.get(url + "/health", verify=certifi.where(), timeout=10)
    certifi_alone = "accepted"
except requests.exceptions.SSLError:
    certifi_alone = "refused"
print(json.dumps({"kiosk": kiosk, "certifi_alone": certifi_alone}))
"""


def test_the_systems_default_paths_are_trusted(
    tls_centre: str, test_ca: CityCA, tmp_path: Path
) -> None:
    # OpenSSL's default paths holding the city's CA: what update-ca-certificates does
    # for /etc/ssl/certs, here through SSL_CERT_FILE/SSL_CERT_DIR in a child process.
    env = {k: v for k, v in os.environ.items() if not k.endswith(("CA_BUNDLE", "SSL_CERT_FILE"))}
    env |= {"SSL_CERT_FILE": str(test_ca.ca_pem), "SSL_CERT_DIR": str(tmp_path)}
    child = subprocess.run(
        [sys.executable, "-c", CHILD, tls_centre],
        capture_output=True,
        text=True,
        timeout=40,
        env=env,
        check=False,
    )
    assert child.returncode == 0, child.stderr[-2000:]
    assert json.loads(child.stdout) == {"kiosk": True, "certifi_alone": "refused"}


def test_a_kiosk_syncs_through_the_proxy_trusting_the_ca_from_the_system_store(
    proxy: RunningProxy, centre: RunningCentral, test_ca: CityCA, tmp_path: Path
) -> None:
    # No ca_bundle: the kiosk has only OpenSSL's default paths, which hold the city's CA
    # as /etc/ssl/certs does once update-ca-certificates has run.
    config_file = tmp_path / "kiosk.toml"
    config_file.write_text(
        f'[kiosk]\noffice_id = "pku-mpp"\ndata_dir = "{tmp_path / "data"}"\n'
        f'[central]\nurl = "{proxy.url}"\nenrolment_code = "{DEMO_ENROLMENT_CODE}"\n'
    )
    config = load_config(config_file)
    assert not config.central.ca_bundle
    env = {k: v for k, v in os.environ.items() if not k.endswith(("CA_BUNDLE", "SSL_CERT_FILE"))}
    env |= {"SSL_CERT_FILE": str(test_ca.ca_pem), "SSL_CERT_DIR": str(tmp_path)}

    def sync_now() -> dict[str, Any]:
        child = subprocess.run(
            [sys.executable, "-c", "from kiosk.cli.main import main; raise SystemExit(main())",
             "sync", "now", "--json", "--config", str(config_file)],
            capture_output=True, text=True, timeout=60, env=env, check=False,
        )  # fmt: skip
        assert child.returncode == 0, child.stdout[-2000:] + child.stderr[-2000:]
        step: dict[str, Any] = json.loads(child.stdout)["step"]
        assert (step["connection"], step["failed"], step["dead"]) == ("online", [], 0), step
        return step

    sync_now()  # enrols through the proxy: the kiosk's code for its offline numbers
    store = open_store(config)
    try:
        ticket = issue(store, OfficeClock())
    finally:
        store.close()
    assert sync_now()["delivered"] == 1
    assert ticket.id in centre_tickets(centre.db_url, [ticket.id])


def test_plain_http_only_redirects_to_https(proxy: RunningProxy) -> None:
    answer = requests.get(
        f"{proxy.http_url}/api/v1/catalog?x=1",
        headers={"Authorization": "Bearer ak_never_sent"},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 301
    assert answer.headers["Location"] == "https://127.0.0.1/api/v1/catalog?x=1"


def test_the_centre_counts_the_address_the_proxy_saw_not_one_the_client_forged(
    test_ca: CityCA, tmp_path: Path
) -> None:
    # Refused tokens count against the client's address (--auth-rate a minute). A client
    # forging X-Forwarded-For must not get a fresh allowance with each forged address.
    args = ("--auth-rate", "3", "--trusted-proxy", "127.0.0.1")
    with (
        start_central(seed_demo=True, extra_args=args) as limited,
        shipped_proxy(limited.url, test_ca, tmp_path) as front,
    ):
        statuses = [
            requests.get(
                f"{front.url}/api/v1/catalog",
                headers={"Authorization": "Bearer ak_forged", "X-Forwarded-For": f"10.9.0.{i}"},
                verify=str(test_ca.ca_pem),
                timeout=10,
            ).status_code
            for i in range(6)
        ]
    assert statuses[:3] == [401, 401, 401]
    assert statuses[3:] == [429, 429, 429]


def test_metrics_never_pass_the_proxy(proxy: RunningProxy, test_ca: CityCA) -> None:
    ca = str(test_ca.ca_pem)
    assert requests.get(f"{proxy.url}/health", verify=ca, timeout=10).status_code == 200
    for path in ("/metrics", "//metrics", "/%6Detrics", "/metrics?format=text"):
        answer = requests.get(f"{proxy.url}{path}", verify=ca, timeout=10)
        assert answer.status_code == 404, path
        assert "anjungan_" not in answer.text, path


def test_a_boards_live_stream_passes_as_it_is_written(
    proxy: RunningProxy, centre: RunningCentral, test_ca: CityCA
) -> None:
    db = Database(centre.db_url)
    try:
        admin = new_staff(db, centre.url, staff.Role.ADMIN)
    finally:
        db.dispose()
    board = urlsplit(register_board(centre.url, admin))
    # The real centre's stream through the shipped file, end to end. The centre asks
    # for it unbuffered itself (X-Accel-Buffering: no), so this passes with or without
    # the file's board location; tests/central/test_shipped_proxy.py proves that
    # location's own part with a stand-in that does not ask.
    with requests.get(
        f"{proxy.url}{board.path}/events",
        verify=str(test_ca.ca_pem),
        stream=True,
        timeout=10,
    ) as stream:
        assert stream.status_code == 200
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        lines = stream.iter_lines(decode_unicode=True)
        assert next(line for line in lines if line.startswith("event:")) == "event: state"


def test_the_shipped_file_renders_only_ports_certificates_and_upstream(
    test_ca: CityCA,
) -> None:
    shipped = SHIPPED.read_text(encoding="utf-8")
    rendered = render_shipped(
        shipped, port=4431, http_port=8081, upstream="http://127.0.0.1:9999", ca=test_ca
    )
    changed = set(shipped.splitlines()) - set(rendered.splitlines())
    assert {line.split()[0] for line in changed} == {
        "listen", "ssl_certificate", "ssl_certificate_key", "server", "server_name", "return"
    }  # fmt: skip
    assert {line.split()[0] for line in changed if "antrean.kota.go.id" in line} == {
        "server_name", "return"
    }  # fmt: skip
    with pytest.raises(ValueError, match="found 0 times"):
        render_shipped(
            shipped.replace("server 127.0.0.1:8470;", "server 10.0.0.5:8470;"),
            port=1, http_port=2, upstream="http://127.0.0.1:3", ca=test_ca,
        )  # fmt: skip


def test_a_ca_bundle_that_cannot_be_read_stops_the_kiosk(tmp_path: Path) -> None:
    broken = tmp_path / "ca.pem"
    broken.write_text("not a certificate")
    for path in (broken, tmp_path / "missing.pem"):
        with pytest.raises(ConfigError, match=r"central\.ca_bundle"):
            parse_config({"central": {"ca_bundle": str(path)}})


def test_a_dripping_answer_over_tls_times_out_at_the_deadline(test_ca: CityCA) -> None:
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(test_ca.cert_pem, test_ca.key_pem)
    body = b'{"status": "ok", "padding": "' + b"x" * 100 + b'"}'
    answer = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body
    with Dripper(answer[:20], answer[20:], interval_s=0.05, tls=server) as peer:
        url = f"https://127.0.0.1:{peer.port}"
        with (
            CentralClient(url, timeout_s=0.4, ca_bundle=str(test_ca.ca_pem)) as client,
            pytest.raises(CentralUnavailable, match=r"timed out after 0\.4 s"),
        ):
            client.fetch_catalog()
        wait_for(peer.hung_up, "the client hanging up mid-drip")
        assert not peer.finished.is_set()


def test_a_centre_on_plain_http_is_answered_without_loading_the_tls_trust(
    tmp_path: Path,
) -> None:
    """The trust is built at the first ``https`` connection: a kiosk of a plain-HTTP
    centre (the demo, a centre on the same machine) never spends the CPU of loading the
    system's authorities, and a bundle that cannot be loaded fails an ``https`` call
    alone, saying it is the kiosk's own files."""
    broken = tmp_path / "ca.pem"
    broken.write_text("not a certificate")
    answer = http_reply("200 OK", b'{"status": "ok"}', "Content-Type: application/json")
    with (
        RawServer(answer) as peer,
        CentralClient(peer.url, timeout_s=5.0, ca_bundle=str(broken)) as client,
    ):
        assert client.health() is True
    with (
        RawServer(answer) as peer,
        CentralClient(
            peer.url.replace("http:", "https:"), timeout_s=5.0, ca_bundle=str(broken)
        ) as client,
        pytest.raises(CentralUnavailable, match=r"certificate authorities cannot be loaded"),
    ):
        client.fetch_catalog()
