"""A throwaway PostgreSQL cluster for the tests: initdb into a temporary folder, pg_ctl start.

As root the server runs as the ``postgres`` OS user (``runuser``), since
PostgreSQL refuses to run as root; otherwise as ourselves. It listens on a
free loopback port and on a unix socket inside its own folder, with fsync
off (the data is thrown away), and is stopped and removed by :meth:`stop`.

Its folder is in RAM (``/dev/shm``) when that has room to spare (:data:`IN_RAM_FREE`),
else in the temporary folder. Each test's database is a copy of the migrated
template, some 13 MB: on a 2-CPU virtual machine's disk a ``CREATE DATABASE`` took
0.35 s even with fsync off, in RAM 0.04 s, and the suite makes hundreds. So that RAM is
given back as the run goes, a database made for one fixture is dropped when that
fixture ends (:meth:`PgCluster.drop_database`, :func:`testkit.centres.migrated_database`).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest


class PgUnavailable(Exception):
    """PostgreSQL's server binaries are missing or cannot be run here."""


def find_bin_dir() -> Path:
    """The folder with ``initdb`` and ``pg_ctl``: $PG_BIN, Debian's newest, or $PATH."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])

    def version(path: Path) -> int:
        match = re.search(r"/(\d+)/bin$", str(path))
        return int(match.group(1)) if match else 0

    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True)
    for candidate in debian:
        if (candidate / "initdb").exists():
            return candidate
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    raise PgUnavailable("PostgreSQL server binaries (initdb, pg_ctl) not found")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


#: Where a cluster goes when it fits: a RAM file system on Debian and Ubuntu.
IN_RAM = Path("/dev/shm")
#: The room ``/dev/shm`` must have free for a cluster to go there: a worker's cluster
#: holds its template and the few databases alive at once (and WAL up to
#: ``max_wal_size``), a few hundred MB; the suite runs one per worker.
IN_RAM_FREE = 6 * 1024**3


def _folder() -> str | None:
    """``/dev/shm`` if a cluster fits there with room to spare; ``None``: the temporary
    folder."""
    try:
        free = shutil.disk_usage(IN_RAM).free
    except OSError:
        return None
    return str(IN_RAM) if free >= IN_RAM_FREE and os.access(IN_RAM, os.W_OK) else None


class PgCluster:
    def __init__(self) -> None:
        self.bin = find_bin_dir()
        self.root = Path(tempfile.mkdtemp(prefix="anjungan-pg-", dir=_folder()))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = _free_port()
        self._as_user: list[str] = []
        self._databases = 0
        self._template: str | None = None
        self._started = False

    def start(self) -> None:
        if os.geteuid() == 0:
            try:
                user = pwd.getpwnam("postgres")
            except KeyError:
                raise PgUnavailable("running as root and there is no 'postgres' user") from None
            os.chown(self.root, user.pw_uid, user.pw_gid)
            self._as_user = ["runuser", "-u", "postgres", "--"]
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
            "--no-sync", "--no-instructions",
        )  # fmt: skip
        options = (
            f"-p {self.port} -h 127.0.0.1 -k {self.root} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300 "
            # WAL kept small: each database copied is written to it whole
            "-c max_wal_size=256MB -c min_wal_size=64MB"
        )
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60",
            "start",
        )  # fmt: skip
        self._started = True
        atexit.register(self.stop)  # also when the session ends without its teardown

    def create_database(self, *, migrated: bool = False) -> str:
        """A new database; returns its SQLAlchemy URL.

        Empty, or with ``migrated`` at the migrations' head (and nothing else): a copy
        of a database this cluster migrated once, so a centre started on it does not
        migrate again (tests of migrating take an empty one).
        """
        template = self._migrated_template() if migrated else None
        self._databases += 1
        name = f"anjungan_test_{self._databases}"
        copy = f' TEMPLATE "{template}"' if template else ""
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"{copy}')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop the database at ``url`` (made by :meth:`create_database`), closing what is
        still connected to it; nothing if it is gone or the cluster is stopped."""
        if not self._started:
            return
        name = url.rsplit("/", 1)[1]
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _migrated_template(self) -> str:
        if self._template is None:
            from central.database import Database, migrate

            url = self.create_database()
            database = Database(url)
            try:
                migrate(database)
            finally:
                database.dispose()  # no session may be open on a template that is copied
            self._template = url.rsplit("/", 1)[1]
        return self._template

    def add_password_role(self, role: str, password: str, database: str) -> str:
        """A role that must give ``password`` over TCP (the rest of the cluster trusts
        every connection), owning ``database``; returns the URL without the password."""
        hba = self.data / "pg_hba.conf"
        rule = f"host all {role} 127.0.0.1/32 scram-sha-256\n"
        hba.write_text(rule + hba.read_text(encoding="utf-8"), encoding="utf-8")
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            conn.execute("SET password_encryption = 'scram-sha-256'")
            conn.execute(f"CREATE ROLE \"{role}\" LOGIN PASSWORD '{password}'")
            conn.execute(f'ALTER DATABASE "{database}" OWNER TO "{role}"')
            conn.execute("SELECT pg_reload_conf()")
        return f"postgresql+psycopg://{role}@127.0.0.1:{self.port}/{database}"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        atexit.unregister(self.stop)
        try:
            if self._started:
                with contextlib.suppress(PgUnavailable):
                    self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
                self._started = False
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def _run(self, tool: str, *args: str) -> None:
        command = [*self._as_user, str(self.bin / tool), *args]
        try:
            result = subprocess.run(
                command, capture_output=True, text=True, timeout=90, check=False, cwd=self.root
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PgUnavailable(f"{tool}: {exc}") from exc
        if result.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise PgUnavailable(f"{tool} failed ({result.returncode}): {result.stderr}{log}")


def running_cluster() -> Iterator[PgCluster]:
    """A started cluster for a fixture to yield, stopped after it; the test skipped where
    PostgreSQL cannot run, but failed in CI."""
    try:
        cluster = PgCluster()
        cluster.start()
    except PgUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI: {exc}")
        pytest.skip(f"PostgreSQL not available: {exc}")
    try:
        yield cluster
    finally:
        cluster.stop()
