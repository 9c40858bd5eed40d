"""The methods :mod:`dataclasses` writes for each class, compiled once and kept.

On Python 3.11 ``@dataclass`` writes the source of each class's ``__init__``,
``__repr__``, ``__eq__``, ``__hash__``, ``__setattr__`` and ``__delattr__`` and
compiles it with ``exec``, at every import: the kiosk makes some 150 dataclasses
before it is ready for a tap, and compiling their 870 methods was the largest part of
its own start (a quarter of the instructions it executes to ready). Python keeps its modules'
bytecode in ``__pycache__``; this does the same for those methods, under the same rules.

:func:`install` gives :mod:`dataclasses` an ``exec`` that compiles each source text
once, exactly as ``exec`` would (same file name ``<string>``, no inherited
``__future__`` flags, the interpreter's optimisation level), and takes the code
object from the cache file when it has the very same text. The same text always
gives the same code.

Where the file lives and who may write it follow Python's own bytecode:

- It is ``kiosk/__pycache__/dataclass-code.<cache tag>[.opt-N].marshal``, beside
  the kiosk's own bytecode (:func:`default_path`, named as
  :func:`importlib.util.cache_from_source` names a module's, so
  ``sys.pycache_prefix`` moves it too): one per interpreter and optimisation level,
  never in the user's home or cache folder. An installed kiosk's package tree is
  root's and nothing in it is writable by the kiosk's user, so the cache adds no
  place where the kiosk's user could leave code for its next start.
- The build writes it, as ``compileall`` writes bytecode: ``python -m
  kiosk.cli.build_cache`` (:func:`build`) imports what the kiosk imports on its way to
  ready and writes the methods they made, even when
  ``sys.dont_write_bytecode`` is set (an explicit build). ``make bench`` and the
  Debian package's build run it; the package ships the file read-only, root's.
- At run time :func:`save` writes it only where Python itself would write
  bytecode: not when ``sys.dont_write_bytecode`` is set (``PYTHONDONTWRITEBYTECODE``,
  ``-B``), and not where the folder cannot be written (the installed package: the
  write fails, quietly, as Python's does).
- It is read only when it belongs to root or to this user and neither its group
  nor others could write it. A file that is missing, unreadable, too large, of
  another Python, damaged, or that someone else could have written, is ignored: the
  methods are then compiled as before.
"""

from __future__ import annotations

import builtins
import dataclasses
import importlib.util
import logging
import marshal
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import CodeType
from typing import Any

log = logging.getLogger(__name__)

#: Larger than this, the file is not read (the kiosk's own is some 0.8 MB).
MAX_FILE_BYTES = 16 * 1024 * 1024

_exec = builtins.exec


