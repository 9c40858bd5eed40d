"""contract/logs.py: plain, journal (syslog priority) and JSON lines, for the centre and
the kiosk, in real processes."""

from __future__ import annotations

import functools
import io
import json
import logging
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests

from central.process import start_central
from contract.logs import JournalFormatter, JsonFormatter, configure_logging, priority_of
from testkit.centres import SHARED_START_S
from testkit.commands import kiosk

pytestmark = pytest.mark.timeout(120)

ROOT = Path(__file__).resolve().parents[1]
start = functools.partial(start_central, timeout_s=SHARED_START_S)


def _record(level: int, msg: str, exc: bool = False) -> logging.LogRecord:
    exc_info = None
    if exc:
        try:
            raise ValueError("broken\nacross lines")
        except ValueError:
            exc_info = sys.exc_info()
    return logging.LogRecord("central.test", level, __file__, 1, msg, None, exc_info)


@pytest.mark.parametrize(
    ("level", "priority"),
    [
        (logging.DEBUG, 7),
        (logging.INFO, 6),
        (logging.WARNING, 4),
        (logging.ERROR, 3),
        (logging.CRITICAL, 2),
    ],
)
def test_each_level_has_its_syslog_priority(level: int, priority: int) -> None:
    assert priority_of(level) == priority
    line = JournalFormatter().format(_record(level, "hello"))
    assert line == f"<{priority}>{logging.getLevelName(level)} central.test: hello"


def test_a_multi_line_record_stays_one_line() -> None:
    journal = JournalFormatter().format(_record(logging.ERROR, "first\nsecond", exc=True))
    assert "\n" not in journal
    assert journal.startswith("<3>ERROR central.test: first\\nsecond\\nTraceback")
    entry = json.loads(JsonFormatter().format(_record(logging.ERROR, "first\nsecond", exc=True)))
    assert entry["msg"] == "first\nsecond"
    assert entry["level"] == "ERROR" and entry["logger"] == "central.test"
    assert (
        entry["exc"].startswith("Traceback") and "ValueError: broken\nacross lines" in entry["exc"]
    )
    assert entry["ts"].endswith("+00:00")


def test_a_handler_someone_else_installed_is_left_alone() -> None:
    # pytest's capture handlers are on the root logger here, as they are when a test calls
    # a command's main() in its own process: like basicConfig, nothing is added.
    before = list(logging.getLogger().handlers)
    assert before
    assert configure_logging("json", stream=io.StringIO()) == "json"
    assert logging.getLogger().handlers == before


def _log_once(stderr_path: Path, env: dict[str, str]) -> str:
    code = (
        "import logging; from contract.logs import configure_logging;"
        "print(configure_logging('auto')); logging.getLogger('x').warning('careful')"
    )
    with stderr_path.open("w") as stderr:
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            timeout=30,
            check=True,
            env={**os.environ, **env},
        )
    return result.stdout.strip()


def test_auto_writes_journal_lines_to_systemds_stream(tmp_path: Path) -> None:
    stream = tmp_path / "stderr"
    stream.touch()
    stat = os.stat(stream)
    assert _log_once(stream, {"JOURNAL_STREAM": f"{stat.st_dev}:{stat.st_ino}"}) == "journal"
    assert stream.read_text() == "<4>WARNING x: careful\n"
    # Another stream (stderr redirected elsewhere): plain lines.
    other = tmp_path / "other"
    assert _log_once(other, {"JOURNAL_STREAM": f"{stat.st_dev}:{stat.st_ino}"}) == "plain"
    assert other.read_text().endswith(" WARNING x: careful\n")


def test_the_centre_writes_json_lines_without_capabilities() -> None:
    ticket = str(uuid.uuid4())
    with start(extra_args=["--log-format", "json", "--workers", "2"]) as centre:
        assert requests.get(f"{centre.url}/t/{ticket}", timeout=5).status_code == 404
        centre.stop()
        lines = [line for line in centre.output_tail().splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines if not line.startswith("central listening")]
    assert {"ts", "level", "logger", "msg"} <= set(entries[0])
    access = [e for e in entries if e["logger"] == "uvicorn.access"]
    assert any('"GET /t/[ticket_id] HTTP/1.1" 404' in e["msg"] for e in access)
    assert ticket not in centre.output_tail()
    assert any(e["msg"].endswith(", 2 workers") for e in entries)  # the parent's, too


