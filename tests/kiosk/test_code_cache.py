"""The dataclasses' methods taken from the code cache are the very ones ``exec`` makes,
a start with the cache the build wrote compiles none, and a bad cache file changes
nothing but the time. The cache follows Python's bytecode: beside the kiosk's own
bytecode (never in the home or cache folder), written at run time only where Python
would write bytecode, read only when root's or this user's and writable by no one else.
Each start is a fresh interpreter, as a kiosk's start is."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from testkit.fresh_python import run_python

ROOT = Path(__file__).resolve().parents[2]
ENV = {"PYTHONPATH": str(ROOT)}
#: Bytecode (and so the cache) written at run time, as Python does without
#: PYTHONDONTWRITEBYTECODE (an empty value is no value).
WRITES = {**ENV, "PYTHONDONTWRITEBYTECODE": ""}
#: Written at run time nowhere, as on this project's machines and CI.
NO_WRITES = {**ENV, "PYTHONDONTWRITEBYTECODE": "1"}

#: Imports the modules that make most of the kiosk's dataclasses (the session's events,
#: the configuration, the store's rows: frozen, ordered, with defaults and factories)
#: and prints, for every generated method, what its code and signature are made of.
#: argv[1]: the cache file, or "" for dataclasses as they are.
_MAKE = """
import dataclasses, json, sys, types
from pathlib import Path
cache = None
if sys.argv[1]:
    from kiosk import code_cache
    cache = code_cache.install(Path(sys.argv[1]))
import kiosk.config, kiosk.session.events, offline_store.models

def code(c):
    return [c.co_code.hex(), [code(k) if isinstance(k, types.CodeType) else repr(k)
            for k in c.co_consts], c.co_names, c.co_varnames, c.co_freevars, c.co_cellvars,
            c.co_filename, c.co_name, c.co_qualname, c.co_firstlineno, c.co_flags,
            c.co_argcount, c.co_kwonlyargcount, c.co_linetable.hex()]

made = {}
for module in (kiosk.config, kiosk.session.events, offline_store.models):
    for name, cls in sorted(vars(module).items()):
        ours = isinstance(cls, type) and cls.__module__ == module.__name__
        if ours and dataclasses.is_dataclass(cls):
            for method in ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__",
                           "__delattr__", "__lt__"):
                fn = cls.__dict__.get(method)
                fn = getattr(fn, "__wrapped__", fn)  # __repr__ is wrapped against recursion
                if isinstance(fn, types.FunctionType):
                    made[f"{module.__name__}.{name}.{method}"] = [
                        code(fn.__code__), repr(fn.__defaults__), repr(fn.__kwdefaults__),
                        repr(fn.__annotations__), fn.__qualname__]
if cache is not None:
    cache.save()
print(json.dumps({"made": made, "compiled": cache and cache.compiled,
                  "reused": cache and cache.reused}))
