"""The kiosk's bearer token for the central server: read, written once, enrolled for.

On first start a kiosk has an enrolment code (``central.enrolment_code``)
and no token; :func:`ensure_token` trades the code for a token
(:meth:`CentralClient.enrol`) and writes it to ``central.token_file``
(default ``<data_dir>/central-token``), mode 0600, atomically. From then on
the file is used. When the server refuses that token (401: revoked, or a
server whose database was reset, as each ``kiosk demo`` run's is),
:func:`authorised` enrols again with the configured code: a used code is
refused harmlessly, and after a revocation an operator puts a new code in
the configuration and the kiosk picks it up on its next request.
"""

from __future__ import annotations

import logging
import os
import socket
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from kiosk.client.client import CentralClient
from kiosk.client.errors import CentralAuthError
from kiosk.config import Config

if TYPE_CHECKING:
    from offline_store import Store

log = logging.getLogger(__name__)
T = TypeVar("T")

#: One enrolment at a time in this process: the controller and the sync engine
#: each hold a client, and two enrolling at once would make two kiosks (two
#: kiosk codes) of one machine. Whoever waits finds the other's token on disk.
_ENROLMENT = threading.Lock()


def load_token(path: Path) -> str | None:
    """The token in ``path``, or ``None`` if there is none (or it cannot be read)."""
    try:
        token = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        log.error("central token file %s unreadable: %s", path, exc)
        return None
    return token or None


def save_token(path: Path, token: str) -> None:
    """Write ``token`` to ``path`` with mode 0600, replacing the file atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    temp = Path(name)  # mkstemp makes it 0600
    try:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(token + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def kiosk_code_path(config: Config) -> Path:
    """Where the kiosk code from the enrolment answer is kept, beside the token."""
    token = config.central_token_path
    return token.with_name(f"{token.name}.kiosk-code")


def adopt_kiosk_code(store: Store, config: Config) -> str | None:
    """Give ``store`` the kiosk code this kiosk enrolled with, if it has none yet.

    The code arrives with the token; the sync engine also asks for it
    (``GET /api/v1/kiosks/me``), but a kiosk that enrolled and lost the network
    before that answer would otherwise number offline tickets without it, and
    such plain numbers can equal the centre's. Called whenever a catalog arrives
    (no catalog, no tickets), so a kiosk that can issue a ticket knows its code.
    """
    known = store.kiosk_code()
    if known is not None:
        return known
    code = load_token(kiosk_code_path(config))
    if code is None:
        return None
    from offline_store import StoreError

    try:
        store.set_kiosk_code(code)
    except StoreError as exc:
        log.error("kiosk code from the enrolment not kept: %s", exc)
        return None
    log.info("kiosk code %s recorded for fallback numbers", code)
    return code


def ensure_token(client: CentralClient, config: Config) -> bool:
    """Give ``client`` the kiosk's token: from the file, else by enrolling with the code.

    Returns whether the client has a token now. Raises what
    :meth:`CentralClient.enrol` raises (``CentralAuthError`` for a used or
    expired code, ``CentralUnavailable`` when the server is down); call it
    again later.
    """
    if client.token:
        return True
    with _ENROLMENT:
        token = load_token(config.central_token_path)
        if token is not None:
            client.token = token
            return True
        return _enrol(client, config)


def authorised(client: CentralClient, config: Config, call: Callable[[], T]) -> T:
    """Run ``call`` (a request) with the kiosk's token; on a 401, enrol again once and retry.

    Without a token or a code the request is sent without one (and refused
    with :class:`CentralAuthError`).
    """
    ensure_token(client, config)
    try:
        return call()
    except CentralAuthError as exc:
        if exc.status != 401 or not config.central.enrolment_code:
            raise
        refused = client.token
        with _ENROLMENT:
            on_disk = load_token(config.central_token_path)
            if on_disk is not None and on_disk != refused:
                client.token = on_disk  # another client of this kiosk enrolled meanwhile
            else:
                log.warning("central server refused the kiosk's token; enrolling again")
                client.token = None
                _enrol(client, config)
        return call()


def _enrol(client: CentralClient, config: Config) -> bool:
    code = config.central.enrolment_code
    if not code:
        log.warning("not enrolled: no central token and no central.enrolment_code")
        return False
    enrolment = client.enrol(code, name=f"{config.kiosk.office_id} {socket.gethostname()}"[:100])
    save_token(config.central_token_path, enrolment.token)
    if enrolment.kiosk_code:
        save_token(kiosk_code_path(config), enrolment.kiosk_code)
    log.info("enrolled with the central server as kiosk %s", enrolment.kiosk_id)
    return True