def test_the_centre_writes_journal_priorities() -> None:
    with start(extra_args=["--log-format", "journal"]) as centre:
        requests.get(f"{centre.url}/health", timeout=5)
        centre.stop()
        lines = [line for line in centre.output_tail().splitlines() if line.strip()]
    logged = [line for line in lines if not line.startswith("central listening")]
    assert logged and all(line[:3] in {"<7>", "<6>", "<4>", "<3>", "<2>"} for line in logged)
    assert any(line.startswith("<6>INFO uvicorn.access: ") for line in logged)


def test_the_kiosk_writes_json_lines(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n'
        '[central]\nurl = "http://127.0.0.1:9"\ntimeout_s = 0.5\n'
    )
    args = ("run", "--config", str(config), "--exit-after", "2", "--log-format", "json")
    result = kiosk(*args, env={"QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0, result.stderr
    ours = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    unreachable = [e for e in ours if "central server unreachable" in e["msg"]]
    assert unreachable and unreachable[0]["level"] == "WARNING"
    plain = [line for line in result.stderr.splitlines() if not line.startswith("{")]
    assert not any("central server unreachable" in line for line in plain)


UNREACHABLE_DB = "postgresql+psycopg://nobody@127.0.0.1:1/nowhere"


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_centre_that_cannot_start_says_why_in_journal_lines(workers: str) -> None:
    args = ("--log-format", "journal", "--db", UNREACHABLE_DB, "--port", "0", "--seed-demo")
    result = kiosk("server", *args, "--workers", workers)
    assert result.returncode == 4, result.stderr
    lines = result.stderr.splitlines()
    # The driver's error spans several lines: still one entry, at priority 3.
    assert lines and all(line[:3] in {"<7>", "<6>", "<4>", "<3>", "<2>"} for line in lines)
    assert any(line.startswith("<3>ERROR central: error: ") for line in lines)


def test_a_bad_settings_file_is_said_in_json_lines(tmp_path: Path) -> None:
    config = tmp_path / "central.toml"
    config.write_text("porrt = 8470\n", encoding="utf-8")
    result = kiosk("server", "--log-format", "json", "--config", str(config))
    assert result.returncode == 2, result.stderr
    entries = [json.loads(line) for line in result.stderr.splitlines()]
    assert [(e["level"], e["logger"]) for e in entries] == [("ERROR", "central")]
    assert "unknown key 'porrt'" in entries[0]["msg"]


@pytest.mark.parametrize("where", ["main", "thread"])
def test_an_uncaught_exception_is_one_critical_record(where: str) -> None:
    code = (
        "import threading; from contract.logs import configure_logging;"
        "configure_logging('journal')\n"
        "def fail():\n    raise RuntimeError('broken\\nacross lines')\n"
        + (
            "fail()\n"
            if where == "main"
            else "t = threading.Thread(target=fail); t.start(); t.join()\n"
        )
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=30
    )
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("<2>CRITICAL uncaught: uncaught RuntimeError")
    assert "RuntimeError: broken\\nacross lines" in lines[0]


HOSTILE = [
    "cr\r<0>EMERG injected",
    "nul\x00<0>EMERG after NUL",
    "lone surrogate \ud800 from a JSON body",
    "line separator\u2028<0>next",
    "escape \x1b[2J and bell \x07",
]


def test_control_characters_never_split_a_journal_record() -> None:

    code = (
        "import logging, sys; from contract.logs import configure_logging\n"
        f"configure_logging('journal')\n"
        f"for message in {HOSTILE!r}:\n"
        "    logging.getLogger('t').warning(message)\n"
        "logging.getLogger('t').warning('still logging after')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, timeout=30, check=True
    )
    raw = result.stderr
    assert b"\x00" not in raw and b"\r" not in raw and b"\x1b" not in raw
    lines = raw.decode("utf-8").split("\n")
    assert lines[-1] == ""
    assert len(lines[:-1]) == len(HOSTILE) + 1, raw
    assert all(line.startswith("<4>WARNING t: ") for line in lines[:-1])
    assert "\u2028" not in raw.decode("utf-8")
    assert lines[0] == "<4>WARNING t: cr\\r<0>EMERG injected"
    assert lines[1] == "<4>WARNING t: nul\\x00<0>EMERG after NUL"
    assert lines[2] == "<4>WARNING t: lone surrogate \\ud800 from a JSON body"