"""


def _make(cache: Path | None, env: dict[str, str] = WRITES) -> dict[str, object]:
    out = run_python(_MAKE, str(cache) if cache else "", env=env)
    made: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    return made


def test_the_methods_from_a_warm_cache_are_those_exec_compiles(tmp_path: Path) -> None:
    cache = tmp_path / "cache" / "code.marshal"
    plain = _make(None)
    first = _make(cache)  # compiles each, writes the file
    second = _make(cache)  # reads them all from it
    made = plain["made"]
    assert isinstance(made, dict) and len(made) > 150
    assert "kiosk.session.events.CardRead.__init__" in made
    # Annotations stay objects (as exec makes them), not strings from this project's
    # `from __future__ import annotations`.
    assert "'_type_" not in made["kiosk.config.KioskSection.__init__"][3]
    assert first["made"] == made and second["made"] == made
    compiled, reused = first["compiled"], first["reused"]
    assert isinstance(compiled, int) and isinstance(reused, int)
    assert compiled > 150  # some texts repeat (classes without fields): compiled once
    assert second["compiled"] == 0 and second["reused"] == compiled + reused
    assert cache.stat().st_mode & 0o022 == 0  # written by its owner alone


@pytest.mark.parametrize(
    "content",
    [b"", b"not a cache at all", b"\x00\x00\x00\x00" + b"\x01" * 100, "magic+junk"],
)
def test_a_bad_cache_file_is_ignored_and_replaced(tmp_path: Path, content: bytes | str) -> None:
    import importlib.util

    cache = tmp_path / "code.marshal"
    if content == "magic+junk":
        content = importlib.util.MAGIC_NUMBER + b"\xff" * 64
    assert isinstance(content, bytes)
    cache.write_bytes(content)
    cache.chmod(0o600)
    plain = _make(None)
    again = _make(cache)
    assert again["made"] == plain["made"]
    assert isinstance(again["compiled"], int) and again["compiled"] > 150
    assert _make(cache)["compiled"] == 0  # the file was replaced by a good one


def test_a_cache_file_others_could_write_is_not_used(tmp_path: Path) -> None:
    cache = tmp_path / "code.marshal"
    _make(cache)
    os.chmod(cache, 0o620)  # the group could write it
    again = _make(cache)
    assert isinstance(again["compiled"], int) and again["compiled"] > 150


def test_the_warm_up_after_the_start_keeps_what_the_start_compiled(tmp_path: Path) -> None:
    cache = tmp_path / "code.marshal"
    code = (
        "import sys\nfrom pathlib import Path\nfrom kiosk import code_cache\n"
        "cache = code_cache.install(Path(sys.argv[1]))\n"
        "import kiosk.config, kiosk.session.events, offline_store.models\n"  # the start's
        "from kiosk import startup\n"
        "startup._import_heavy_modules()\n"  # what warm_up runs on a worker
        "print(cache.compiled)"
    )
    assert int(run_python(code, str(cache), env=WRITES).split()[-1]) > 150
    assert _make(cache)["compiled"] == 0  # the events, the config and the rows were kept


def test_a_cache_file_someone_else_owns_is_not_used(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("only root can give a file to another user")
    cache = tmp_path / "code.marshal"
    _make(cache)
    os.chown(cache, 65534, 65534)  # nobody's, read by all, written by nobody else
    cache.chmod(0o644)
    again = _make(cache, NO_WRITES)
    assert isinstance(again["compiled"], int) and again["compiled"] > 150


def _stat(uid: int, mode: int) -> os.stat_result:
    return os.stat_result((0o100000 | mode, 1, 1, 1, uid, 0, 10, 0, 0, 0))


def test_code_is_run_only_from_root_s_or_this_user_s_file_that_no_one_else_can_write() -> None:
    from kiosk.code_cache import trusted

    me = os.getuid()
    assert trusted(_stat(0, 0o644))  # a package's, shipped read-only
    assert trusted(_stat(me, 0o644)) and trusted(_stat(me, 0o600))
    assert not trusted(_stat(0, 0o664)) and not trusted(_stat(me, 0o646))
    assert not trusted(_stat(4242, 0o644))  # another user's
    assert not trusted(_stat(65534, 0o444))


def test_with_dont_write_bytecode_nothing_is_written_at_run_time(tmp_path: Path) -> None:
    cache = tmp_path / "pycache" / "code.marshal"
    made = _make(cache, NO_WRITES)
    assert isinstance(made["compiled"], int) and made["compiled"] > 150
    assert not (tmp_path / "pycache").exists()


def _build(out: Path, env: dict[str, str] = NO_WRITES) -> str:
    code = "import runpy; runpy.run_module('kiosk.cli.build_cache', run_name='__main__')"
    return run_python(code, "--out", str(out), env=env)


def test_the_build_step_writes_the_cache_even_without_run_time_bytecode(tmp_path: Path) -> None:
    cache = tmp_path / "pycache" / "code.marshal"
    said = _build(cache)  # PYTHONDONTWRITEBYTECODE=1: an explicit build writes all the same
    assert cache.is_file() and str(cache) in said
    assert cache.stat().st_mode & 0o022 == 0
    again = _make(cache, NO_WRITES)
    assert again["compiled"] == 0 and isinstance(again["reused"], int) and again["reused"] > 150


@pytest.fixture
def shipped() -> Iterator[Path]:
    """A folder as an installed package's ``__pycache__``: root's (the test's user's, when
    it is not root), 0755; removed after."""
    folder = Path(tempfile.mkdtemp(prefix="anjungan-shipped-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)


#: A start of the kiosk's user from the package's cache, argv[1]: the methods are read,
#: then a class the cache has not seen is made and the cache saved, as the warm-up does.
#: As root (the packages' tests' user), the child drops to nobody after its imports, as
#: the kiosk runs as its own user; it then reads the root-owned file afresh. Prints the
#: counts, what the save did, what nobody read, and what is in the folder.
_SHIPPED = """
import json, os, sys
from pathlib import Path
from kiosk import code_cache
cache = code_cache.install(Path(sys.argv[1]))
import kiosk.config, kiosk.session.events, offline_store.models
read = cache.reused
before = Path(sys.argv[1]).read_bytes()
if os.geteuid() == 0:
    os.setgid(65534); os.setuid(65534)
import dataclasses
@dataclasses.dataclass
class NotShipped:
    never_seen_before_in_the_cache: int
fresh = code_cache.CodeCache(Path(sys.argv[1]))
fresh.load()
again = fresh.compile(next(iter(cache._stored)))
code_cache.save()
print(json.dumps({"compiled": cache.compiled, "read": read, "fresh_reused": fresh.reused,
                  "same": Path(sys.argv[1]).read_bytes() == before,
                  "folder": sorted(p.name for p in Path(sys.argv[1]).parent.iterdir())}))
