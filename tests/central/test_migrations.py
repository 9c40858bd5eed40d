"""The schema: migrations from empty to head on SQLite and PostgreSQL, and they match the tables."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from central.database import (
    MIGRATIONS,
    Database,
    alembic_config,
    alembic_head,
    head_of_files,
    migrate,
    shipped_head,
)
from central.errors import DatabaseError
from central.tables import metadata
from testkit.fresh_python import run_python

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


def test_the_head_read_from_the_files_is_alembics() -> None:
    assert shipped_head() is not None
    assert shipped_head() == alembic_head()
    assert shipped_head() == ScriptDirectory.from_config(alembic_config()).get_current_head()


def _revision_file(folder: Path, name: str, down: str | None, *, form: str = "{!r}") -> None:
    below = "None" if down is None else form.format(down)
    (folder / f"{name}.py").write_text(
        f'"""A migration."""\n\nrevision = {form.format(name)}\ndown_revision = {below}\n',
        encoding="utf-8",
    )


def test_the_head_of_files_leaves_what_it_cannot_read_to_alembic(tmp_path: Path) -> None:
    _revision_file(tmp_path, "0001_a", None)  # as script.py.mako writes it: 'name'
    _revision_file(tmp_path, "0002_b", "0001_a", form='"{}"')  # as ruff format leaves it
    assert head_of_files(tmp_path) == "0002_b"
    _revision_file(tmp_path, "0003_c", "0001_a")  # a branch: two heads
    assert head_of_files(tmp_path) is None
    (tmp_path / "0003_c.py").unlink()
    _revision_file(tmp_path, "0003_c", "0002_b", form="'{}\"")  # not a plain string
    assert head_of_files(tmp_path) is None
    _revision_file(tmp_path, "0003_c", "0002_b")
    assert head_of_files(tmp_path) == "0003_c"
    (tmp_path / "0004_d.py").write_text("revision = make_it()\n", encoding="utf-8")
    assert head_of_files(tmp_path) is None


def test_a_database_at_head_starts_without_alembic(db_url: str) -> None:
    db = Database(db_url)
    try:
        migrate(db)
    finally:
        db.dispose()
    # A fresh interpreter, as a centre's start is: the check reads alembic_version alone.
    code = (
        "import sys\n"
        "from central.database import Database, migrate\n"
        f"db = Database({db_url!r})\n"
        "migrate(db)\n"
        "print(db.revision(), sorted(m for m in sys.modules if m.startswith('alembic')))\n"
        "db.dispose()\n"
    )
    assert run_python(code, timeout=60).split() == [str(shipped_head()), "[]"]


def test_a_database_behind_is_migrated_by_alembic(db_url: str) -> None:
    db = Database(db_url)
    try:
        migrate(db)
        command.downgrade(alembic_config(db), "0015_integrations")
        assert db.revision() == "0015_integrations"
        migrate(db)
        assert db.revision() == shipped_head()
    finally:
        db.dispose()


def test_two_revisions_in_the_table_are_an_error(db_url: str) -> None:
    db = Database(db_url)
    try:
        migrate(db)
        with db.begin() as conn:
            conn.execute(text("INSERT INTO alembic_version (version_num) VALUES ('0001_initial')"))
        with pytest.raises(DatabaseError, match="more than one revision"):
            db.revision()
    finally:
        db.dispose()
