"""The one place the kiosk talks HTTP to the central server.

Every request goes through :meth:`CentralClient._get`, which sets the
timeouts and turns every failure into the tree in
:mod:`kiosk.central_errors`; retries, backoff and idempotency keys belong
there too, and nowhere else.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from kiosk.central_errors import CentralError, CentralProtocolError, CentralUnavailable

if TYPE_CHECKING:  # requests costs ~190 ms of start-up: imported on the first request
    import requests

__all__ = ["CatalogFetch", "CentralClient"]

CATALOG_PATH = "/api/v1/catalog"
HEALTH_PATH = "/health"


@dataclass(frozen=True)
class CatalogFetch:
    """The result of :meth:`CentralClient.fetch_catalog`.

    ``not_modified`` means the ``etag`` sent still matches and ``data`` is
    ``None``; otherwise ``data`` is the catalog JSON (not yet validated:
    see :meth:`kiosk.catalog.Catalog.from_json`) and ``etag`` its new tag.
    """

    not_modified: bool
    etag: str | None
    data: dict[str, Any] | None


class CentralClient:
    """A client for one central server at ``base_url`` (``http(s)://host[:port][/prefix]``).

    ``timeout_s`` bounds connecting and each wait for data. A ``session``
    passed in stays the caller's to close; one created here is closed by
    :meth:`close` (or leaving a ``with`` block).
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout_s: float = 3.0,
        session: requests.Session | None = None,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"central URL must be http(s)://host[:port], not {base_url!r}")
        if timeout_s <= 0:
            raise ValueError("timeout_s must be positive")
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self._owns_session = session is None
        self._session = session

    def fetch_catalog(self, etag: str | None = None) -> CatalogFetch:
        """Fetch the catalog; with ``etag``, the server may answer "not modified"."""
        headers = {"If-None-Match": etag} if etag else {}
        status, response_headers, body = self._get(CATALOG_PATH, headers)
        if status == 304:
            if not etag:
                raise CentralProtocolError(
                    f"{self._url(CATALOG_PATH)}: 304 Not Modified to a request without an ETag",
                    status=status,
                )
            return CatalogFetch(
                not_modified=True, etag=response_headers.get("ETag") or etag, data=None
            )
        self._expect_ok(CATALOG_PATH, status)
        data = self._json_object(CATALOG_PATH, body)
        return CatalogFetch(not_modified=False, etag=response_headers.get("ETag"), data=data)

    def health(self) -> bool:
        """Whether the server answers its health check; never raises."""
        try:
            status, _, body = self._get(HEALTH_PATH, {})
            self._expect_ok(HEALTH_PATH, status)
            return self._json_object(HEALTH_PATH, body).get("status") == "ok"
        except CentralError:
            return False

    def close(self) -> None:
        if self._owns_session and self._session is not None:
            self._session.close()
            self._session = None

    def __enter__(self) -> CentralClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _url(self, path: str) -> str:
        return self.base_url + path

    def _get(self, path: str, headers: Mapping[str, str]) -> tuple[int, Mapping[str, str], bytes]:
        """GET ``path``; returns status, headers and body, or raises a CentralError."""
        import requests

        url = self._url(path)
        if self._session is None:
            self._session = requests.Session()
        try:
            with self._session.get(
                url,
                headers={"Accept": "application/json", **headers},
                timeout=(self.timeout_s, self.timeout_s),
                allow_redirects=False,
            ) as response:
                body = response.content
                status, response_headers = response.status_code, response.headers
        except requests.Timeout as exc:
            raise CentralUnavailable(f"{url}: timed out after {self.timeout_s:g} s") from exc
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            if _garbled(exc):
                raise CentralProtocolError(f"{url}: the answer is not HTTP ({exc})") from exc
            raise CentralUnavailable(f"{url}: cannot reach the server ({exc})") from exc
        except requests.RequestException as exc:
            raise CentralProtocolError(f"{url}: unusable answer ({exc})") from exc
        if status >= 500 or status == 429:
            raise CentralUnavailable(f"{url}: server answered {status}", status=status)
        return status, response_headers, body

    def _expect_ok(self, path: str, status: int) -> None:
        if status != 200:
            raise CentralProtocolError(
                f"{self._url(path)}: unexpected status {status}", status=status
            )

    def _json_object(self, path: str, body: bytes) -> dict[str, Any]:
        try:
            data = json.loads(body)
        except ValueError as exc:  # includes UnicodeDecodeError
            raise CentralProtocolError(f"{self._url(path)}: body is not JSON ({exc})") from exc
        if not isinstance(data, dict):
            raise CentralProtocolError(
                f"{self._url(path)}: expected a JSON object, got {type(data).__name__}"
            )
        return data


def _garbled(exc: BaseException) -> bool:
    """Whether a transport error means the peer spoke something other than HTTP.

    A connection that was dropped (reset, closed before a status line, cut
    short mid-body) is an outage; a status line, header or chunk that cannot
    be parsed is a protocol problem.
    """
    import urllib3.exceptions

    for cause in _causes(exc):
        if isinstance(cause, urllib3.exceptions.InvalidChunkLength):
            return True
        if isinstance(cause, http.client.RemoteDisconnected | http.client.IncompleteRead):
            return False
        if isinstance(cause, http.client.HTTPException):
            return True
    return False


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and what it wraps: ``__cause__``/``__context__`` and exception args."""
    seen: set[int] = set()
    pending = [exc]
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending += [a for a in current.args if isinstance(a, BaseException)]
        pending += [e for e in (current.__cause__, current.__context__) if e is not None]