"""


def test_a_shipped_read_only_cache_is_read_and_nothing_is_written(shipped: Path) -> None:
    cache = shipped / "code.marshal"
    _build(cache)
    cache.chmod(0o644)
    if os.geteuid() != 0:
        shipped.chmod(0o555)  # this user cannot write the folder: the installed package
    out = run_python(_SHIPPED, str(cache), env=WRITES)  # bytecode would be written
    seen = json.loads(out.strip().splitlines()[-1])
    assert seen["read"] > 150  # the start's methods came from the file
    assert seen["compiled"] == 3  # the new class's __init__, __repr__, __eq__ alone
    assert seen["fresh_reused"] == 1  # read again by the kiosk's user: root's file trusted
    assert seen["same"] and seen["folder"] == ["code.marshal"]  # nothing written


#: `kiosk demo`'s start as its console entry point makes it (kiosk.cli.main first, then
#: the store, the window on the demo defaults, the first paint, the store opened), then
#: what the warm-up loads and saves. argv[1]: the kiosk's data folder; argv[2]: the cache
#: file, or "" for where the kiosk keeps it.
_START = """
import json, sys
from pathlib import Path
from kiosk import code_cache
cache = code_cache.install(Path(sys.argv[2]) if sys.argv[2] else None)
import kiosk.cli.main
from kiosk.wiring.store import open_store
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from testkit.demo_kiosk import demo_config
from ui.app import build_window
from ui.first_paint import FirstPaint
from ui.theme import STYLE_SHEET

app = QApplication([])
app.setStyleSheet(STYLE_SHEET)
config = demo_config(Path(sys.argv[1]), "http://127.0.0.1:9", "DEMO")
store = open_store(config, deferred=True)
window = build_window(config, store, demo=True, use_pcscd=False)
poll = QTimer()
poll.timeout.connect(lambda: store.is_open and app.quit())
watch = FirstPaint(window.attract, lambda: poll.start(2))
QTimer.singleShot(60_000, app.quit)
window.resize(900, 1200)
window.show()
app.exec()
ready = store.is_open
window.shut_down()
store.close()
from kiosk import startup
startup._import_heavy_modules()  # the warm-up, which saves the cache
print(json.dumps({"ready": ready, "compiled": cache.compiled, "reused": cache.reused,
                  "path": str(cache.path)}))
"""


def _start(data: Path, cache: Path | None, env: dict[str, str]) -> dict[str, object]:
    env = {**env, "QT_QPA_PLATFORM": "offscreen"}
    out = run_python(_START, str(data), str(cache) if cache else "", env=env)
    seen: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    assert seen["ready"] is True
    return seen


def test_a_start_from_the_cache_the_build_wrote_compiles_no_method(tmp_path: Path) -> None:
    cache = tmp_path / "code.marshal"
    _build(cache)
    seen = _start(tmp_path / "data", cache, NO_WRITES)
    assert seen["compiled"] == 0  # the build imported all the start and warm-up make
    assert isinstance(seen["reused"], int) and seen["reused"] > 500


def test_the_cache_is_never_in_the_home_or_cache_folder(tmp_path: Path) -> None:
    home, xdg = tmp_path / "home", tmp_path / "xdg-cache"
    home.mkdir()
    xdg.mkdir()
    env = {**NO_WRITES, "HOME": str(home), "XDG_CACHE_HOME": str(xdg)}
    seen = _start(tmp_path / "data", None, env)
    path = Path(str(seen["path"]))
    assert path.parent == ROOT / "kiosk" / "__pycache__"  # beside the kiosk's bytecode
    assert _written_under(xdg) == [] and _written_under(home) == []


def _written_under(folder: Path) -> list[str]:
    """Every file a start left under ``folder`` but PulseAudio's: the sounds' warm-up
    may reach its client library, which links its runtime folder from the home
    (``.config/pulse/<machine id>-runtime``) when the session names none."""
    return sorted(
        str(found.relative_to(folder))
        for found in folder.rglob("*")
        if not found.is_dir()
        and not (found.parent == folder / ".config" / "pulse" and found.name.endswith("-runtime"))
    )


def test_the_console_entry_point_installs_the_cache_before_its_own_imports() -> None:
    code = (
        "import dataclasses, sys, kiosk.cli.main\n"
        "from kiosk import code_cache\n"
        "cache = code_cache.install()\n"
        "print(dataclasses.exec == cache.exec, cache.compiled + cache.reused)"
    )
    installed, made = run_python(code, env=NO_WRITES).split()
    assert installed == "True"
    assert int(made) > 40  # the configuration's, the store's, the command line's classes
