"""SATUSEHAT (Kemenkes' FHIR R4 service) as the centre meets it, on 127.0.0.1.

It serves what the centre's adapter calls, in SATUSEHAT's published shapes:

* ``POST /oauth2/v1/accesstoken?grant_type=client_credentials`` with the form
  ``client_id`` and ``client_secret``: a token with ``expires_in`` and
  ``issued_at`` written as strings, as SATUSEHAT writes them; wrong credentials
  are answered 401. :meth:`Satusehat.expire_tokens` ends every token given so
  far (the server answers 401 to them, as to a token past its ``expires_in``).
* ``GET /fhir-r4/v1/Patient?identifier=https://fhir.kemkes.go.id/id/nik|{NIK}``:
  a ``searchset`` Bundle with the Patient (its id is the IHS number) or none.
* ``POST /fhir-r4/v1/Encounter`` and ``PUT /fhir-r4/v1/Encounter/{id}``: the
  Encounter checked here, by rules written out in this file from SATUSEHAT's
  Encounter guide and FHIR R4 (never with the centre's code nor the
  ``fhir.resources`` package the centre uses): a bad one is answered 400 with an
  OperationOutcome. A good one is kept, with the order of its statuses.
  ``GET /fhir-r4/v1/Encounter?identifier={system}|{value}`` finds one by its
  identifier (a create retried after a lost answer finds the first).

Everything received is kept in :attr:`Satusehat.received`. And it misbehaves on
demand: :meth:`down` refuses connections until :meth:`up`; :meth:`misbehave`
makes the next ``times`` FHIR calls answer 500, 503, 429, 401 (a token refused
early), 400 (an OperationOutcome), ``garbage`` (200 with a body that is not
JSON), ``nested`` (JSON nested 100,000 deep), ``huge`` (an answer far past any
cap), ``slow`` (the call is carried out, but its answer comes after
``delay_s``) or ``drip`` (carried out, its answer written one byte every
``delay_s``, with ``Connection: close``).
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

NIK = "https://fhir.kemkes.go.id/id/nik"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
#: FHIR R4 EncounterStatus, and the moves an outpatient visit may make.
STATUSES = (
    "planned",
    "arrived",
    "triaged",
    "in-progress",
    "onleave",
    "finished",
    "cancelled",
    "entered-in-error",
    "unknown",
)
MOVES = {
    "arrived": {"in-progress", "finished", "cancelled"},
    "in-progress": {"finished", "cancelled"},
}
DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
LOGICAL_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
#: The elements of an R4 Encounter (anything else is refused, as a strict server does).
ENCOUNTER_ELEMENTS = {
    "resourceType", "id", "meta", "implicitRules", "language", "text", "contained",
    "extension", "modifierExtension", "identifier", "status", "statusHistory", "class",
    "classHistory", "type", "serviceType", "priority", "subject", "episodeOfCare",
    "basedOn", "participant", "appointment", "period", "length", "reasonCode",
    "reasonReference", "diagnosis", "account", "hospitalization", "location",
    "serviceProvider", "partOf",
}  # fmt: skip


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    status: int
    token: str
    body: dict[str, Any] | None
    at: float = field(default_factory=time.time)


@dataclass
class Misbehaviour:
    kind: str
    times: int = 1
    delay_s: float = 0.0


def problems(resource: Any, organization_id: str) -> list[str]:
    """Why SATUSEHAT would refuse ``resource`` as an ambulatory Encounter ([] if it would not)."""
    if not isinstance(resource, dict) or resource.get("resourceType") != "Encounter":
        return ["resourceType must be Encounter"]
    found: list[str] = []
    extra = sorted(set(resource) - ENCOUNTER_ELEMENTS)
    if extra:
        found.append(f"unknown elements: {', '.join(extra)}")
    if resource.get("status") not in STATUSES:
        found.append("Encounter.status: required, an EncounterStatus code")
    klass = resource.get("class")
    if not (isinstance(klass, dict) and klass.get("system") == ACT_CODE and klass.get("code")):
        found.append("Encounter.class: required, a v3-ActCode Coding")

    def reference(value: Any, kind: str) -> str | None:
        if not isinstance(value, dict) or not isinstance(value.get("reference"), str):
            return None
        prefix, _, ident = value["reference"].partition("/")
        return ident if prefix == kind and LOGICAL_ID.fullmatch(ident) else None

    if reference(resource.get("subject"), "Patient") is None:
        found.append("Encounter.subject: required, Patient/{id}")
    participants = resource.get("participant")
    if not isinstance(participants, list) or not any(
        isinstance(p, dict)
        and reference(p.get("individual"), "Practitioner") is not None
        and any(
            isinstance(c, dict) and c.get("system") == PARTICIPATION and c.get("code") == "ATND"
            for t in (p.get("type") or [])
            if isinstance(t, dict)
            for c in (t.get("coding") or [])
        )
        for p in participants
    ):
        found.append("Encounter.participant: an ATND Practitioner/{id} is required")
    locations = resource.get("location")
    if not isinstance(locations, list) or not any(
        isinstance(entry, dict) and reference(entry.get("location"), "Location") is not None
        for entry in locations
    ):
        found.append("Encounter.location: Location/{id} is required")
    if reference(resource.get("serviceProvider"), "Organization") != organization_id:
        found.append("Encounter.serviceProvider: must be the caller's Organization")
    system = f"http://sys-ids.kemkes.go.id/encounter/{organization_id}"
    identifiers = resource.get("identifier")
    if not isinstance(identifiers, list) or not any(
        isinstance(i, dict) and i.get("system") == system and isinstance(i.get("value"), str)
        for i in identifiers
    ):
        found.append(f"Encounter.identifier: one with system {system} is required")
    period = resource.get("period")
    start = period.get("start") if isinstance(period, dict) else None
    if not (isinstance(start, str) and DATETIME.fullmatch(start)):
        found.append("Encounter.period.start: required, a dateTime with its offset")
    if isinstance(period, dict) and "end" in period and not DATETIME.fullmatch(str(period["end"])):
        found.append("Encounter.period.end: a dateTime with its offset")
    history = resource.get("statusHistory")
    if not isinstance(history, list) or not history:
        found.append("Encounter.statusHistory: required")
    else:
        for n, entry in enumerate(history):
            when = entry.get("period") if isinstance(entry, dict) else None
            if (
                not isinstance(entry, dict)
                or entry.get("status") not in STATUSES
                or not isinstance(when, dict)
                or not DATETIME.fullmatch(str(when.get("start")))
            ):
                found.append(f"Encounter.statusHistory[{n}]: status and period.start required")
        last = history[-1]
        if isinstance(last, dict) and last.get("status") != resource.get("status"):
            found.append("Encounter.statusHistory: its last entry must be the current status")
    return found


def outcome(code: str, text: str) -> dict[str, Any]:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "details": {"text": text}}],
    }


class Satusehat:
    def __init__(
        self,
        *,
        client_id: str = "demo-client",
        client_secret: str = "demo-secret",  # noqa: S107 - the stand-in's own test secret
        organization_id: str = "100000001",
        token_lifetime_s: int = 14399,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.organization_id = organization_id
        self.token_lifetime_s = token_lifetime_s
        self.lock = threading.Lock()
        self.patients: dict[str, str] = {}  # NIK -> IHS number
        self.practitioners: set[str] = set()
        self.locations: set[str] = set()
        self.tokens: dict[str, bool] = {}  # token -> still good
        self.received: list[Received] = []
        self.encounters: dict[str, dict[str, Any]] = {}
        #: Each Encounter's statuses in the order they were accepted.
        self.statuses: dict[str, list[str]] = {}
        self.misbehaviour: Misbehaviour | None = None
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self.up()

    @property
    def auth_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/oauth2/v1"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/fhir-r4/v1"

    def section(self) -> dict[str, Any]:
        """The ``[satusehat]`` section of an integrations file that points here."""
        return {
            "auth_url": self.auth_url,
            "base_url": self.base_url,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "organization_id": self.organization_id,
        }

    def section_text(self, **settings: float) -> str:
        """:meth:`section` as an integrations file writes it, under ``[satusehat]``, with
        ``settings`` (its timeout and retries) after the addresses and credentials."""
        lines = [f'{key} = "{value}"' for key, value in self.section().items()]
        lines += [f"{key} = {value}" for key, value in settings.items()]
        return "[satusehat]\n" + "".join(f"{line}\n" for line in lines)

    def up(self) -> None:
        handler = type("Handler", (_Handler,), {"standin": self})
        server = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def down(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)

    close = down

    def misbehave(self, kind: str, times: int = 1, delay_s: float = 0.0) -> None:
        self.misbehaviour = Misbehaviour(kind, times, delay_s)

    def expire_tokens(self) -> None:
        """Every token given so far stops working (as at the end of its ``expires_in``)."""
        with self.lock:
            for token in self.tokens:
                self.tokens[token] = False

    def token_requests(self) -> int:
        with self.lock:
            return sum(1 for r in self.received if r.path.startswith("/oauth2/"))

    def fhir_calls(self, method: str | None = None) -> list[Received]:
        with self.lock:
            return [
                r
                for r in self.received
                if r.path.startswith("/fhir-r4/") and (method is None or r.method == method)
            ]

    # -- the server's side -----------------------------------------------------------

    def _record(self, method: str, path: str, status: int, token: str, body: Any) -> None:
        with self.lock:
            kept = body if isinstance(body, dict) else None
            self.received.append(Received(method, path, status, token, kept))

    def issue_token(self, form: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        given_id = (form.get("client_id") or [""])[0]
        given_secret = (form.get("client_secret") or [""])[0]
        if given_id != self.client_id or given_secret != self.client_secret:
            return 401, {"fault": {"faultstring": "Invalid client identifier"}}
        token = uuid.uuid4().hex
        with self.lock:
            self.tokens[token] = True
        return 200, {
            "refresh_token_expires_in": "0",
            "token_type": "BearerToken",
            "issued_at": str(int(time.time() * 1000)),
            "client_id": self.client_id,
            "access_token": token,
            "scope": "",
            "expires_in": str(self.token_lifetime_s),
            "refresh_count": "0",
            "status": "approved",
        }

    def fhir(
        self, method: str, path: str, query: dict[str, list[str]], body: Any
    ) -> tuple[int, Any]:
        """Status and answer of one FHIR call with a good token."""
        tail = path.removeprefix("/fhir-r4/v1/")
        if method == "GET" and tail == "Patient":
            return 200, self._patients((query.get("identifier") or [""])[0])
        if method == "GET" and tail == "Encounter":
            return 200, self._encounters_by_identifier((query.get("identifier") or [""])[0])
        if method == "POST" and tail == "Encounter":
            return self._create(body)
        if method == "PUT" and tail.startswith("Encounter/"):
            return self._update(unquote(tail.removeprefix("Encounter/")), body)
        return 404, outcome("not-found", f"no such interaction: {method} {tail}")

    def _bundle(self, resources: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(resources),
            "entry": [
                {"fullUrl": f"{self.base_url}/{r['resourceType']}/{r['id']}", "resource": r}
                for r in resources
            ],
        }

    def _patients(self, identifier: str) -> dict[str, Any]:
        system, _, nik = identifier.partition("|")
        ihs = self.patients.get(nik) if system == NIK else None
        found = [] if ihs is None else [{"resourceType": "Patient", "id": ihs, "active": True}]
        return self._bundle(found)

    def _encounters_by_identifier(self, identifier: str) -> dict[str, Any]:
        system, _, value = identifier.partition("|")
        with self.lock:
            found = [
                e
                for e in self.encounters.values()
                if any(
                    i.get("system") == system and i.get("value") == value
                    for i in e.get("identifier", [])
                )
            ]
        return self._bundle(found)

    def _refusal(self, resource: Any) -> tuple[int, Any] | None:
        found = problems(resource, self.organization_id)
        if found:
            return 400, outcome("invalid", "; ".join(found))
        patient = resource["subject"]["reference"].removeprefix("Patient/")
        if patient not in self.patients.values():
            return 400, outcome("not-found", f"Patient/{patient} not found")
        for p in resource["participant"]:
            doctor = p["individual"]["reference"].removeprefix("Practitioner/")
            if self.practitioners and doctor not in self.practitioners:
                return 400, outcome("not-found", f"Practitioner/{doctor} not found")
        for entry in resource["location"]:
            place = entry["location"]["reference"].removeprefix("Location/")
            if self.locations and place not in self.locations:
                return 400, outcome("not-found", f"Location/{place} not found")
        return None

    def _create(self, resource: Any) -> tuple[int, Any]:
        refused = self._refusal(resource)
        if refused is not None:
            return refused
        if "id" in resource:
            return 400, outcome("invalid", "Encounter.id must not be given on create")
        ident = str(uuid.uuid4())
        kept = {**resource, "id": ident, "meta": {"versionId": "1"}}
        with self.lock:
            self.encounters[ident] = kept
            self.statuses[ident] = [resource["status"]]
        return 201, kept

    def _update(self, ident: str, resource: Any) -> tuple[int, Any]:
        refused = self._refusal(resource)
        if refused is not None:
            return refused
        with self.lock:
            current = self.encounters.get(ident)
            if current is None:
                return 404, outcome("not-found", f"Encounter/{ident} not found")
            if resource.get("id") != ident:
                return 400, outcome("invalid", "Encounter.id must match the URL")
            before, after = current["status"], resource["status"]
            if after != before and after not in MOVES.get(before, set()):
                return 400, outcome("business-rule", f"status {before} cannot become {after}")
            kept_history = current.get("statusHistory", [])
            given_history = resource["statusHistory"]
            if [h["status"] for h in given_history[: len(kept_history)]] != [
                h["status"] for h in kept_history
            ]:
                return 400, outcome("business-rule", "statusHistory must keep its entries")
            version = int(current["meta"]["versionId"]) + 1
            kept = {**resource, "meta": {"versionId": str(version)}}
            self.encounters[ident] = kept
            if after != before:
                self.statuses[ident].append(after)
        return 200, kept


class _Handler(BaseHTTPRequestHandler):
    standin: Satusehat
    protocol_version = "HTTP/1.1"

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(min(length, 1 << 20))

    def _send(self, status: int, payload: Any, raw: bytes | None = None) -> None:
        reply = raw if raw is not None else json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(reply)
        except (TimeoutError, BrokenPipeError, ConnectionResetError):
            pass  # the caller gave up waiting (slow): what was done stays done
        self.close_connection = True

    def _drip(self, status: int, reply: bytes, delay_s: float) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.send_header("Connection", "close")
            self.end_headers()
            for byte in reply:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(delay_s)
        except OSError:
            pass  # the caller gave up waiting: what was done stays done
        self.close_connection = True

    def _handle(self, method: str) -> None:
        standin = self.standin
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        raw = self._body() if method in ("POST", "PUT") else b""
        if parts.path == "/oauth2/v1/accesstoken" and method == "POST":
            if query.get("grant_type") != ["client_credentials"]:
                status, payload = 400, {"error": "unsupported_grant_type"}
            else:
                status, payload = standin.issue_token(parse_qs(raw.decode("utf-8", "replace")))
            standin._record(method, parts.path, status, "", None)
            self._send(status, payload)
            return
        if not parts.path.startswith("/fhir-r4/v1/"):
            self._send(404, outcome("not-found", "unknown path"))
            return
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
            if method in ("POST", "PUT"):
                standin._record(method, parts.path, 400, "", None)
                self._send(400, outcome("structure", "body is not JSON"))
                return
        auth = self.headers.get("Authorization") or ""
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else ""
        with standin.lock:
            good = standin.tokens.get(token, False)
        if not good:
            standin._record(method, parts.path, 401, token, body)
            self._send(401, {"fault": {"faultstring": "Invalid access token"}})
            return
        with standin.lock:
            trouble = standin.misbehaviour
            if trouble is not None and trouble.times > 0:
                trouble.times -= 1
            else:
                trouble = None
        if trouble is not None:
            if trouble.kind in ("500", "503", "429", "401", "400"):
                code = int(trouble.kind)
                standin._record(method, parts.path, code, token, body)
                said = outcome("exception", "stand-in told to refuse")
                self._send(code, said if code == 400 else {"fault": "stand-in trouble"})
                return
            if trouble.kind == "garbage":
                standin._record(method, parts.path, 200, token, body)
                self._send(200, None, raw=b"<html>Bad gateway</html>")
                return
            if trouble.kind == "nested":  # JSON nested past any parser
                standin._record(method, parts.path, 200, token, body)
                self._send(
                    200,
                    None,
                    raw=b'{"resourceType":"Bundle","entry":'
                    + b"[" * 100_000
                    + b"]" * 100_000
                    + b"}",
                )
                return
            if trouble.kind == "huge":
                standin._record(method, parts.path, 200, token, body)
                self._send(200, None, raw=b"[" + b"0," * (1 << 20) + b"0]")
                return
            if trouble.kind == "slow":
                status, payload = standin.fhir(method, parts.path, query, body)
                standin._record(method, parts.path, status, token, body)
                time.sleep(trouble.delay_s)
                self._send(status, payload)
                return
            if trouble.kind == "drip":  # carried out; the answer one byte per delay_s
                status, payload = standin.fhir(method, parts.path, query, body)
                standin._record(method, parts.path, status, token, body)
                self._drip(status, json.dumps(payload).encode(), trouble.delay_s)
                return
        status, payload = standin.fhir(method, parts.path, query, body)
        standin._record(method, parts.path, status, token, body)
        self._send(status, payload)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def log_message(self, format: str, *args: Any) -> None:
        pass
