"""The dataclasses' methods taken from the code cache are the very ones ``exec`` makes,
a start with a warm cache compiles none, and a bad cache file changes nothing but
the time. Each start is a fresh interpreter, as a kiosk's start is."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from testkit.fresh_python import run_python

ROOT = Path(__file__).resolve().parents[2]
ENV = {"PYTHONPATH": str(ROOT)}

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


def _make(cache: Path | None) -> dict[str, object]:
    out = run_python(_MAKE, str(cache) if cache else "", env=ENV)
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
    assert cache.stat().st_mode & 0o077 == 0  # the user's own


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
    assert int(run_python(code, str(cache), env=ENV).split()[-1]) > 150
    assert _make(cache)["compiled"] == 0  # the events, the config and the rows were kept
