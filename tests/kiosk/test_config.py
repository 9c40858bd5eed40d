"""Configuration: lookup order, defaults, and errors that name the key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kiosk import config as cfg
from kiosk.config import Config, find_config, load_config, parse_config
from kiosk.errors import ConfigError

DOCS = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_no_file_means_embedded_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cfg, "default_path", lambda: tmp_path / "absent.toml")
    monkeypatch.setattr(cfg, "SYSTEM_PATH", tmp_path / "etc" / "absent.toml")
    assert load_config(None, environ={}) == Config()


def test_lookup_order_flag_then_env_then_platform_dir_then_the_package_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    platform_file = tmp_path / "platform.toml"
    platform_file.write_text("")
    system_file = tmp_path / "etc" / "kiosk.toml"
    system_file.parent.mkdir()
    system_file.write_text("")
    monkeypatch.setattr(cfg, "default_path", lambda: platform_file)
    monkeypatch.setattr(cfg, "SYSTEM_PATH", system_file)
    env_file = tmp_path / "env.toml"
    flag_file = tmp_path / "flag.toml"
    assert find_config(flag_file, {cfg.ENV_VAR: str(env_file)}) == flag_file
    assert find_config(None, {cfg.ENV_VAR: str(env_file)}) == env_file
    assert find_config(None, {}) == platform_file
    platform_file.unlink()  # `sudo -u anjungan`: no $ANJUNGAN_CONFIG, no file in its home
    assert find_config(None, {}) == system_file


def test_the_package_file_is_where_the_package_and_its_unit_put_it() -> None:
    assert Path("/etc/anjungan/kiosk.toml") == cfg.SYSTEM_PATH
    units = list((Path(__file__).resolve().parents[2] / "packaging" / "systemd").glob("*kiosk*"))
    assert units
    for unit in units:
        assert f"{cfg.ENV_VAR}={cfg.SYSTEM_PATH}" in unit.read_text()


def test_a_file_overrides_only_what_it_says(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text('[card]\nbackend = "pcsc"\n[session]\nidle_timeout_s = 90\n')
    config = load_config(path, environ={})
    assert config.card.backend == "pcsc"
    assert config.session.idle_timeout_s == 90.0
    assert config.printer == Config().printer
    assert config.source == str(path)


@pytest.mark.parametrize(
    ("toml", "key", "problem"),
    [
        ("[card]\nbackend = 'magnetic'\n", "card.backend", "must be one of"),
        ("[card]\nreaderr = 'x'\n", "card.readerr", "unknown key"),
        ("[printers]\n", "printers", "unknown section"),
        ("[session]\nidle_timeout_s = -1\n", "session.idle_timeout_s", "positive number"),
        ("[session]\nidle_timeout_s = 'lama'\n", "session.idle_timeout_s", "positive number"),
        ("[kiosk]\nfullscreen = 'yes'\n", "kiosk.fullscreen", "true or false"),
        ("[kiosk]\noffice_id = 7\n", "kiosk.office_id", "must be a string"),
        ("card = 1\n", "card", "must be a table"),
        (
            "[session]\nidle_timeout_s = 10\nidle_warning_s = 20\n",
            "session.idle_warning_s",
            "shorter than",
        ),
        ("[central]\nurl = 'ftp://x'\n", "central.url", "http"),
        ("[central]\nurl = 'https://x/" + "a" * 191 + "'\n", "central.url", "at most 200"),
        ("[session]\nconsent_timeout_s = 0.5\n", "session.consent_timeout_s", "20 to 600"),
        ("[session]\nconsent_timeout_s = 19.9\n", "session.consent_timeout_s", "20 to 600"),
        ("[session]\nconsent_timeout_s = 1e9\n", "session.consent_timeout_s", "20 to 600"),
        ("[card\n", "(file)", "not valid TOML"),
    ],
)
def test_bad_config_names_the_key(tmp_path: Path, toml: str, key: str, problem: str) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert caught.value.key == key
    assert problem in str(caught.value)


@pytest.mark.parametrize("seconds", [20, 30.0, 600])
def test_the_consent_time_within_its_bounds_is_taken(tmp_path: Path, seconds: float) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(f"[session]\nconsent_timeout_s = {seconds}\n")
    assert load_config(path, environ={}).session.consent_timeout_s == seconds


def test_unreadable_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.toml", environ={})


def test_derived_paths_follow_data_dir() -> None:
    config = parse_config({"kiosk": {"data_dir": "/srv/kiosk"}})
    assert config.store_path == Path("/srv/kiosk/kiosk.db")
    assert config.ticket_dir == Path("/srv/kiosk/tickets")


def test_every_key_is_documented_with_its_default() -> None:
    text = DOCS.read_text(encoding="utf-8")
    missing = []
    for section, cls in cfg.SECTIONS.items():
        for name, default in vars(cls()).items():
            rendered = str(default).lower() if isinstance(default, bool) else str(default)
            row = re.search(rf"^\| `{section}\.{name}` \| `([^`]*)` \|", text, re.M)
            if row is None or row.group(1).strip('"') != rendered:
                missing.append(f"{section}.{name} (default {rendered!r})")
    assert missing == []


def test_the_shipped_example_configuration_is_valid() -> None:
    example = DOCS.parents[1] / "packaging" / "kiosk.toml.example"
    config = load_config(example, environ={})
    assert config.card.backend == "pcsc" and config.kiosk.fullscreen


@pytest.mark.parametrize(
    "output_dir",
    ["{data}", "{data}/", "{data}/sounds", "{data}/tickets/../", "{keys}", "{token}"],
)
def test_the_pdf_folder_is_never_where_the_kiosk_keeps_its_data(
    tmp_path: Path, output_dir: str
) -> None:
    # The printer purges old slips from its folder: there it must find nothing else.
    folders = {"data": tmp_path / "data", "keys": tmp_path / "keys", "token": tmp_path / "tok"}
    data = {
        "kiosk": {"data_dir": str(folders["data"])},
        "store": {"key_file": str(folders["keys"] / "store.key")},
        "central": {"token_file": str(folders["token"] / "central-token")},
        "printer": {"output_dir": output_dir.format(**{k: str(v) for k, v in folders.items()})},
    }
    with pytest.raises(ConfigError) as caught:
        parse_config(data, "kiosk.toml")
    assert caught.value.key == "printer.output_dir"
    assert "own data" in str(caught.value)


@pytest.mark.parametrize("output_dir", ["{data}/tickets", "{root}/tickets", "{root}/data-slips"])
def test_a_pdf_folder_of_its_own_is_accepted(tmp_path: Path, output_dir: str) -> None:
    root = tmp_path
    data = {
        "kiosk": {"data_dir": str(root / "data")},
        "printer": {"output_dir": output_dir.format(data=root / "data", root=root)},
    }
    config = parse_config(data)
    assert config.ticket_dir == Path(output_dir.format(data=root / "data", root=root))


def test_a_nul_character_in_a_string_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text('[kiosk]\ndata_dir = "/var/lib/anjungan\\u0000x"\n')
    with pytest.raises(ConfigError, match=r"kiosk\.data_dir: must not contain a NUL"):
        load_config(path, environ={})
