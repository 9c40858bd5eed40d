"""BPJS Antrean RS as a hospital's server meets it, on 127.0.0.1 (tests and the demo).

A real HTTP server (``{url}`` plays ``…/antreanrs``) that does what BPJS does
with a hospital's calls, written from the published formats with the
standard library, ``cryptography`` and ``lzstring`` only, never with the
centre's own code:

* every call must carry ``X-cons-id`` (the hospital's), ``X-timestamp``
  (UTC epoch seconds, within :data:`TOLERANCE_S`), ``X-signature`` =
  base64(HMAC-SHA256(secret, ``cons_id&timestamp``)) and the ``user_key``;
  anything else is refused with HTTP 401 and ``metadata`` code 401
  "Authentication failed", counted in :attr:`BpjsStandIn.refused`;
* a reference answer's ``response`` is encrypted as BPJS does: AES-256-CBC,
  key SHA-256(cons_id + secret + timestamp), IV its first 16 bytes, PKCS#7,
  over LZString ``compressToEncodedURIComponent`` of the JSON;
* ``antrean/add`` must carry every field with its type and a plausible value
  (a 16-digit NIK, a phone number, ``pasienbaru`` 0/1, the estimate in epoch
  milliseconds on the day of the visit, quotas left within the quotas); a
  kodebooking added twice is refused ("Terdapat duplikasi Kode Booking"); ``antrean/updatewaktu``
  needs a booking it knows (added, or :meth:`BpjsStandIn.booked` by Mobile
  JKN), refuses a task sent twice ("TaskId=N sudah ada") and a task whose
  predecessor it has not had; ``antrean/batal`` needs a known booking.

Everything accepted is kept (:attr:`BpjsStandIn.calls`, :meth:`tasks`,
:attr:`added`), with whether it was accepted. And it misbehaves on demand:
:meth:`down`/:meth:`up` (connections refused), :meth:`misbehave` with
``slow`` (answers after ``delay_s``), ``drip`` (the whole answer, its length
announced, one byte every ``delay_s``), ``http500``, ``error`` (an envelope with
BPJS's ``code`` and ``message``: a refusal), ``garbage`` (an HTML page; or,
for a reference, a ``response`` that does not decrypt), ``nested`` (JSON nested
100,000 deep) for the next ``times``
calls, and :meth:`change_secret` (BPJS renewed the consumer secret mid-day:
calls signed with the old one are refused). It speaks HTTP/1.0 (every answer
closes its connection, as BPJS's gateway does) or, with ``protocol="HTTP/1.1"``,
keeps connections open.

It also plays the Mobile JKN app's side: :meth:`BpjsStandIn.mobile_jkn_book`
calls the hospital's WS RS (token with ``x-username``/``x-password``, then
ambil antrean with ``x-token``) as the app does for a patient, and learns the
``kodebooking`` the hospital answers, so the tasks the hospital later sends
for it are accepted.

The texts of BPJS's refusals here are the stand-in's: BPJS's published
examples give the envelope, not every message.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from lzstring import LZString  # type: ignore[import-untyped]

#: How far a request's X-timestamp may be from the stand-in's clock.
TOLERANCE_S = 300

#: ``antrean/add``'s fields and their JSON types.
ADD_FIELDS: dict[str, type | tuple[type, ...]] = {
    "kodebooking": str,
    "jenispasien": str,
    "nomorkartu": str,
    "nik": str,
    "nohp": str,
    "kodepoli": str,
    "namapoli": str,
    "pasienbaru": int,
    "norm": str,
    "tanggalperiksa": str,
    "kodedokter": (int, str),
    "namadokter": str,
    "jampraktek": str,
    "jeniskunjungan": int,
    "nomorreferensi": str,
    "nomorantrean": str,
    "angkaantrean": int,
    "estimasidilayani": int,
    "sisakuotajkn": int,
    "kuotajkn": int,
    "sisakuotanonjkn": int,
    "kuotanonjkn": int,
    "keterangan": str,
}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_JAM = re.compile(r"^\d{2}:\d{2}-\d{2}:\d{2}$")

#: The demo hospital's polis and doctors as BPJS knows them.
POLIS = [
    {
        "nmpoli": "PENYAKIT DALAM",
        "nmsubspesialis": "PENYAKIT DALAM",
        "kdsubspesialis": "INT",
        "kdpoli": "INT",
    },
    {"nmpoli": "ANAK", "nmsubspesialis": "ANAK", "kdsubspesialis": "ANA", "kdpoli": "ANA"},
    {"nmpoli": "GIGI", "nmsubspesialis": "GIGI", "kdsubspesialis": "GIG", "kdpoli": "GIG"},
]
DOCTORS = [
    {"namadokter": "dr. Rahmat Hidayat, Sp.PD", "kodedokter": 31001},
    {"namadokter": "dr. Dewi Lestari, Sp.A", "kodedokter": 31002},
    {"namadokter": "drg. Andi Saputra", "kodedokter": 31003},
]
#: Mobile JKN's calls to a hospital's WS RS: one total deadline each (for the answer's
#: body; each wait on the socket is bounded by it too), and the longest answer read.
WS_RS_TIMEOUT_S = 10.0
WS_RS_MAX_ANSWER = 64 * 1024
_DAYS = ("SENIN", "SELASA", "RABU", "KAMIS", "JUMAT", "SABTU", "MINGGU")


#: An Indonesian phone number: 0 or 62, then 8 to 13 digits.
_NOHP = re.compile(r"^(0|62)\d{8,13}$")


def _implausible(body: dict[str, Any]) -> str | None:
    """What BPJS refuses in an ``antrean/add`` whose fields have the right types: a NIK
    that is not 16 digits, a malformed phone (an empty one is taken: a patient may have
    none), ``pasienbaru`` other than 0/1, an estimate that is not epoch milliseconds on
    ``tanggalperiksa`` in one of Indonesia's zones (UTC+7 to +9), a quota left above
    the quota, a queue number below 1."""
    if not re.fullmatch(r"\d{16}", body["nik"]):
        return "NIK tidak sesuai"
    if body["nohp"] and not _NOHP.match(body["nohp"]):
        return "Nomor HP tidak sesuai"
    if body["pasienbaru"] not in (0, 1):
        return "pasienbaru tidak sesuai"
    estimate, day = body["estimasidilayani"], body["tanggalperiksa"]
    on_day = any(
        dt.datetime.fromtimestamp(estimate / 1000, dt.timezone(dt.timedelta(hours=h)))
        .date()
        .isoformat()
        == day
        for h in (7, 8, 9)
        if 10**12 <= estimate < 10**14
    )
    if not on_day:
        return "estimasidilayani tidak sesuai"
    if body["sisakuotajkn"] > body["kuotajkn"] or body["sisakuotanonjkn"] > body["kuotanonjkn"]:
        return "Sisa kuota tidak sesuai"
    if body["angkaantrean"] < 1:
        return "angkaantrean tidak sesuai"
    return None


def schedules_of(kodepoli: str) -> list[dict[str, Any]]:
    """BPJS's ``jadwaldokter`` rows for a poli: its doctor every day, 08:00-14:00."""
    index = next((i for i, p in enumerate(POLIS) if p["kdpoli"] == kodepoli), None)
    if index is None:
        return []
    poli, doctor = POLIS[index], DOCTORS[index]
    return [
        {
            "kodesubspesialis": poli["kdsubspesialis"],
            "hari": day,
            "kapasitaspasien": 30,
            "libur": 0,
            "namahari": _DAYS[day - 1],
            "jadwal": "08:00 - 14:00",
            "namasubspesialis": poli["nmsubspesialis"],
            "namadokter": doctor["namadokter"],
            "kodepoli": poli["kdpoli"],
            "namapoli": poli["nmpoli"],
            "kodedokter": doctor["kodedokter"],
        }
        for day in range(1, 8)
    ]


