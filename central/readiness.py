"""``GET /ready``: whether this centre can serve, asked of its database.

``/health`` says the process is alive; ``/ready`` says whether it is worth
sending requests to: the database answers a ``SELECT 1`` within a short
statement timeout, and its schema is at the migrations' head (an upgrade
of the code that has not migrated yet, or a restored dump of an older
schema, is not ready). The reason given is one of a few fixed sentences:
never a URL, host or error text that could carry a secret (the log has the
error).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from central.database import Database, alembic_config

log = logging.getLogger(__name__)

#: The whole check, connecting included, ends within this many seconds.
DEADLINE_S = 3.0
_STATEMENT_TIMEOUT_MS = 2000
UNREACHABLE = "the database does not answer"
BEHIND = "the database's schema is not at the migrations' head"


@dataclass(frozen=True)
class Readiness:
    ready: bool
    reason: str | None = None


def migrations_head() -> str | None:
    """The newest revision of the migrations shipped with this code."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def check(database: Database, head: str | None) -> Readiness:
    """Ask the database (blocking); see the module's docstring."""
    try:
        with database.read() as conn:
            if database.dialect == "postgresql":
                conn.execute(text(f"SET LOCAL statement_timeout = {_STATEMENT_TIMEOUT_MS}"))
            conn.execute(text("SELECT 1"))
            revision = MigrationContext.configure(conn).get_current_revision()
    except Exception as exc:
        log.warning("not ready: %s (%s)", UNREACHABLE, type(exc).__name__)
        return Readiness(False, UNREACHABLE)
    if revision != head:
        log.warning("not ready: %s (at %s, head %s)", BEHIND, revision, head)
        return Readiness(False, BEHIND)
    return Readiness(True)


async def check_within_deadline(database: Database, head: str | None) -> Readiness:
    """:func:`check` on a thread, given up after :data:`DEADLINE_S` (a hung network)."""
    try:
        return await asyncio.wait_for(asyncio.to_thread(check, database, head), DEADLINE_S)
    except TimeoutError:
        log.warning("not ready: %s within %.0f s", UNREACHABLE, DEADLINE_S)
        return Readiness(False, UNREACHABLE)