class CodeCache:
    """Compiled code by source text: what was read from the file, and what this
    process used (read or compiled), which is what :meth:`save` writes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stored: dict[str, CodeType] = {}
        self._used: dict[str, CodeType] = {}
        self._lock = threading.Lock()
        #: Texts compiled by this process (a miss of the file).
        self.compiled = 0
        #: Some were compiled since the last :meth:`save`.
        self._unsaved = False
        #: Texts whose code came from the file.
        self.reused = 0

    def load(self) -> None:
        """Read the file; anything wrong with it leaves the cache empty."""
        try:
            # The status of the file opened, not of the path: what is read is what was checked.
            with self.path.open("rb") as f:
                st = os.fstat(f.fileno())
                if st.st_size > MAX_FILE_BYTES:
                    raise ValueError("too large")
                if not trusted(st):
                    # Code is run from it: only a file no one but root or this user can write.
                    raise ValueError("neither root's nor this user's own, or others may write it")
                data = f.read(MAX_FILE_BYTES + 1)
                if len(data) > MAX_FILE_BYTES:
                    raise ValueError("too large")
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            log.info("dataclass code cache %s not read: %s", self.path, exc)
            return
        self._stored = _decode(data, self.path)

    def compile(self, source: str) -> CodeType:
        """The code of ``source`` as ``exec(source)`` would compile it here."""
        code = self._used.get(source) or self._stored.get(source)
        if code is None:
            # dont_inherit: the flags of dataclasses.py (none), not of this module,
            # whose `from __future__ import annotations` would turn every generated
            # method's annotations into strings.
            code = compile(source, "<string>", "exec", dont_inherit=True)
            self.compiled += 1
            self._unsaved = True
        else:
            self.reused += 1
        with self._lock:
            self._used[source] = code
        return code

    def exec(
        self,
        source: str | CodeType,
        globals: dict[str, Any] | None = None,
        locals: dict[str, Any] | None = None,
    ) -> None:
        """``exec`` for :mod:`dataclasses`."""
        if isinstance(source, str):
            source = self.compile(source)
        _exec(source, globals, locals)

    def save(self, *, force: bool = False) -> bool:
        """Write the texts this process used, if any was compiled anew, where Python would
        write bytecode (never when ``sys.dont_write_bytecode`` is set, unless ``force``:
        the build's explicit write); atomically, a reader sees the old file or the new
        one. Whether it was written; a failure (a folder this user cannot write, as an
        installed kiosk's) is logged, never raised."""
        if sys.dont_write_bytecode and not force:
            return False
        with self._lock:
            if not (self._unsaved or force):
                return False
            used = dict(self._used)
            self._unsaved = False
        import tempfile

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            data = importlib.util.MAGIC_NUMBER + marshal.dumps(used)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".dataclass-code-")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                # As Python's bytecode: read by all, written by its owner alone.
                os.chmod(tmp, 0o644)
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except (OSError, ValueError) as exc:
            log.debug("dataclass code cache %s not written: %s", self.path, exc)
            return False
        return True


def trusted(st: os.stat_result) -> bool:
    """Whether code may be run from a file of this status: root's (a package's, shipped
    read-only) or this user's own, and writable by neither its group nor others."""
    return st.st_uid in (0, os.getuid()) and not st.st_mode & 0o022


def _decode(data: bytes, path: Path) -> dict[str, CodeType]:
    magic = importlib.util.MAGIC_NUMBER
    if not data.startswith(magic):
        log.info("dataclass code cache %s is of another Python: ignored", path)
        return {}
    try:
        # The kiosk user's own file (see load), as its __pycache__ is.
        loaded = marshal.loads(data[len(magic) :])  # noqa: S302
    except (EOFError, ValueError, TypeError) as exc:
        log.info("dataclass code cache %s is damaged (%s): ignored", path, exc)
        return {}
    if not isinstance(loaded, dict) or not all(
        isinstance(k, str) and isinstance(v, CodeType) for k, v in loaded.items()
    ):
        log.info("dataclass code cache %s holds something else: ignored", path)
        return {}
    return loaded


def default_path() -> Path | None:
    """The cache file beside the kiosk's own bytecode, named as Python names a module's
    (one per interpreter and optimisation level; under ``sys.pycache_prefix`` if set):
    ``kiosk/__pycache__/dataclass-code.cpython-311.marshal``. None where Python keeps
    no bytecode (no ``sys.implementation.cache_tag``)."""
    try:
        pyc = importlib.util.cache_from_source(str(Path(__file__).with_name("dataclass-code.py")))
    except NotImplementedError:
        return None
    return Path(pyc).with_suffix(".marshal")


_installed: CodeCache | None = None


def install(path: Path | None = None) -> CodeCache | None:
    """Read the cache and give :mod:`dataclasses` its ``exec`` (once per process); None
    where Python keeps no bytecode."""
    global _installed
    if _installed is None:
        where = path or default_path()
        if where is None:
            return None
        cache = CodeCache(where)
        cache.load()
        dataclasses.exec = cache.exec  # type: ignore[attr-defined]  # read as a global
        _installed = cache
    return _installed


def save() -> None:
    """Write the installed cache where Python would write bytecode (see
    :meth:`CodeCache.save`); nothing if none is installed."""
    if _installed is not None:
        _installed.save()


def build(load: Callable[[], object], path: Path | None = None) -> CodeCache:
    """Run ``load`` (which imports what the kiosk imports on its way to ready) with a
    cache that starts empty, and write the methods it made to ``path`` (by default
    :func:`default_path`), even when ``sys.dont_write_bytecode`` is set: the build's
    step, as ``compileall`` is for bytecode (``python -m kiosk.cli.build_cache``). Call
    it in a fresh interpreter: what was imported before it is not seen."""
    global _installed
    where = path or default_path()
    if where is None:
        raise BuildError("this Python keeps no bytecode (no cache tag)")
    if _installed is not None:
        raise BuildError("a code cache is already installed in this process")
    cache = CodeCache(where)  # not loaded: every method of the start compiled afresh
    dataclasses.exec = cache.exec  # type: ignore[attr-defined]
    _installed = cache
    load()
    if not cache.save(force=True):
        raise BuildError(f"{where} could not be written")
    return cache


class BuildError(RuntimeError):
    pass