def sign(cons_id: str, secret: str, stamp: str) -> str:
    mac = hmac.new(secret.encode(), f"{cons_id}&{stamp}".encode(), hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


def seal(cons_id: str, secret: str, stamp: str, value: Any) -> str:
    """A ``response`` field as BPJS encrypts it."""
    key = hashlib.sha256(f"{cons_id}{secret}{stamp}".encode()).digest()
    compressed = str(LZString().compressToEncodedURIComponent(json.dumps(value))).encode()
    padder = padding.PKCS7(128).padder()
    padded = padder.update(compressed) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(padded) + encryptor.finalize()).decode()


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    body: Any
    headers: dict[str, str]
    code: int  # the metadata code answered (0: no envelope: down, garbage, HTTP 500)
    message: str
    at: float


@dataclass
class Trouble:
    kind: str  # slow, drip, http500, error, garbage, nested
    times: int
    code: int = 201
    message: str = "Gagal"
    delay_s: float = 0.0


@dataclass
class _Booking:
    body: dict[str, Any]
    tasks: dict[int, int] = field(default_factory=dict)  # taskid -> waktu
    cancelled: str | None = None


class BpjsStandIn:
    def __init__(
        self,
        cons_id: str = "12345",
        secret: str = "rahasia-rs",  # noqa: S107 - the stand-in's own, known to the demo
        user_key: str = "kunci-pengguna",
        protocol: str = "HTTP/1.0",
    ) -> None:
        self.protocol = protocol
        self.cons_id = cons_id
        self.secret = secret
        self.user_key = user_key
        self.lock = threading.Lock()
        self.calls: list[Call] = []
        self.refused = 0
        self.bookings: dict[str, _Booking] = {}
        self.trouble: Trouble | None = None
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self.up()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/antreanrs"

    # -- on and off --------------------------------------------------------------------
    def up(self) -> None:
        handler = type("Handler", (_Handler,), {"standin": self, "protocol_version": self.protocol})
        server = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()

    def down(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)

    def close(self) -> None:
        self.down()

    def misbehave(self, kind: str, times: int = 1, **options: Any) -> None:
        with self.lock:
            self.trouble = Trouble(kind, times, **options)

    def behave(self) -> None:
        with self.lock:
            self.trouble = None

    def change_secret(self, secret: str) -> None:
        with self.lock:
            self.secret = secret

    def booked(self, kodebooking: str) -> None:
        """A booking Mobile JKN made itself (no ``antrean/add`` from the hospital)."""
        with self.lock:
            self.bookings.setdefault(kodebooking, _Booking({"kodebooking": kodebooking}))

    def mobile_jkn_book(
        self, ws_rs_url: str, username: str, password: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        """Mobile JKN books ``body`` (ambil antrean) at the hospital's WS RS ``ws_rs_url``
        (``…/api/v1/wsrs``): the token first, then the booking; the hospital's answer.

        A booking the hospital took (``metadata.code`` 200, or 202 for a patient it
        has no No. RM for yet) is :meth:`booked` here, as BPJS knows the bookings
        made through its app. Raises :class:`OSError` when the hospital cannot be
        reached or answers what is not WS RS's envelope.
        """
        base = ws_rs_url.rstrip("/")
        token = _ws_rs_call(f"{base}/token", {"x-username": username, "x-password": password})
        given = token.get("response")
        if token["metadata"].get("code") != 200 or not isinstance(given, dict):
            raise OSError(f"WS RS token refused: {token['metadata'].get('message')}")
        answer = _ws_rs_call(
            f"{base}/antrean", {"x-token": str(given.get("token")), "x-username": username}, body
        )
        booked = answer.get("response")
        if answer["metadata"].get("code") in (200, 202) and isinstance(booked, dict):
            self.booked(str(booked["kodebooking"]))
        return answer

    def knows(self, kodebooking: str) -> bool:
        """Whether BPJS knows the booking (added by the hospital, or made through Mobile JKN)."""
        with self.lock:
            return kodebooking in self.bookings

    # -- what it received ----------------------------------------------------------------
    def accepted(self, path: str) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.path == path and c.code == 200]

    def tasks(self, kodebooking: str) -> list[int]:
        """The task ids accepted for a booking, in the order they arrived."""
        with self.lock:
            return [
                int(c.body["taskid"])
                for c in self.calls
                if c.path == "antrean/updatewaktu"
                and c.code == 200
                and isinstance(c.body, dict)
                and c.body.get("kodebooking") == kodebooking
            ]

    @property
    def added(self) -> dict[str, dict[str, Any]]:
        with self.lock:
            return {k: b.body for k, b in self.bookings.items() if "jenispasien" in b.body}

    # -- answering -------------------------------------------------------------------------
    def _signed(self, headers: Any) -> str | None:
        """The request's timestamp if its headers are BPJS's, else ``None``."""
        stamp = headers.get("X-timestamp") or ""
        if headers.get("X-cons-id") != self.cons_id or headers.get("user_key") != self.user_key:
            return None
        if not stamp.isdigit() or abs(time.time() - int(stamp)) > TOLERANCE_S:
            return None
        expected = sign(self.cons_id, self.secret, stamp)
        return stamp if hmac.compare_digest(headers.get("X-signature") or "", expected) else None

    def dripping(self) -> float | None:
        """The seconds between two bytes of the answer now being written (``None``: at once)."""
        with self.lock:
            trouble = self.trouble
            return trouble.delay_s if trouble is not None and trouble.kind == "drip" else None

    def answer(self, method: str, path: str, headers: Any, raw: bytes) -> tuple[int, bytes]:
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = None
        with self.lock:
            trouble = self.trouble
            if trouble is not None:
                trouble.times -= 1
                if trouble.times < 0:
                    self.trouble = trouble = None
        if trouble is not None and trouble.kind == "slow":
            time.sleep(trouble.delay_s)
        stamp = self._signed(headers)
        if stamp is None:
            with self.lock:
                self.refused += 1
            return self._reply(method, path, body, headers, 401, 401, "Authentication failed")
        if trouble is not None and trouble.kind == "http500":
            return self._record(
                method, path, body, headers, 0, "HTTP 500", 500, b"Internal Server Error"
            )
        if trouble is not None and trouble.kind == "garbage":
            if method == "GET":
                meta = {"metadata": {"code": 200, "message": "OK"}, "response": "bm90IHNlYWxlZA=="}
                return self._record(
                    method, path, body, headers, 0, "garbage", 200, json.dumps(meta).encode()
                )
            return self._record(
                method,
                path,
                body,
                headers,
                0,
                "garbage",
                502,
                b"<html><body>502 Bad Gateway</body></html>",
            )
        if trouble is not None and trouble.kind == "nested":  # JSON nested past any parser
            deep = b'{"metadata":{"code":200,"message":"Ok."},"response":'
            deep += b"[" * 100_000 + b"]" * 100_000 + b"}"
            return self._record(method, path, body, headers, 0, "nested", 200, deep)
        if trouble is not None and trouble.kind == "error":
            return self._reply(method, path, body, headers, 200, trouble.code, trouble.message)
        return self._serve(method, path, body, headers, stamp)

    def _serve(
        self, method: str, path: str, body: Any, headers: Any, stamp: str
    ) -> tuple[int, bytes]:
        if method == "GET":
            rows: Any
            if path == "ref/poli":
                rows = POLIS
            elif path == "ref/dokter":
                rows = DOCTORS
            elif match := re.fullmatch(
                r"jadwaldokter/kodepoli/([^/]+)/tanggal/(\d{4}-\d{2}-\d{2})", path
            ):
                rows = schedules_of(match.group(1))
                if not rows:
                    return self._reply(
                        method, path, body, headers, 200, 201, "Data tidak ditemukan"
                    )
            else:
                return self._reply(method, path, body, headers, 404, 404, "Not Found")
            with self.lock:
                sealed = seal(self.cons_id, self.secret, stamp, rows)
            return self._reply(method, path, body, headers, 200, 200, "Ok.", response=sealed)
        if not isinstance(body, dict):
            return self._reply(method, path, body, headers, 200, 201, "Format JSON tidak sesuai")
        code, message = self._write(path, body)
        return self._reply(method, path, body, headers, 200, code, message)

    def _write(self, path: str, body: dict[str, Any]) -> tuple[int, str]:
        with self.lock:
            if path == "antrean/add":
                for name, kind in ADD_FIELDS.items():
                    if name not in body:
                        return 201, f"{name} belum diisi"
                    if isinstance(body[name], bool) or not isinstance(body[name], kind):
                        return 201, f"{name} tidak sesuai format"
                if body["jenispasien"] not in ("JKN", "NON JKN"):
                    return 201, "jenispasien tidak sesuai"
                if body["jenispasien"] == "JKN" and not re.fullmatch(r"\d{13}", body["nomorkartu"]):
                    return 201, "Nomor Kartu tidak sesuai"
                if not _DATE.match(body["tanggalperiksa"]) or not _JAM.match(body["jampraktek"]):
                    return 201, "Format tanggal atau jampraktek tidak sesuai"
                if body["kodepoli"] not in {p["kdpoli"] for p in POLIS}:
                    return 201, "Poli tidak ditemukan"
                if body["jeniskunjungan"] not in (1, 2, 3, 4):
                    return 201, "jeniskunjungan tidak sesuai"
                refused = _implausible(body)
                if refused is not None:
                    return 201, refused
                if body["kodebooking"] in self.bookings:
                    return 208, "Terdapat duplikasi Kode Booking"
                self.bookings[body["kodebooking"]] = _Booking(dict(body))
                return 200, "Ok."
            booking = self.bookings.get(str(body.get("kodebooking")))
            if booking is None:
                return 201, "Kode Booking tidak ditemukan"
            if path == "antrean/updatewaktu":
                taskid, waktu = body.get("taskid"), body.get("waktu")
                if (
                    not isinstance(taskid, int)
                    or not isinstance(waktu, int)
                    or isinstance(taskid, bool)
                ):
                    return 201, "taskid atau waktu tidak sesuai format"
                if taskid not in (1, 2, 3, 4, 5, 6, 7, 99):
                    return 201, f"TaskId={taskid} tidak dikenal"
                if taskid in booking.tasks:
                    return 201, f"TaskId={taskid} sudah ada"
                if booking.cancelled is not None or 99 in booking.tasks:
                    return 201, "Antrean sudah dibatalkan"
                if taskid not in (1, 99) and taskid - 1 not in booking.tasks:
                    return 201, f"TaskId={taskid - 1} belum ada"
                earlier = [w for t, w in booking.tasks.items() if t < taskid]
                if earlier and waktu < max(earlier):
                    return 201, f"waktu TaskId={taskid} tidak boleh kurang dari TaskId sebelumnya"
                booking.tasks[taskid] = waktu
                return 200, "Ok."
            if path == "antrean/batal":
                if booking.cancelled is not None:
                    return 208, "Antrean sudah dibatalkan sebelumnya"
                booking.cancelled = str(body.get("keterangan") or "")
                return 200, "Ok."
        return 201, "Service tidak ditemukan"

    def _reply(
        self,
        method: str,
        path: str,
        body: Any,
        headers: Any,
        status: int,
        code: int,
        message: str,
        response: Any = None,
    ) -> tuple[int, bytes]:
        envelope: dict[str, Any] = {"metadata": {"code": code, "message": message}}
        if response is not None:
            envelope["response"] = response
        return self._record(
            method, path, body, headers, code, message, status, json.dumps(envelope).encode()
        )

    def _record(
        self,
        method: str,
        path: str,
        body: Any,
        headers: Any,
        code: int,
        message: str,
        status: int,
        raw: bytes,
    ) -> tuple[int, bytes]:
        with self.lock:
            self.calls.append(Call(method, path, body, dict(headers), code, message, time.time()))
        return status, raw


