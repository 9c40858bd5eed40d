"""The BPJS Antrean RS client: signed calls, decrypted answers, one deadline and cap each.

Every call goes through :meth:`AntreanClient.call`: the four headers
(central/integrations/bpjs/crypto.py), one total deadline and an answer cap
(central/integrations/http.py), then the envelope read: ``metadata`` (Antrean)
or ``metaData`` (VClaim) ``{code, message}``; a string ``response`` is
decrypted with the request's own timestamp. What can go wrong is one of
three errors (:class:`BpjsError`'s tree):

* :class:`BpjsUnavailable`: down, slow, 5xx, 429, an answer that is not
  BPJS's (garbage, too long, does not decrypt) or a refused signature (a
  consumer secret changed: staff fix the file, the rows wait): try again;
* :class:`BpjsRefused`: BPJS read the call and said no, with its own code and
  message (``metadata.code`` other than 200): final.

:class:`AntreanDeliverer` sends the outbox's ``bpjs`` rows. A call sent again
after an answer was lost may find BPJS has it already: code 208, or exactly
"Terdapat duplikasi Kode Booking" (add) or "TaskId=N sudah ada" (the row's own
task): that is the call's success (:func:`already_there`); any other
message, however alike ("Peserta sudah terdaftar di poli lain"), is a refusal.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from central.errors import BpjsError as BpjsError
from central.errors import BpjsRefused as BpjsRefused
from central.errors import BpjsUnavailable as BpjsUnavailable
from central.errors import ExchangeError, TooLarge, TooSlow
from central.integrations import outbox
from central.integrations.bpjs import crypto
from central.integrations.config import BpjsSettings
from central.integrations.http import exchange, parse_json

log = logging.getLogger(__name__)

#: BPJS's code for a call it already has (a duplicate sent again after a lost answer).
ALREADY_CODE = "208"
#: The whole messages (per call) by which BPJS says it already has what was sent
#: again; any other message, however alike, is a refusal.
_ALREADY_ADD = re.compile(r"terdapat duplikasi kode ?booking\.?", re.IGNORECASE)
_ALREADY_TASK = r"taskid\s*=\s*{taskid}\s+sudah ada\.?"
#: HTTP statuses worth a retry; any other non-2xx without an envelope is a refusal.
RETRY_STATUSES = frozenset({401, 403, 408, 425, 429})


class AntreanClient:
    """Signed calls to one hospital's Antrean RS."""

    def __init__(self, settings: BpjsSettings, clock: Callable[[], float] = time.time) -> None:
        self._settings = settings
        self._clock = clock

    def __repr__(self) -> str:  # the secrets never reach a log
        return f"AntreanClient({self._settings.antrean_url}, cons_id={self._settings.cons_id})"

    def call(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        """The decrypted ``response`` of one call (``None`` when BPJS sends none)."""
        s = self._settings
        stamp = str(int(self._clock()))
        headers = crypto.headers(s.cons_id, s.secret_key, s.user_key, stamp)
        headers["Accept"] = "application/json"
        payload: bytes | None = None
        if body is not None:
            payload = json.dumps(dict(body), ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json"
        try:
            answer = exchange(
                method,
                f"{s.antrean_url}/{path.lstrip('/')}",
                headers=headers,
                body=payload,
                deadline_s=s.timeout_s,
                max_bytes=s.answer_max_bytes,
            )
        except TooSlow as exc:
            raise BpjsUnavailable("timeout", f"BPJS tidak menjawab tepat waktu ({exc})") from exc
        except TooLarge as exc:
            raise BpjsUnavailable("too-large", f"jawaban BPJS terlalu panjang ({exc})") from exc
        except ExchangeError as exc:
            raise BpjsUnavailable("unreachable", f"BPJS tidak dapat dihubungi ({exc})") from exc
        envelope = _envelope(answer.body)
        if envelope is None:
            if answer.status >= 500 or answer.status in RETRY_STATUSES:
                raise BpjsUnavailable(str(answer.status), f"BPJS menjawab HTTP {answer.status}")
            raise BpjsUnavailable("garbage", f"jawaban BPJS tidak terbaca (HTTP {answer.status})")
        code, message, response = envelope
        if code != "200":
            if answer.status >= 500 or answer.status in RETRY_STATUSES or code in ("401", "403"):
                raise BpjsUnavailable(code, message or f"HTTP {answer.status}")
            raise BpjsRefused(code, message)
        if isinstance(response, str) and response:
            try:
                text = crypto.decrypt(s.cons_id, s.secret_key, stamp, response)
                return parse_json(text)
            except (crypto.DecryptError, ValueError) as exc:
                raise BpjsUnavailable("garbage", "jawaban BPJS tidak dapat didekripsi") from exc
        return response

    # -- the calls ------------------------------------------------------------------
    def poli(self) -> list[Mapping[str, Any]]:
        """``ref/poli``: BPJS's polis (``kdpoli``, ``nmpoli``, ``kdsubspesialis``, …)."""
        return _listed(self.call("GET", "ref/poli"))

    def dokter(self) -> list[Mapping[str, Any]]:
        """``ref/dokter``: the hospital's doctors (``kodedokter``, ``namadokter``)."""
        return _listed(self.call("GET", "ref/dokter"))

    def jadwal_dokter(self, kodepoli: str, tanggal: dt.date) -> list[Mapping[str, Any]]:
        """``jadwaldokter/kodepoli/{kode}/tanggal/{YYYY-MM-DD}``: the day's schedules."""
        path = f"jadwaldokter/kodepoli/{quote(kodepoli, safe='')}/tanggal/{tanggal.isoformat()}"
        return _listed(self.call("GET", path))

    def add(self, body: Mapping[str, Any]) -> Any:
        return self.call("POST", "antrean/add", body)

    def update_waktu(self, kodebooking: str, taskid: int, waktu_ms: int) -> Any:
        body = {"kodebooking": kodebooking, "taskid": taskid, "waktu": waktu_ms}
        return self.call("POST", "antrean/updatewaktu", body)

    def batal(self, kodebooking: str, keterangan: str) -> Any:
        return self.call(
            "POST", "antrean/batal", {"kodebooking": kodebooking, "keterangan": keterangan}
        )


def _envelope(raw: bytes) -> tuple[str, str, Any] | None:
    """``(code, message, response)`` of a BPJS answer; ``None`` if it is not one."""
    try:
        data = parse_json(raw)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    meta = data.get("metadata", data.get("metaData"))
    if not isinstance(meta, dict) or "code" not in meta:
        return None
    code = meta.get("code")
    if isinstance(code, bool) or not isinstance(code, int | str):
        return None
    message = meta.get("message")
    return str(code).strip(), str(message or "")[:300], data.get("response")


def _listed(response: Any) -> list[Mapping[str, Any]]:
    """A reference answer's rows (a list, or ``{"list": [...]}``), each an object."""
    rows = response.get("list") if isinstance(response, dict) else response
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise BpjsUnavailable("garbage", "daftar dari BPJS tidak berbentuk yang diharapkan")
    return rows


def already_there(kind: str, body: Mapping[str, Any], code: str, message: str) -> bool:
    """Whether BPJS's refusal of a row sent again says it has the row already: its code
    208, or exactly its message for this call (``antrean/add``: "Terdapat duplikasi Kode
    Booking"; ``antrean/updatewaktu``: "TaskId=N sudah ada" for this row's own N)."""
    if code == ALREADY_CODE:
        return True
    said = message.strip()
    if kind == "add":
        return _ALREADY_ADD.fullmatch(said) is not None
    if kind == "task":
        taskid = re.escape(str(body.get("taskid")))
        return re.fullmatch(_ALREADY_TASK.format(taskid=taskid), said, re.IGNORECASE) is not None
    return False


class AntreanDeliverer:
    """Sends one outbox row of target ``bpjs``; the outcome the sender records."""

    def __init__(self, client: AntreanClient, zone: ZoneInfo) -> None:
        self._client = client
        self._zone = zone

    def __call__(self, item: outbox.Item) -> outbox.Outcome:
        body = dict(item.body)
        try:
            if item.kind == "add":
                local = dt.datetime.fromisoformat(str(body.pop("estimated_local")))
                body["estimasidilayani"] = int(local.replace(tzinfo=self._zone).timestamp() * 1000)
                self._client.add(body)
            elif item.kind == "task":
                self._client.update_waktu(
                    str(body["kodebooking"]), int(body["taskid"]), int(body["waktu"])
                )
            elif item.kind == "batal":
                self._client.batal(str(body["kodebooking"]), str(body["keterangan"]))
            else:
                return outbox.Refused("kind", f"unknown kind {item.kind!r}")
        except BpjsUnavailable as exc:
            return outbox.RetryLater(exc.code, exc.message)
        except BpjsRefused as exc:
            if already_there(item.kind, item.body, exc.code, exc.message):
                log.info("bpjs row %d: BPJS has it already (%s)", item.id, exc.code)
                return outbox.Sent({"code": exc.code, "message": exc.message})
            return outbox.Refused(exc.code, exc.message)
        except (KeyError, TypeError, ValueError) as exc:
            return outbox.Refused("body", f"the row cannot be sent ({type(exc).__name__})")
        return outbox.Sent({"code": "200"})
