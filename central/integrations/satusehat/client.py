"""SATUSEHAT's FHIR API as the centre uses it: Patient by NIK, Encounter create and update.

Every call goes through :func:`central.integrations.http.exchange`
(a total deadline and an answer cap) with the cached token; a 401 renews the
token and tries once more. What comes back is an answer or one of two errors:

* :class:`Unavailable`: down, slow, 5xx, 429, a token that cannot be had, an
  answer that cannot be read; the same call may succeed later.
* :class:`Refused`: a 4xx the server means (its OperationOutcome's text is the
  message); sending the same thing again would change nothing.

A NIK never reaches a log or an error message; the IHS number found for one is
kept per citizen for a day (:mod:`central.integrations.satusehat.patients`: in the
database for the server's sender, shared by its processes; else in this process).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from central.access.audit import utc_now
from central.errors import ExchangeError, SatusehatTokenError, TooLarge, TooSlow
from central.errors import SatusehatRefused as Refused
from central.errors import SatusehatUnavailable as Unavailable
from central.integrations.config import SatusehatSettings
from central.integrations.http import Answer, exchange, parse_json
from central.integrations.satusehat.auth import TokenSource
from central.integrations.satusehat.fhir import NIK_SYSTEM
from central.integrations.satusehat.patients import IhsNumbers, InMemory

#: The longest message kept from an OperationOutcome.
MESSAGE_MAX = 300


def outcome_text(body: bytes) -> str:
    """The words of an OperationOutcome (``details.text`` or ``diagnostics``), cut short."""
    try:
        data = parse_json(body)
    except ValueError:
        return ""
    if not isinstance(data, dict) or data.get("resourceType") != "OperationOutcome":
        return ""
    words: list[str] = []
    for issue in data.get("issue") or []:
        if not isinstance(issue, dict):
            continue
        details = issue.get("details")
        text = details.get("text") if isinstance(details, dict) else None
        said = text or issue.get("diagnostics") or issue.get("code")
        if isinstance(said, str) and said:
            words.append(said)
    return "; ".join(words)[:MESSAGE_MAX]


class SatusehatClient:
    def __init__(
        self,
        config: SatusehatSettings,
        tokens: TokenSource | None = None,
        *,
        known: IhsNumbers | None = None,
    ) -> None:
        self.config = config
        self.tokens = tokens or TokenSource(config)
        #: The IHS numbers SATUSEHAT gave (this process's own unless the caller shares some).
        self.known: IhsNumbers = known if known is not None else InMemory()

    def __repr__(self) -> str:
        return f"SatusehatClient({self.config.base_url})"

    def _call(self, method: str, path: str, resource: dict[str, Any] | None = None) -> Answer:
        body = None if resource is None else json.dumps(resource).encode("utf-8")
        for attempt in (1, 2):
            try:
                token = self.tokens.bearer()
            except SatusehatTokenError as exc:
                raise Unavailable(str(exc), code="token") from None
            headers = {
                "Authorization": f"Bearer {token}",
                "Accept": "application/fhir+json, application/json",
                "User-Agent": "anjungan-central",
            }
            if body is not None:
                headers["Content-Type"] = "application/fhir+json"
            try:
                answer = exchange(
                    method,
                    f"{self.config.base_url}/{path}",
                    headers=headers,
                    body=body,
                    deadline_s=self.config.timeout_s,
                    max_bytes=self.config.answer_max_bytes,
                )
            except ExchangeError as exc:
                code = (
                    "too-large"
                    if isinstance(exc, TooLarge)
                    else "slow"
                    if isinstance(exc, TooSlow)
                    else "unreachable"
                )
                raise Unavailable(f"SATUSEHAT {code} ({exc})", code=code) from None
            if answer.status == 401 and attempt == 1:
                self.tokens.renew(token)
                continue
            break
        if 200 <= answer.status < 300:
            return answer
        said = outcome_text(answer.body)
        shown = f"SATUSEHAT answered {answer.status}" + (f": {said}" if said else "")
        if answer.status in (401, 408, 425, 429) or answer.status >= 500:
            raise Unavailable(shown, answer.headers.get("retry-after"), str(answer.status))
        raise Refused(shown, str(answer.status))

    @staticmethod
    def _json(answer: Answer) -> dict[str, Any]:
        try:
            data = parse_json(answer.body)
        except ValueError:
            raise Unavailable("SATUSEHAT answer unreadable (not JSON)", code="garbage") from None
        if not isinstance(data, dict):
            raise Unavailable("SATUSEHAT answer unreadable (not an object)", code="garbage")
        return data

    def patient_ihs(self, nik: str) -> str | None:
        """The IHS number of the citizen with ``nik``; ``None`` when SATUSEHAT has none.

        One found less than a day ago (:attr:`known`) is not asked again; "none" is
        never kept (the patient may register with SATUSEHAT meanwhile).
        """
        kept = self.known.get(nik, utc_now())
        if kept is not None:
            return kept
        query = quote(f"{NIK_SYSTEM}|{nik}", safe="")
        bundle = self._json(self._call("GET", f"Patient?identifier={query}"))
        if bundle.get("resourceType") != "Bundle":
            raise Unavailable("SATUSEHAT answer unreadable (no Bundle)", code="garbage")
        entries = bundle.get("entry") or []
        if not isinstance(entries, list) or not entries:
            return None
        try:
            ihs = entries[0]["resource"]["id"]
        except (KeyError, TypeError, IndexError):
            raise Unavailable(
                "SATUSEHAT answer unreadable (no Patient id)", code="garbage"
            ) from None
        if not isinstance(ihs, str) or not ihs:
            raise Unavailable("SATUSEHAT answer unreadable (no Patient id)", code="garbage")
        self.known.put(nik, ihs, utc_now())
        return ihs

    def forget_patient(self, nik: str) -> None:
        """Ask SATUSEHAT for ``nik``'s IHS number next time: one it gave was refused."""
        self.known.forget(nik)

    def create_encounter(self, resource: dict[str, Any]) -> str:
        """POST ``resource``; the id the server gave it."""
        data = self._json(self._call("POST", "Encounter", resource))
        ident = data.get("id")
        if data.get("resourceType") != "Encounter" or not isinstance(ident, str) or not ident:
            raise Unavailable("SATUSEHAT answer unreadable (no Encounter id)", code="garbage")
        return ident

    def find_encounter(self, system: str, value: str) -> str | None:
        """The id of the Encounter with this identifier, if the server has one."""
        query = quote(f"{system}|{value}", safe="")
        bundle = self._json(self._call("GET", f"Encounter?identifier={query}"))
        for entry in bundle.get("entry") or []:
            resource = entry.get("resource") if isinstance(entry, dict) else None
            ident = resource.get("id") if isinstance(resource, dict) else None
            if isinstance(ident, str) and ident:
                return ident
        return None

    def update_encounter(self, encounter_id: str, resource: dict[str, Any]) -> None:
        """PUT ``resource`` (which carries ``encounter_id``) over the server's Encounter."""
        self._json(self._call("PUT", f"Encounter/{quote(encounter_id, safe='')}", resource))
