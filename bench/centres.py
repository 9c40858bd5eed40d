"""The centres a server benchmark measures: the demo on SQLite and, where it runs, on
a throwaway PostgreSQL, each its own process with the limits the benchmark lifts."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager


@contextmanager
def demo_centres(quick: bool, extra_args: Sequence[str]) -> Iterator[list[tuple[str, str, str]]]:
    """(backend, server URL, database URL) for SQLite and, unless ``quick``, PostgreSQL."""
    from central.process import start_central

    with ExitStack() as stack:
        found = []
        sqlite = stack.enter_context(start_central(seed_demo=True, extra_args=extra_args))
        found.append(("SQLite", sqlite.url, sqlite.db_url))
        if not quick:
            from testkit.pg_cluster import PgCluster, PgUnavailable

            try:
                cluster = PgCluster()
                cluster.start()
                stack.callback(cluster.stop)
                db_url = cluster.create_database()
                pg = stack.enter_context(
                    start_central(seed_demo=True, db_url=db_url, extra_args=extra_args)
                )
                found.append(("PostgreSQL", pg.url, db_url))
            except PgUnavailable:  # no PostgreSQL on this machine: SQLite alone
                pass
        yield found
