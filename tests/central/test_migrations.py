"""The schema: migrations from empty to head on SQLite and PostgreSQL, and they match the tables."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from central.database import MIGRATIONS, Database, alembic_config, migrate
from central.tables import metadata

ROOT = Path(__file__).resolve().parents[2]


def test_revisions_form_one_chain_from_0001() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    revisions = list(reversed(list(script.walk_revisions())))
    assert revisions[0].revision == "0001_initial"
    assert revisions[0].down_revision is None
    for before, after in itertools.pairwise(revisions):
        assert after.down_revision == before.revision, "each revision follows the one before"
    assert len(script.get_heads()) == 1, "one head: no branches"
    for revision in revisions:
        number = revision.revision.split("_")[0]
        assert number.isdigit() and len(number) == 4, revision.revision
        assert Path(revision.path).name == f"{revision.revision}.py"


def test_empty_to_head_and_models_match(db_url: str) -> None:
    db = Database(db_url)
    try:
        assert db.revision() is None
        migrate(db)
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert db.revision() == head
        assert set(inspect(db.engine).get_table_names()) >= set(metadata.tables)
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == [], (
                "central/tables.py and migrations differ"
            )
        migrate(db)  # a second start changes nothing
        assert db.revision() == head
    finally:
        db.dispose()


def test_downgrade_to_empty_and_up_again(db_url: str) -> None:
    db = Database(db_url)
    try:
        migrate(db)
        config = alembic_config(db)
        command.downgrade(config, "base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        migrate(db)
        assert set(inspect(db.engine).get_table_names()) >= set(metadata.tables)
    finally:
        db.dispose()


def test_migrations_ship_in_the_package() -> None:
    assert MIGRATIONS.parent == ROOT / "central"
    assert (MIGRATIONS / "env.py").is_file()
    assert (MIGRATIONS / "script.py.mako").is_file()
    assert (MIGRATIONS / "README.md").is_file()
    assert not (MIGRATIONS / "__init__.py").exists(), "env.py must not import as a module"


def test_migrate_command(db_url: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kiosk.cli.main", "server", "migrate", "--db", db_url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert f"database at revision {head}" in result.stderr
