"""The centre's settings file (``--config PATH``) and the secrets beside it.

A deployed centre reads its settings from a TOML file (the Debian package's
``/etc/anjungan/central.toml``), never from a long command line: its keys
are the long options of ``kiosk server`` with ``_`` for ``-`` (``db``,
``port``, ``workers``, ``audit_key_file``, …); the repeatable options are
lists (``trusted_proxies``, ``metrics_allow``). Options given on the
command line win over the file. An unknown key, or a value of the wrong
kind, is a configuration error naming the key.

Secrets are never values in the file (nor on the command line, where ``ps``
shows them): ``db`` may not carry a password. The password comes from
``db_password_file``, or, when systemd hands the service its credentials
(``LoadCredential=``, ``$CREDENTIALS_DIRECTORY``), from the credential
``db-password``; likewise ``audit-key`` and ``integrations`` when their
files are not named. An empty credential is none (the Debian package makes
``db-password`` and ``integrations`` empty: no password, integrations off).
"""

from __future__ import annotations

import argparse
import logging
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from central.errors import ConfigFileError

log = logging.getLogger(__name__)

#: Keys whose option has another name on the command line (a repeatable one).
_RENAMED = {"trusted_proxies": "trusted_proxy"}
#: Options that are not settings.
_NOT_KEYS = {"help", "config", "command"}
#: The credentials systemd may hand the service, and the option each stands for.
CREDENTIALS = {
    "db-password": "db_password_file",
    "audit-key": "audit_key_file",
    "integrations": "integrations",
}
#: A settings file is a page of keys: anything larger is not one.
MAX_FILE_BYTES = 256 * 1024
#: Why a password in the database URL is refused (never echoing the URL).
DB_URL_REFUSED = (
    "kata sandi basis data tidak boleh ditulis di db (terlihat di ps dan berkas konfigurasi); "
    "taruh di berkas db_password_file atau kredensial systemd db-password. / "
    "the database password must not be part of db: put it in db_password_file "
    "or the systemd credential db-password"
)


def apply_config_file(
    parser: argparse.ArgumentParser, args: argparse.Namespace, argv: list[str]
) -> None:
    """Fill ``args`` from ``args.config`` where the command line did not set an option."""
    path: Path | None = getattr(args, "config", None)
    if path is None:
        return
    values = read_config_file(path, parser)
    given = _given_on_command_line(parser, argv)
    for dest, value in values.items():
        if dest not in given:
            setattr(args, dest, value)


