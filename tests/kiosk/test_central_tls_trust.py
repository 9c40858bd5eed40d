"""The kiosk trusts the system's certificate authorities and ``central.ca_bundle``.

A test CA made here with ``cryptography`` signs the certificate of an nginx on
127.0.0.1 that proxies to the real central server. certifi's list alone
refuses it; the kiosk accepts it through ``central.ca_bundle``, and through
OpenSSL's default paths when they hold the CA (``SSL_CERT_FILE``, in a child
process, as a city's CA installed in the system store would be).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from central.settings import DEMO_ENROLMENT_CODE
from kiosk.client.client import CentralClient
from kiosk.client.errors import CentralUnavailable
from kiosk.config import parse_config
from kiosk.errors import ConfigError
from testkit.peers import Dripper
from testkit.waits import wait_for

pytestmark = pytest.mark.timeout(60)

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)


@dataclass(frozen=True)
class CityCA:
    ca_pem: Path
    cert_pem: Path
    key_pem: Path


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


@pytest.fixture(scope="module")
def test_ca(tmp_path_factory: pytest.TempPathFactory) -> CityCA:
    folder = tmp_path_factory.mktemp("test-ca")
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("Anjungan test city CA"))
        .issuer_name(_name("Anjungan test city CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("127.0.0.1"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    found = CityCA(folder / "ca.pem", folder / "server.pem", folder / "server.key")
    found.ca_pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    found.cert_pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    found.key_pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture(scope="module")
def tls_centre(
    demo_central: str, test_ca: CityCA, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """``https://127.0.0.1:PORT``: nginx (a child, not a daemon) in front of the centre."""
    if NGINX is None:
        pytest.skip("nginx is not installed (Debian package nginx; make deps installs it)")
    prefix = tmp_path_factory.mktemp("nginx")
    port = _free_port()
    temp = "\n".join(
        f"    {kind}_temp_path {prefix}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (prefix / "nginx.conf").write_text(
        f"""daemon off;
master_process off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
{temp}
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {test_ca.cert_pem};
        ssl_certificate_key {test_ca.key_pem};
        location / {{
            proxy_pass {demo_central};
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }}
    }}
}}
"""
    )
    process = subprocess.Popen(
        [NGINX, "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", "nginx.conf"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            if process.poll() is not None:
                error = (
                    (prefix / "error.log").read_text() if (prefix / "error.log").exists() else ""
                )
                pytest.fail(f"nginx exited with {process.returncode}: {error}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("nginx did not listen within 15 s")
                time.sleep(0.05)
        yield f"https://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


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
