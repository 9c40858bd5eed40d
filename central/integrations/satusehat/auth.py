"""The OAuth2 client-credentials token, cached until it expires.

``POST {auth_url}/accesstoken?grant_type=client_credentials`` with the form
``client_id`` and ``client_secret``; the answer carries ``access_token`` and
``expires_in`` (seconds; SATUSEHAT writes it as a string, ``"14399"``). The token
is kept until a little before ``expires_in`` has passed on this process's own
clock (the server's ``issued_at`` is another machine's clock), then fetched
again; a call the server answers 401 hands its token back through
:meth:`TokenSource.renew`, so a token revoked or expired early mid-day is
replaced once, not once per waiting call. The secret and the token never reach
a log.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from urllib.parse import urlencode

from central.errors import ExchangeError, SatusehatTokenError
from central.integrations.config import SatusehatSettings
from central.integrations.http import exchange, parse_json

#: Renew this long before the server says the token ends (at most a tenth of its life).
EARLY_S = 60.0


class TokenSource:
    """One cached token per process, shared by the sender's calls (thread-safe)."""

    def __init__(
        self, config: SatusehatSettings, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._config = config
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._until = 0.0
        #: How many tokens this source has fetched (for the operator's log line).
        self.fetched = 0

    def __repr__(self) -> str:
        return f"TokenSource({self._config.auth_url})"

    def bearer(self) -> str:
        """A token that has not expired, fetched if none is cached."""
        with self._lock:
            if self._token is not None and self._clock() < self._until:
                return self._token
            self._token = None
            token, lifetime = self._fetch()
            self._token = token
            self._until = self._clock() + max(0.0, lifetime - min(EARLY_S, lifetime / 10))
            self.fetched += 1
            return token

    def renew(self, stale: str) -> None:
        """Forget ``stale`` (the server refused it); the next :meth:`bearer` fetches anew."""
        with self._lock:
            if self._token == stale:
                self._token = None

    def _fetch(self) -> tuple[str, float]:
        config = self._config
        body = urlencode(
            {"client_id": config.client_id, "client_secret": config.client_secret}
        ).encode("ascii")
        try:
            answer = exchange(
                "POST",
                f"{config.auth_url}/accesstoken?grant_type=client_credentials",
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Accept": "application/json",
                    "User-Agent": "anjungan-central",
                },
                body=body,
                deadline_s=config.timeout_s,
                max_bytes=16 * 1024,
            )
        except ExchangeError as exc:
            raise SatusehatTokenError(f"token: SATUSEHAT auth unreachable ({exc})") from None
        if answer.status != 200:
            raise SatusehatTokenError(f"token: SATUSEHAT auth answered {answer.status}")
        try:
            data = parse_json(answer.body)
            token = data["access_token"]
            lifetime = float(data["expires_in"])
        except (ValueError, KeyError, TypeError):
            raise SatusehatTokenError("token: SATUSEHAT auth answer unreadable") from None
        if not isinstance(token, str) or not token or not (0 < lifetime < 10**7):
            raise SatusehatTokenError("token: SATUSEHAT auth answer unreadable")
        return token, lifetime
