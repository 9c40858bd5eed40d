"""TLS in front of a real centre: a test city CA and an nginx on 127.0.0.1, as a city runs it.

:func:`make_city_ca` makes a CA and a certificate for 127.0.0.1 with
``cryptography``; :func:`shipped_proxy` runs nginx (a child, not a daemon) with
the project's own packaging/nginx/anjungan-central.conf, only its ports, name,
certificate paths and upstream replaced: the headers a centre behind a proxy
trusts (``--trusted-proxy 127.0.0.1``), the boards' live streams unbuffered,
``/metrics`` refused, plain HTTP redirected.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from central.process import RunningCentral, start_central
from testkit.centres import TEST_SERVER_ARGS

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)


class ProxyUnavailable(Exception):
    """nginx is missing or did not start; the message says why."""


@dataclass(frozen=True)
class CityCA:
    ca_pem: Path
    cert_pem: Path
    key_pem: Path


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def make_city_ca(folder: Path, *, key: Literal["ec", "rsa"] = "ec") -> CityCA:
    """A CA and a certificate it signs for 127.0.0.1, as PEM files in ``folder``.

    ``key="rsa"`` gives the server an RSA key, as most cities' certificates have: with
    it, TLS 1.2 offers the suites of plain RSA key exchange that an ECDSA key never can.
    """
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
    server_key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if key == "rsa"
        else ec.generate_private_key(ec.SECP256R1())
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("127.0.0.1"))
        .issuer_name(ca.subject)
        .public_key(server_key.public_key())
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
        server_key.private_bytes(
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


#: The reverse-proxy configuration the project ships; the tests run this very file.
SHIPPED = Path(__file__).resolve().parent.parent / "packaging" / "nginx" / "anjungan-central.conf"


def render_shipped(
    text: str,
    *,
    port: int,
    http_port: int,
    upstream: str,
    ca: CityCA,
    server_name: str = "127.0.0.1",
) -> str:
    """The shipped file with only its ports, name, certificate paths and upstream replaced.

    Each replaced line must be found exactly as often as the shipped file has it, so a
    change to the file that this rendering would silently miss fails here instead.
    The IPv6 listens go (loopback tests listen on 127.0.0.1 alone).
    """
    target = urlsplit(upstream)
    if target.scheme != "http" or not target.hostname or not target.port:
        raise ValueError(f"upstream must be http://HOST:PORT, not {upstream!r}")
    replacements = (
        ("    listen 80;\n", f"    listen 127.0.0.1:{http_port};\n", 1),
        ("    listen [::]:80;\n", "", 1),
        ("    listen 443 ssl http2;\n", f"    listen 127.0.0.1:{port} ssl http2;\n", 1),
        ("    listen [::]:443 ssl http2;\n", "", 1),
        (
            "    ssl_certificate /etc/ssl/anjungan/fullchain.pem;\n",
            f"    ssl_certificate {ca.cert_pem};\n",
            1,
        ),
        (
            "    ssl_certificate_key /etc/ssl/anjungan/privkey.pem;\n",
            f"    ssl_certificate_key {ca.key_pem};\n",
            1,
        ),
        ("    server 127.0.0.1:8470;\n", f"    server {target.hostname}:{target.port};\n", 1),
        ("    server_name antrean.kota.go.id;\n", f"    server_name {server_name};\n", 2),
        (
            "        return 301 https://antrean.kota.go.id$request_uri;\n",
            f"        return 301 https://{server_name}$request_uri;\n",
            1,
        ),
    )
    for old, new, count in replacements:
        found = text.count(old)
        if found != count:
            raise ValueError(f"{SHIPPED.name}: {old.strip()!r} found {found} times, not {count}")
        text = text.replace(old, new)
    return text


def nginx_config(prefix: Path, site: Path) -> str:
    """A main nginx.conf for an unprivileged child: the shipped site included, as Debian's
    ``include /etc/nginx/sites-enabled/*`` does, and every runtime path under ``prefix``."""
    temp = "\n".join(
        f"    {kind}_temp_path {prefix}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""daemon off;
master_process off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
{temp}
    include {site};
}}
"""


@dataclass(frozen=True)
class RunningProxy:
    #: ``https://127.0.0.1:PORT``: the TLS side.
    url: str
    #: ``http://127.0.0.1:PORT``: the plain side, which only redirects.
    http_url: str
    #: nginx's process (one: no master), for what it costs in CPU.
    pid: int


@contextmanager
def shipped_proxy(upstream: str, ca: CityCA, prefix: Path) -> Iterator[RunningProxy]:
    """nginx running the shipped configuration in front of ``upstream`` for the block."""
    if NGINX is None:
        raise ProxyUnavailable("nginx is not installed (Debian package nginx; make installs it)")
    port, http_port = _free_port(), _free_port()
    site = prefix / "anjungan-central.conf"
    site.write_text(
        render_shipped(
            SHIPPED.read_text(encoding="utf-8"),
            port=port,
            http_port=http_port,
            upstream=upstream,
            ca=ca,
        )
    )
    (prefix / "nginx.conf").write_text(nginx_config(prefix, site))
    process = subprocess.Popen(
        [NGINX, "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", "nginx.conf"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            if process.poll() is not None:
                log = prefix / "error.log"
                error = log.read_text() if log.exists() else ""
                raise ProxyUnavailable(f"nginx exited with {process.returncode}: {error}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise ProxyUnavailable("nginx did not listen within 15 s") from None
                time.sleep(0.05)
        yield RunningProxy(
            f"https://127.0.0.1:{port}", f"http://127.0.0.1:{http_port}", process.pid
        )
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


@contextmanager
def nginx_in_front(upstream: str, ca: CityCA, prefix: Path) -> Iterator[str]:
    """``https://127.0.0.1:PORT`` proxied to ``upstream`` by the shipped configuration."""
    with shipped_proxy(upstream, ca, prefix) as proxy:
        yield proxy.url


@contextmanager
def centre_behind_proxy() -> Iterator[RunningCentral]:
    """A centre of its own, believing the proxy's forwarded headers, as central.toml says."""
    args = (*TEST_SERVER_ARGS, "--trusted-proxy", "127.0.0.1")
    with start_central(seed_demo=True, extra_args=args) as running:
        yield running


@contextmanager
def shipped_proxy_or_skip(upstream: str, ca: CityCA, prefix: Path) -> Iterator[RunningProxy]:
    """:func:`shipped_proxy`, the test skipped (not failed) where nginx is not installed."""
    if NGINX is None:
        pytest.skip("nginx is not installed (Debian package nginx; make deps installs it)")
    with shipped_proxy(upstream, ca, prefix) as running:
        yield running


@contextmanager
def proxied_centre(ca: CityCA, prefix: Path) -> Iterator[tuple[RunningCentral, RunningProxy]]:
    """:func:`centre_behind_proxy` with the shipped nginx in front of it, for the block."""
    with (
        centre_behind_proxy() as centre,
        shipped_proxy_or_skip(centre.url, ca, prefix) as proxy,
    ):
        yield centre, proxy
