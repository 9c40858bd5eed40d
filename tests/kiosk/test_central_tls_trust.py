"""The kiosk trusts the system's certificate authorities and ``central.ca_bundle``.

A test CA made here with ``cryptography`` signs the certificate of an nginx on
127.0.0.1 that proxies to the real central server. certifi's list alone
refuses it; the kiosk accepts it through ``central.ca_bundle``, and through
OpenSSL's default paths when they hold the CA (``SSL_CERT_FILE``, in a child
process, as a city's CA installed in the system store would be).
"""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from central.settings import DEMO_ENROLMENT_CODE
from kiosk.client.client import CentralClient
from kiosk.client.errors import CentralUnavailable
from kiosk.config import parse_config
from kiosk.errors import ConfigError
from testkit.peers import Dripper
from testkit.tls_proxy import NGINX, CityCA, make_city_ca, nginx_in_front
from testkit.waits import wait_for

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def test_ca(tmp_path_factory: pytest.TempPathFactory) -> CityCA:
    return make_city_ca(tmp_path_factory.mktemp("test-ca"))


@pytest.fixture(scope="module")
def tls_centre(
    demo_central: str, test_ca: CityCA, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """``https://127.0.0.1:PORT``: nginx (a child, not a daemon) in front of the centre."""
    if NGINX is None:
        pytest.skip("nginx is not installed (Debian package nginx; make deps installs it)")
    with nginx_in_front(demo_central, test_ca, tmp_path_factory.mktemp("nginx")) as url:
        yield url


def test_the_ca_bundle_setting_trusts_a_citys_ca(tls_centre: str, test_ca: CityCA) -> None:
    config = parse_config({"central": {"url": tls_centre, "ca_bundle": str(test_ca.ca_pem)}})
    with CentralClient.from_config(config.central) as client:
        assert client.health() is True
        enrolled = client.enrol(DEMO_ENROLMENT_CODE, name="tls")
        assert enrolled.office_id
        assert client.fetch_catalog().data is not None


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
