"""A database error never carries a value into a log line, a traceback or a message.

``hide_parameters`` kept SQLAlchemy from printing a statement's parameters, but
PostgreSQL's own message repeats them: a second citizen with one NIK failed with
``DETAIL:  Key (nik)=(1471…) already exists``, and a text where a date belongs with
``invalid input syntax for type date: "…"``. An error the code does not expect is
logged with its traceback for staff (the centre answers 500), so a NIK or a name
reached the log in clear. The engine now rewrites each such error as it is raised.
On a real database of each backend, through the centre's own engine.
"""

from __future__ import annotations

import io
import logging
import traceback
from collections.abc import Iterator

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.exc import DataError, IntegrityError

from central.access.audit import utc_now
from central.database import Database
from central.tables import citizens
from central.upsert import violated
from testkit.centres import BACKENDS, migrated_database

NIK = "1471010101900077"
NAME = "Siti Rahmawati Nurhaliza"


@pytest.fixture(scope="module", params=BACKENDS)
def db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    url = migrated_database(request, tmp_path_factory, str(request.param), "quoted-values")
    database = Database(url)
    try:
        yield database
    finally:
        database.dispose()


def _everything_said(exc: BaseException) -> str:
    """What staff could read of ``exc``: its text, its traceback (with the driver's error
    it came from), and a log line with its traceback."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("tests.quoted_values")
    logger.addHandler(handler)
    try:
        logger.error("the request failed", exc_info=exc)
    finally:
        logger.removeHandler(handler)
    return "\n".join([str(exc), *traceback.format_exception(exc), out.getvalue()])


def test_a_second_citizen_with_one_nik_is_refused_without_the_nik(db: Database) -> None:
    row = {"nik": NIK, "full_name": NAME, "updated_at": utc_now()}
    with db.begin() as conn:
        conn.execute(insert(citizens).values(**row))
    second = insert(citizens).values(**{**row, "full_name": "Budi Santoso"})
    with pytest.raises(IntegrityError) as refused, db.begin() as conn:
        conn.execute(second)  # the traceback quotes this line: no value in it
    said = _everything_said(refused.value)
    assert NIK not in said and "Budi" not in said and "Santoso" not in said
    # what the code tells a refusal by is whole
    assert violated(refused.value) in ("uq_citizens_nik", frozenset({"citizens.nik"}))
    if db.dialect == "postgresql":
        assert "SQLSTATE 23505" in said and "constraint uq_citizens_nik" in said
    with db.read() as conn:  # the first one stands
        assert (
            conn.execute(select(citizens.c.full_name).where(citizens.c.nik == NIK)).scalar() == NAME
        )


#: Names as a hostile or an unlucky form may bring them: PostgreSQL quotes a value
#: without escaping the quotes inside it, so quotes cannot be paired.
NAMES = (NAME, 'a" Siti Rahmawati "b', 'Muhammad "Ucok" Rahmawati', 'Siti "Rahmawati')


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("cast", ["date", "integer", "uuid"])
def test_a_name_where_another_type_belongs_is_refused_without_the_name(
    db: Database, cast: str, name: str
) -> None:
    if db.dialect != "postgresql":
        pytest.skip("SQLite takes any text in a cast: nothing is refused")
    with pytest.raises(DataError) as refused, db.read() as conn:
        conn.execute(text(f"SELECT CAST(:value AS {cast})"), {"value": name})
    said = _everything_said(refused.value)
    for word in ("Siti", "Rahmawati", "Nurhaliza", "Ucok", "Muhammad"):
        assert word not in said, (word, said)
    assert "SQLSTATE 22" in said  # its class, data exception, tells staff what it was


def test_a_row_missing_a_value_is_refused_without_the_rest_of_the_row(db: Database) -> None:
    """PostgreSQL's "Failing row contains (…)" wrote out every other value of the row."""
    row = insert(citizens).values(nik="1471010101900078", full_name=None, updated_at=utc_now())
    with pytest.raises(IntegrityError) as refused, db.begin() as conn:
        conn.execute(row)
    said = _everything_said(refused.value)
    assert "1471010101900078" not in said
    assert "full_name" in said  # what was missing, for staff
