"""The centre's settings file (``--config``) and its credentials, through a real centre.

Each test starts ``python -m central`` as a child on 127.0.0.1: what the
service manager runs (docs/configuration.md, "The settings file").
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import pytest

from central.cli_options import settings_from
from central.config_file import apply_config_file, read_config_file
from central.database import Database
from central.errors import CentralStartError, ConfigFileError
from central.process import start_central
from central.server import build_parser
from central.settings import DEMO_ENROLMENT_CODE
from testkit.centre_accounts import enrol
from testkit.centres import SHARED_START_S
from testkit.commands import kiosk
from testkit.pg_cluster import PgCluster

pytestmark = pytest.mark.timeout(120)
#: A centre of this test's own; a loaded machine may take a while to start one.
start = functools.partial(start_central, timeout_s=SHARED_START_S)

PASSWORD = "s3cret-pg-Pa55word"  # noqa: S105 - a throwaway role's, in a throwaway cluster


def _write(folder: Path, text: str | bytes) -> Path:
    path = folder / "central.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def _process_tree(pid: int) -> list[int]:
    """``pid`` and every process below it (Linux /proc)."""
    tree = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        for child in task.read_text().split():
            tree += _process_tree(int(child))
    return tree


def test_the_file_names_the_settings(tmp_path: Path) -> None:
    # Without the file's seed_demo the centre has no catalog and refuses to start.
    config = _write(tmp_path, "seed_demo = true\n")
    with start(seed_demo=False, extra_args=["--config", str(config)]) as centre:
        assert enrol(centre.url, DEMO_ENROLMENT_CODE).status_code == 201


def test_the_command_line_wins_over_the_file(tmp_path: Path) -> None:
    elsewhere = tmp_path / "from-the-file.db"
    config = _write(tmp_path, f"seed_demo = true\ndb = 'sqlite:///{elsewhere}'\n")
    with start(seed_demo=False, extra_args=["--config", str(config)]) as centre:
        # start_central gave --db on the command line: that database is used, not the file's.
        assert Path(centre.db_url.removeprefix("sqlite:///")).exists()
    assert not elsewhere.exists()


BAD_FILES = [
    ("seed_demo = true\nporrt = 8470\n", "unknown key 'porrt'"),
    ("trusted_proxy = ['10.0.0.1']\n", "unknown key 'trusted_proxy'"),
    ("config = 'other.toml'\n", "unknown key 'config'"),
    ("workers = 'many'\n", "key 'workers': not a whole number: 'many'"),
    ("workers = 0\n", "key 'workers': must be at least 1, not 0"),
    ("seed_demo = 'yes'\n", "key 'seed_demo': must be true or false"),
    ("trusted_proxies = '10.0.0.1'\n", "key 'trusted_proxies': must be a list"),
    ("log_format = 'xml'\n", "key 'log_format': 'xml' is not one of auto, plain, journal, json"),
    ("port = {a = 1}\n", "key 'port': must be a string or a number, not dict"),
    ("port = [\n", "not valid TOML"),
    (
        "db = 'postgresql://anjungan:hunter2@127.0.0.1/anjungan'\n",
        "key 'db': kata sandi basis data tidak boleh ditulis di db",
    ),
    # libpq reads a password from the query too: as refused as the password field.
    (
        "db = 'postgresql+psycopg://anjungan@127.0.0.1/anjungan?password=hunter2'\n",
        "key 'db': kata sandi basis data tidak boleh ditulis di db",
    ),
    (
        "db = 'postgresql+psycopg:///anjungan?host=127.0.0.1&PassWord=hunter2'\n",
        "key 'db': kata sandi basis data tidak boleh ditulis di db",
    ),
    (
        "db = 'postgresql://anjungan@127.0.0.1/anjungan?sslpassword=hunter2'\n",
        "key 'db': kata sandi basis data tidak boleh ditulis di db",
    ),
    (
        "db = 'postgresql://anjungan:hunter2@127.0.0.1:notaport/anjungan'\n",
        "key 'db': kata sandi basis data tidak boleh ditulis di db",
    ),
    ("db = 'postgresql://anjungan@127.0.0.1:notaport/anjungan'\n", "key 'db': not a database URL"),
    ("workers = 100000\n", "key 'workers': must be at most 64, not 100000"),
    ("a = " + "[" * 100_000 + "]" * 100_000 + "\n", "not valid TOML (nested too deeply)"),
    ("catalog = '" + "A" * 300_000 + "'\n", "larger than 256 KiB"),
    (b"port = '\xff'\n", "not UTF-8 text"),
]


@pytest.mark.parametrize(("text", "message"), BAD_FILES, ids=[m for _, m in BAD_FILES])
def test_a_bad_file_is_refused_naming_the_key(
    tmp_path: Path, text: str | bytes, message: str
) -> None:
    config = _write(tmp_path, text)
    with pytest.raises(ConfigFileError) as caught:
        read_config_file(config, build_parser())
    said = str(caught.value)
    assert said.startswith(f"konfigurasi salah / bad configuration: {config}: {message}")
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "message"), [BAD_FILES[0], BAD_FILES[10], BAD_FILES[-3], BAD_FILES[-2]]
)
def test_a_bad_file_stops_the_centre_with_a_message(
    tmp_path: Path, text: str, message: str
) -> None:
    config = _write(tmp_path, text)
    with pytest.raises(CentralStartError) as caught:
        start(seed_demo=True, extra_args=["--config", str(config)])
    assert "exited with status 2 before listening" in str(caught.value)
    bad = "central: error: konfigurasi salah / bad configuration: "
    assert f"{bad}{config}: {message}" in str(caught.value)
    assert "hunter2" not in str(caught.value)


def test_a_missing_file_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(CentralStartError) as caught:
        start(extra_args=["--config", str(tmp_path / "nowhere.toml")])
    assert "exited with status 2 before listening" in str(caught.value)
    assert "nowhere.toml: cannot read (No such file or directory)" in str(caught.value)


def test_the_password_comes_from_a_credential_never_the_command_line(
    tmp_path: Path, pg_cluster: PgCluster
) -> None:
    database = pg_cluster.create_database().rsplit("/", 1)[1]
    url = pg_cluster.add_password_role("anjungan_svc", PASSWORD, database)
    credentials = tmp_path / "credentials"
    credentials.mkdir(mode=0o700)
    (credentials / "db-password").write_text(PASSWORD + "\n", encoding="utf-8")
    config = _write(tmp_path, f"db = '{url}'\nworkers = 2\nseed_demo = true\n")
    argv = ["--config", str(config)]

    # Without the credential the role cannot log in: the password is really needed.
    with pytest.raises(CentralStartError) as caught:
        start(seed_demo=False, db_url=url, extra_args=argv)
    assert "exited with status 4 before listening" in str(caught.value)

    env = {"CREDENTIALS_DIRECTORY": str(credentials)}
    with start(seed_demo=False, db_url=url, extra_args=argv, env=env) as centre:
        # A request that writes to the database, served by one of the workers.
        assert enrol(centre.url, DEMO_ENROLMENT_CODE).status_code == 201
        processes = _process_tree(centre.process.pid)
        assert len(processes) == 3  # the parent and its two workers
        for pid in processes:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            environ = Path(f"/proc/{pid}/environ").read_bytes()
            assert PASSWORD.encode() not in cmdline
            assert PASSWORD.encode() not in environ
        assert PASSWORD not in centre.output_tail()


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_password_in_the_query_is_warned_of_and_never_logged(
    pg_cluster: PgCluster, workers: str
) -> None:
    database = pg_cluster.create_database().rsplit("/", 1)[1]
    url = pg_cluster.add_password_role(f"anjungan_q{workers}", PASSWORD, database)
    with_query = f"{url}?password={PASSWORD}&application_name=centre"
    argv = ["--workers", workers, "--log-format", "json"]
    with start(db_url=with_query, extra_args=argv) as centre:
        # The password really is used: the centre writes with it.
        assert enrol(centre.url, DEMO_ENROLMENT_CODE).status_code == 201
        centre.stop()
        said = centre.output_tail()
    assert PASSWORD not in said
    assert "the database password is on the command line, where ps shows it" in said
    assert "application_name=hidden" in said  # the database line, its query hidden


def test_a_password_file_must_name_a_postgresql_database(tmp_path: Path) -> None:
    secret = tmp_path / "db-password"
    secret.write_text("whatever\n", encoding="utf-8")
    os.chmod(secret, 0o600)
    config = _write(tmp_path, f"seed_demo = true\ndb_password_file = '{secret}'\n")
    with pytest.raises(CentralStartError) as caught:
        start(extra_args=["--config", str(config)])
    assert "a database password needs a PostgreSQL db" in str(caught.value)


def test_operator_commands_read_the_file_too(tmp_path: Path) -> None:
    database = tmp_path / "central.db"
    config = _write(tmp_path, f"db = 'sqlite:///{database}'\n")
    result = kiosk("server", "--config", str(config), "migrate")
    assert result.returncode == 0, result.stderr
    migrated = Database(f"sqlite:///{database}")
    try:
        assert migrated.revision() is not None
    finally:
        migrated.dispose()


def test_the_audit_key_is_kept_out_of_reprs_and_its_file_to_its_owner(tmp_path: Path) -> None:
    key = "audit-key-0123456789abcdef-XYZ"
    audit = tmp_path / "audit-key"
    audit.write_text(key, encoding="utf-8")
    config = _write(tmp_path, f"seed_demo = true\naudit_key_file = '{audit}'\n")
    parser = build_parser()
    args = parser.parse_args(["--config", str(config)])
    apply_config_file(parser, args, ["--config", str(config)])
    settings = settings_from(args)
    assert settings.audit_key == key.encode()
    assert key not in repr(settings)

    warning = "the audit key file"
    os.chmod(audit, 0o644)
    with start(seed_demo=False, extra_args=["--config", str(config)]) as centre:
        assert enrol(centre.url, DEMO_ENROLMENT_CODE).status_code == 201
        assert f"{warning} {audit} can be read by others" in centre.output_tail()
    os.chmod(audit, 0o600)
    with start(seed_demo=False, extra_args=["--config", str(config)]) as centre:
        assert warning not in centre.output_tail()


def test_a_database_url_that_cannot_be_read_is_said_without_echoing_it() -> None:
    url = "postgresql+psycopg://anjungan:hunter2@127.0.0.1:notaport/anjungan"
    result = kiosk("server", "--db", url, "--port", "0")
    assert result.returncode == 4, result.stderr
    assert "central: error: not a database URL" in result.stderr
    assert "hunter2" not in result.stderr and "Traceback" not in result.stderr
