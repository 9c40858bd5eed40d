"""The central server's database: one engine, transactions, and migrations.

SQLite (the demo, a single machine) and PostgreSQL (production: several app
processes behind a proxy, one database) behave the same to the code above
this module:

* every unit of work is ``with db.begin() as conn:``: one transaction that
  commits at the end of the block and rolls back on any exception
  (``db.read()`` for work that only reads);
* on SQLite each transaction starts with ``BEGIN IMMEDIATE``, so two writers
  queue on the busy timeout instead of one failing half-way with "database is
  locked" when it upgrades a read lock (PostgreSQL needs nothing: row locks);
* on SQLite a write first takes its turn among the process's writes
  (:mod:`central.write_queue`), then the one connection kept for writes (an engine of
  its own, :attr:`Database.write_engine`): writes waiting for the lock never take the
  connections readers need, and the write whose turn it is never waits for one the
  readers hold. The turn and the lock together are waited for at most the busy
  timeout;
* the schema is Alembic's: :func:`migrate` runs ``upgrade head`` at every
  server start and for ``kiosk server migrate``. On PostgreSQL it holds an
  advisory lock, so app processes starting together migrate one at a time;
  they load the start-up data (the catalog, the lists, the demo) one at a time
  too (:func:`startup_turn`).
  A database already at the head is told so by its ``alembic_version`` row
  and the revision names of the shipped migration files (:func:`shipped_head`),
  without importing Alembic: most starts need none of it.

SQLite durability is ``journal_mode=WAL`` with ``synchronous=FULL``: the
central server is where a kiosk's submission becomes the city's record, and
a kiosk drops its outbox row once the server said "stored"; with ``NORMAL``
a power cut could lose commits already acknowledged.

No statement carries a text holding a NUL character, on either backend: PostgreSQL
cannot hold one in text (psycopg fails the statement), and SQLite would store what
PostgreSQL could never take. The engine refuses such a statement before it is sent
(:class:`central.errors.TextWithNul`, answered 422), whichever request or field the
text came from and whether or not a check of its own came first.

No database error carries a value into a log line, a traceback or a command's
output: ``hide_parameters`` keeps SQLAlchemy from printing a statement's parameters,
but PostgreSQL's own message repeats them (``DETAIL:  Key (nik)=(1471…) already
exists``, ``invalid input syntax for type date: "Siti …"``). The engine rewrites
every PostgreSQL error as it is raised (:func:`said_without_values`): its SQLSTATE,
the names of what refused it, and its message with every quoted value masked; the
error's ``diag`` (what the code reads to tell a refusal, :func:`central.upsert.violated`)
is left whole.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from central.errors import DatabaseError, TextWithNul
from central.write_queue import WriteQueue

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig
    from sqlalchemy.engine import ExceptionContext

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: Any constant: the key of PostgreSQL's advisory lock around migrations.
_MIGRATION_LOCK = 0x414E4A55  # "ANJU"
#: Another: the key of PostgreSQL's advisory lock around loading the start-up data.
_STARTUP_LOCK = 0x414E4A56  # "ANJV"
#: SQLite: how long a transaction waits for another's write lock (``--sqlite-busy-timeout``);
#: past it, "database is locked", which the API answers 503 (:mod:`central.outage`).
SQLITE_BUSY_S = 10.0
_READ_ONLY = "anjungan_read_only"
#: SQLite: the milliseconds a transaction may wait for the write lock, when less than the
#: busy timeout (a write that waited for its turn); kept per connection as it is set.
_WAIT_MS = "anjungan_wait_ms"
#: Alembic's table of the revision a database is at (its default name).
VERSION_TABLE = "alembic_version"
_REVISION_LINE = re.compile(r"""^revision = (["'])([A-Za-z0-9_]+)\1$""", re.MULTILINE)
_DOWN_REVISION_LINE = re.compile(
    r"""^down_revision = (None|(["'])([A-Za-z0-9_]+)\2)$""", re.MULTILINE
)


class Database:
    """An engine for one database URL and the way to run a transaction on it."""

    def __init__(
        self, url: str, *, pool_size: int = 10, busy_timeout_s: float = SQLITE_BUSY_S
    ) -> None:
        self.url = url
        self.engine = make_engine(url, pool_size=pool_size, busy_timeout_s=busy_timeout_s)
        #: SQLite: this process's writes, one at a time, before each takes a connection.
        self.writes: WriteQueue | None = None
        #: The engine writes are made on: on SQLite one of its own, whose one connection
        #: only the write whose turn it is takes; on PostgreSQL :attr:`engine`.
        self.write_engine = self.engine
        if self.dialect == "sqlite":
            self.writes = WriteQueue(busy_timeout_s)
            self.write_engine = make_engine(url, busy_timeout_s=busy_timeout_s, writer=True)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @contextlib.contextmanager
    def begin(self) -> Iterator[Connection]:
        """One transaction: committed when the block ends, rolled back on an exception.

        On SQLite it waits for its turn among this process's writes first, without a
        connection; :class:`central.errors.WriteQueueTimeout` when the turn does not
        come within the busy timeout, :class:`central.errors.NestedWrite` inside another
        write of the same thread (it would wait for the one it stands in).
        """
        if self.writes is None:
            with self.engine.begin() as conn:
                yield conn
            return
        with self.writes.turn() as turn, self.write_engine.connect() as conn:
            # What the turn left of the busy timeout, once the connection is taken.
            if turn.left_ms is not None:
                conn.execution_options(**{_WAIT_MS: turn.left_ms})
            try:
                transaction = conn.begin()  # BEGIN IMMEDIATE: SQLite's lock, or its wait
            finally:
                turn.began()
            with transaction:
                yield conn

    @property
    def writes_waiting(self) -> int:
        """SQLite: this process's writes waiting for their turn or SQLite's lock (0 on
        PostgreSQL, whose writes wait only for the rows they touch)."""
        return 0 if self.writes is None else self.writes.waiting

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        """A transaction that only reads; on SQLite it does not take the write lock."""
        with self.engine.connect() as conn:
            conn.execution_options(**{_READ_ONLY: True})
            with conn.begin():
                yield conn

    def revision(self) -> str | None:
        """The schema revision the database is at (``None``: empty)."""
        with self.engine.connect() as conn:
            return current_revision(conn)

    def dispose(self) -> None:
        self.engine.dispose()
        if self.write_engine is not self.engine:
            self.write_engine.dispose()


def shown_url(url: URL | str) -> str:
    """``url`` as a log line or message may carry it: no password, no query value.

    SQLAlchemy hides only the password field; libpq also takes ``password``,
    ``sslpassword`` (and any conninfo) as query parameters, so every query
    value is hidden, whatever its name.
    """
    try:
        parsed = make_url(url) if isinstance(url, str) else url
    except (ArgumentError, ValueError):
        return "<not a database URL>"
    hidden = parsed.set(query={key: "hidden" for key in parsed.query})
    return hidden.render_as_string(hide_password=True)


def connection_budget(db: Database) -> int | None:
    """How many more connections PostgreSQL lets this database's role open now: the
    least of the server's (``max_connections`` less the superusers' reserve), the
    database's and the role's ``CONNECTION LIMIT``, each less the connections
    others hold. ``None`` on SQLite (no connections to count)."""
    if db.dialect != "postgresql":
        return None
    with db.read() as conn:
        row = conn.execute(
            text(
                "SELECT current_setting('max_connections')::int"
                " - current_setting('superuser_reserved_connections')::int"
                " - (SELECT count(*) FROM pg_stat_activity"
                "    WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()),"
                " (SELECT datconnlimit FROM pg_database WHERE datname = current_database()),"
                " (SELECT count(*) FROM pg_stat_activity"
                "    WHERE datname = current_database() AND pid <> pg_backend_pid()),"
                " (SELECT rolconnlimit FROM pg_roles WHERE rolname = current_user),"
                " (SELECT count(*) FROM pg_stat_activity"
                "    WHERE usename = current_user AND pid <> pg_backend_pid())"
            )
        ).one()
    server, database_limit, database_used, role_limit, role_used = (int(v) for v in row)
    budget = server
    if database_limit >= 0:
        budget = min(budget, database_limit - database_used)
    if role_limit >= 0:
        budget = min(budget, role_limit - role_used)
    return max(budget, 0)


def make_engine(
    url: str,
    *,
    pool_size: int = 10,
    busy_timeout_s: float = SQLITE_BUSY_S,
    writer: bool = False,
) -> Engine:
    """An engine for ``sqlite:///PATH`` or ``postgresql+psycopg://…``; others are refused.

    ``writer`` (SQLite): the engine of a process's writes, one connection, taken by the
    write whose turn it is (:mod:`central.write_queue`) and by no other.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(f"not a database URL: {exc}") from None
    except ValueError:  # e.g. a port that is not a number: the text may carry a secret
        raise DatabaseError("not a database URL") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise DatabaseError("SQLite needs a file: sqlite:///PATH (not an in-memory database)")
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        # SQLAlchemy's pool for a file: 5 connections, 10 more on a burst, for the readers.
        pool: dict[str, Any] = {}
        if writer:  # one write of the process at a time: one connection, never waited for
            pool = {"pool_size": 1, "max_overflow": 0, "pool_timeout": busy_timeout_s}
        engine = create_engine(
            parsed, connect_args={"timeout": busy_timeout_s}, hide_parameters=True, **pool
        )
        _configure_sqlite(engine, round(busy_timeout_s * 1000))
        _refuse_nul(engine)
        return engine
    if backend == "postgresql":
        if parsed.get_driver_name() != "psycopg":
            parsed = parsed.set(drivername="postgresql+psycopg")
        engine = create_engine(
            parsed,
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_pre_ping=True,
            hide_parameters=True,
        )
        _refuse_nul(engine)
        _hide_values(engine)
        return engine
    raise DatabaseError(f"unsupported database {backend!r}: use sqlite:/// or postgresql://")


def _refuse_nul(engine: Engine) -> None:
    """Refuse, before it is sent, every statement whose parameters hold a text with a NUL
    (:class:`central.errors.TextWithNul`): the one place every text reaches the database."""

    @event.listens_for(engine, "before_cursor_execute")
    def _before(
        _conn: Connection,
        _cursor: Any,
        _statement: str,
        parameters: Any,
        _context: Any,
        _executemany: bool,
    ) -> None:
        if _holds_nul(parameters):
            log.warning("a statement's text holds a NUL character: refused, nothing done")
            raise TextWithNul()


def _hide_values(engine: Engine) -> None:
    """Rewrite every PostgreSQL error ``engine`` raises without the values it quotes."""

    @event.listens_for(engine, "handle_error")
    def _scrub(context: ExceptionContext) -> None:
        orig = context.original_exception
        diag = getattr(orig, "diag", None)
        if diag is None or not type(orig).__module__.startswith("psycopg"):
            return  # SQLite names columns and constraints, never a row's values
        said = said_without_values(orig, diag)
        orig.args = (said,)
        wrapped = context.sqlalchemy_exception
        if wrapped is not None:
            wrapped.args = (f"({type(orig).__module__}.{type(orig).__name__}) {said}",)


def said_without_values(orig: BaseException, diag: Any) -> str:
    """What a PostgreSQL error ``orig`` says, without a value it quotes: its message's
    first line with every quoted text masked but the names ``diag`` gives (a table, a
    column, a constraint, a type), then those names and the SQLSTATE. Its detail,
    context and hint (``Key (nik)=(…)``, ``Failing row contains (…)``) are dropped."""
    names = {
        str(name)
        for name in (
            getattr(diag, attr, None)
            for attr in (
                "schema_name",
                "table_name",
                "column_name",
                "constraint_name",
                "datatype_name",
            )
        )
        if name
    }
    primary = getattr(diag, "message_primary", None) or str(orig).split("\n", 1)[0]
    told = [f"SQLSTATE {getattr(diag, 'sqlstate', None) or '?'}"]
    for attr, label in (
        ("table_name", "table"),
        ("column_name", "column"),
        ("constraint_name", "constraint"),
    ):
        if name := getattr(diag, attr, None):
            told.append(f"{label} {name}")
    return f"{_masked(str(primary), names)} ({', '.join(told)})"


def _masked(said: str, names: set[str]) -> str:
    """``said`` with its quoted values masked. PostgreSQL does not escape a quote inside
    the value it quotes (``"Muhammad "Ucok" R"``), so quotes cannot be paired: a quoted
    text that is one of ``names`` is kept, and from the first quote that opens anything
    else to the last quote of the line, all is one value, masked."""
    kept, at = [], 0
    while (opens := said.find('"', at)) >= 0:
        closes = said.find('"', opens + 1)
        if closes >= 0 and said[opens + 1 : closes] in names:
            kept.append(said[at : closes + 1])
            at = closes + 1
            continue
        kept.append(said[at:opens] + '"…"')
        at = max(said.rfind('"') + 1, opens + 1)
    kept.append(said[at:])
    return "".join(kept)


def _holds_nul(value: object) -> bool:
    """Whether ``value`` (a statement's parameters: one row's, or many rows') holds a text
    with a NUL character. Bytes may hold any byte: they are no text."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        items: Iterable[object] = value.values()
    elif isinstance(value, list | tuple):
        items = value
    else:
        return False
    # every statement passes here: a text looked at in place, a call only for what nests
    for item in items:
        if type(item) is str:
            if "\x00" in item:
                return True
        elif isinstance(item, Mapping | list | tuple | str) and _holds_nul(item):
            return True
    return False


def _configure_sqlite(engine: Engine, busy_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event decide when a transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=FULL",
            "foreign_keys=ON",
            f"busy_timeout={busy_ms}",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        options = conn.get_execution_options()
        read_only = options.get(_READ_ONLY, False)
        # A write that waited for its turn waits for the lock only what is left of the
        # busy timeout; the next transaction on the connection has the whole again.
        wait_ms = busy_ms if read_only else min(busy_ms, options.get(_WAIT_MS, busy_ms))
        kept = conn.connection.info  # a new connection starts with busy_ms (above)
        if kept.get(_WAIT_MS, busy_ms) != wait_ms:
            conn.exec_driver_sql(f"PRAGMA busy_timeout={int(wait_ms)}")
            kept[_WAIT_MS] = wait_ms
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def alembic_config(db: Database | None = None) -> AlembicConfig:
    """Alembic's configuration for the migrations shipped in ``central/migrations``.

    For developers: ``command.revision(alembic_config(db), "queue",
    rev_id="0002_queue", autogenerate=True)`` with a ``db`` at head writes a
    new revision from the difference to :data:`central.tables.metadata`
    (see central/migrations/README.md).
    """
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    if db is not None:
        config.attributes["engine"] = db.engine
    return config


def current_revision(conn: Connection) -> str | None:
    """The revision ``conn``'s database is at (``None``: none yet), as Alembic reads it.

    Raises :class:`DatabaseError` for a table of more than one revision (branches
    this project's linear migrations never make).
    """
    if not inspect(conn).has_table(VERSION_TABLE):
        return None
    rows = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()  # noqa: S608 - a constant
    if len(rows) > 1:
        raise DatabaseError(f"the database is at more than one revision: {sorted(rows)}")
    return str(rows[0]) if rows else None


@functools.cache
def shipped_head() -> str | None:
    """The newest revision of the migrations in ``central/migrations/versions``.

    Read without Alembic (:func:`head_of_files`); ``None`` when only Alembic can
    tell (:func:`alembic_head`). A test holds this equal to Alembic's head.
    """
    return head_of_files(MIGRATIONS / "versions")


def head_of_files(folder: Path) -> str | None:
    """The head of the migration files in ``folder``, from their ``revision = "…"`` lines.

    ``None`` when a file does not say its ``revision`` and ``down_revision`` in
    that plain form, once each, or the revisions are not one line of history.
    """
    revisions: dict[str, str | None] = {}
    for path in sorted(folder.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        names = _REVISION_LINE.findall(source)
        downs = _DOWN_REVISION_LINE.findall(source)
        if len(names) != 1 or len(downs) != 1 or names[0][1] in revisions:
            return None
        revisions[names[0][1]] = downs[0][2] or None
    below = set(revisions.values())
    heads = [name for name in revisions if name not in below]
    roots = [name for name, down in revisions.items() if down is None]
    if len(heads) != 1 or len(roots) != 1 or len(below) != len(revisions):
        return None
    return heads[0]


def alembic_head() -> str | None:
    """The newest revision as Alembic reads the migrations (imports Alembic)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def migrations_head() -> str | None:
    """The newest revision of the migrations shipped with this code."""
    return shipped_head() or alembic_head()


def migrate(db: Database, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (default: the newest); safe to run again.

    A database already at the shipped head is left as it is without loading
    Alembic; any other runs Alembic's ``upgrade``.
    """
    try:
        with db.begin() as conn:
            if db.dialect == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
            head = shipped_head()
            if revision == "head" and head is not None and current_revision(conn) == head:
                return
            from alembic import command

            config = alembic_config()
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
    except OSError as exc:  # e.g. a SQLite file in a folder we may not write
        raise DatabaseError(f"cannot migrate {shown_url(db.engine.url)}: {exc}") from exc


def startup_turn(conn: Connection) -> None:
    """Wait for, then hold until ``conn``'s transaction ends, the turn to load start-up data.

    Every process that starts publishes the catalog, the trust lists and the demo
    unless they are there already: "not there yet" and the insert must be one step,
    or two processes starting together each find nothing, each insert, and the second
    meets a unique key and exits. PostgreSQL: a transaction-scoped advisory lock, so
    the second reads (READ COMMITTED, each statement anew) what the first committed
    and finds it there. SQLite: nothing to take, every writing transaction begins
    with ``BEGIN IMMEDIATE``, one at a time already.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _STARTUP_LOCK})