def read_config_file(path: Path, parser: argparse.ArgumentParser) -> dict[str, Any]:
    """The file's settings as ``{option dest: value}``, checked as the command line checks."""
    try:
        with open(path, "rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ConfigFileError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ConfigFileError(f"{path}: larger than {MAX_FILE_BYTES // 1024} KiB")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigFileError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigFileError(f"{path}: not valid TOML ({exc})") from None
    except RecursionError:
        raise ConfigFileError(f"{path}: not valid TOML (nested too deeply)") from None
    actions = {
        action.dest: action
        for action in parser._actions
        if action.dest not in _NOT_KEYS and action.option_strings
    }
    result: dict[str, Any] = {}
    for key, value in data.items():
        dest = _RENAMED.get(key, key)
        action = actions.get(dest)
        if action is None or key in _RENAMED.values():
            raise ConfigFileError(f"{path}: unknown key {key!r}")
        try:
            result[dest] = _convert(action, value)
        except (argparse.ArgumentTypeError, ValueError, TypeError) as exc:
            raise ConfigFileError(f"{path}: key {key!r}: {exc}") from None
    db = result.get("db")
    if db is not None and _has_password(db):
        raise ConfigFileError(f"{path}: key 'db': {DB_URL_REFUSED}")
    if db is not None:
        try:
            make_url(db)
        except (ArgumentError, ValueError):
            # Never the URL itself: whatever it carries stays out of the message.
            raise ConfigFileError(f"{path}: key 'db': not a database URL") from None
    return result


def _convert(action: argparse.Action, value: Any) -> Any:
    if action.nargs == 0:  # a flag (store_true)
        if not isinstance(value, bool):
            raise TypeError("must be true or false")
        return value
    if isinstance(action, argparse._AppendAction):
        if not isinstance(value, list):
            raise TypeError("must be a list")
        return [_one(action, item) for item in value]
    return _one(action, value)


def _one(action: argparse.Action, value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise TypeError(f"must be a string or a number, not {type(value).__name__}")
    converted = action.type(str(value)) if callable(action.type) else str(value)
    if action.choices is not None and converted not in action.choices:
        choices = ", ".join(map(str, action.choices))
        raise ValueError(f"{value!r} is not one of {choices}")
    return converted


def _given_on_command_line(parser: argparse.ArgumentParser, argv: list[str]) -> set[str]:
    """The dests of the options ``argv`` itself sets (parsed again without defaults)."""
    saved = [(action, action.default) for action in parser._actions]
    try:
        for action, _ in saved:
            action.default = argparse.SUPPRESS
        probe = parser.parse_args(argv)
    finally:
        for action, default in saved:
            action.default = default
    return set(vars(probe))


#: Query parameters libpq reads a secret from (``passfile`` names a file: allowed).
_SECRET_PARAMETERS = frozenset({"password", "sslpassword"})


def _has_password(url: str) -> bool:
    """Whether ``url`` carries a secret: in its password field, or as a query
    parameter (``?password=``, ``?sslpassword=``, or a conninfo with one in a value)."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        # Not a URL SQLAlchemy reads (the database layer says what is wrong with
        # it); still, it must not smuggle a password past this rule.
        return ":" in url.partition("://")[2].partition("@")[0] and "@" in url
    if parsed.password is not None:
        return True
    for key, values in parsed.query.items():
        if key.lower() in _SECRET_PARAMETERS:
            return True
        for value in (values,) if isinstance(values, str) else values:
            if "password" in value.lower() and ("=" in value or "@" in value):
                return True
    return False


def apply_credentials(args: argparse.Namespace, env: Mapping[str, str] | None = None) -> None:
    """Name the files systemd's credentials hold where no option named one, and add the
    database password (from ``db_password_file``) to ``args.db``."""
    environ = os.environ if env is None else env
    folder = environ.get("CREDENTIALS_DIRECTORY", "")
    if folder:
        for credential, dest in CREDENTIALS.items():
            candidate = Path(folder) / credential
            # Empty is none: systemd refuses to start a service whose LoadCredential=
            # file is missing, so the package makes the unused ones empty.
            if getattr(args, dest, None) is None and _non_empty_file(candidate):
                setattr(args, dest, candidate)
    if args.db is not None and _has_password(args.db):
        log.warning(
            "the database password is on the command line, where ps shows it: %s",
            ("use --config with db_password_file or the systemd credential db-password"),
        )
    password_file: Path | None = getattr(args, "db_password_file", None)
    if password_file is None:
        return
    try:
        password = Path(password_file).read_text(encoding="utf-8").strip("\r\n")
        readable_by_others = bool(Path(password_file).stat().st_mode & 0o007)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigFileError(f"the database password file {password_file}: {exc}") from None
    if readable_by_others:
        log.warning(
            "the database password file %s can be read by others: chmod o-rwx it", (password_file)
        )
    if not password:
        raise ConfigFileError(f"the database password file {password_file} is empty")
    args.db = with_password(args.db, password)


def _non_empty_file(path: Path) -> bool:
    try:
        return path.is_file() and path.stat().st_size > 0
    except OSError:
        return False


def with_password(db: str | None, password: str) -> str:
    """``db`` with ``password`` in it (a PostgreSQL URL only)."""
    if db is None:
        raise ConfigFileError("a database password needs a PostgreSQL db (postgresql://…)")
    try:
        url = make_url(db)
    except ArgumentError as exc:
        raise ConfigFileError(f"not a database URL: {exc}") from None
    if url.get_backend_name() != "postgresql":
        raise ConfigFileError("a database password needs a PostgreSQL db (postgresql://…)")
    return url.set(password=password).render_as_string(hide_password=False)