def _read_by(reply: Any, deadline: float, url: str) -> bytes:
    """The answer's body, at most one byte past the cap, read before ``deadline``."""
    chunks: list[bytes] = []
    size = 0
    while size <= WS_RS_MAX_ANSWER:
        if time.monotonic() > deadline:
            raise OSError(f"WS RS answer from {url} not read within {WS_RS_TIMEOUT_S:g} s")
        chunk = reply.read1(min(16384, WS_RS_MAX_ANSWER + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _ws_rs_call(url: str, headers: dict[str, str], body: Any = None) -> dict[str, Any]:
    """One WS RS call (GET without ``body``, else a JSON POST): its envelope."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 - the demo's own centre on 127.0.0.1
        url,
        data=data,
        headers={**headers, **({"Content-Type": "application/json"} if data else {})},
        method="GET" if data is None else "POST",
    )
    deadline = time.monotonic() + WS_RS_TIMEOUT_S
    try:
        with urllib.request.urlopen(request, timeout=WS_RS_TIMEOUT_S) as reply:  # noqa: S310
            raw = _read_by(reply, deadline, url)
    except urllib.error.HTTPError as exc:  # WS RS answers a refusal with its envelope too
        raw = _read_by(exc, deadline, url)
    if len(raw) > WS_RS_MAX_ANSWER:
        raise OSError(f"WS RS answer over {WS_RS_MAX_ANSWER} bytes from {url}")
    try:
        envelope = json.loads(raw)
    except ValueError:
        raise OSError(f"WS RS answer from {url} is not JSON") from None
    if not isinstance(envelope, dict) or not isinstance(envelope.get("metadata"), dict):
        raise OSError(f"WS RS answer from {url} has no metadata")
    return envelope


class _Handler(BaseHTTPRequestHandler):
    standin: BpjsStandIn

    def _handle(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(min(length, 1 << 20))
        prefix = "/antreanrs/"
        path = self.path[len(prefix) :] if self.path.startswith(prefix) else self.path.lstrip("/")
        drip = self.standin.dripping()
        status, reply = self.standin.answer(method, path, self.headers, raw)
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            if drip is None:
                self.wfile.write(reply)
            else:  # every byte in time for a per-read timeout, the whole far too late
                for byte in reply:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(drip)
        except OSError:
            pass  # the hospital gave up waiting (the slow and drip cases)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def log_message(self, format: str, *args: Any) -> None:
        pass


def config_text(standin: BpjsStandIn) -> str:
    """A ``[bpjs]`` section of ``kiosk server --integrations`` that talks to ``standin``."""
    return (
        "[bpjs]\n"
        f'antrean_url = "{standin.url}"\n'
        f'cons_id = "{standin.cons_id}"\n'
        f'secret_key = "{standin.secret}"\n'
        f'user_key = "{standin.user_key}"\n'
        'ws_rs_username = "mobilejkn-demo"\n'
        'ws_rs_password = "mobilejkn-demo-sandi"\n'
    )


def main() -> None:  # pragma: no cover - the demo's stand-in, run by hand or by the demo
    parser = argparse.ArgumentParser(description="A local stand-in for BPJS Antrean RS")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument(
        "--write-config",
        metavar="FILE",
        help="write a --integrations file (0600) for a centre that reports to this stand-in",
    )
    args = parser.parse_args()
    standin = BpjsStandIn()
    if args.port:
        standin.down()
        standin.port = args.port
        standin.up()
    if args.write_config:
        path = Path(args.write_config)
        path.touch(mode=0o600)
        path.write_text(config_text(standin), encoding="utf-8")
    print(f"BPJS stand-in at {standin.url} (cons_id {standin.cons_id})", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        standin.close()


if __name__ == "__main__":
    main()
