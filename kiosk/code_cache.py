"""The methods :mod:`dataclasses` writes for each class, compiled once and kept.

On Python 3.11 ``@dataclass`` writes the source of each class's ``__init__``,
``__repr__``, ``__eq__``, ``__hash__``, ``__setattr__`` and ``__delattr__`` and
compiles it with ``exec``, at every import: the kiosk makes some 150 dataclasses
before it is ready for a tap, and compiling their 870 methods was the largest part of
its own start (a quarter of the instructions it executes to ready). Python keeps its modules'
bytecode in ``__pycache__``; this does the same for those methods.

:func:`install` gives :mod:`dataclasses` an ``exec`` that compiles each source text
once, exactly as ``exec`` would (same file name ``<string>``, no inherited
``__future__`` flags, the interpreter's optimisation level), and takes the code
object from a cache file when it has the very same text. :func:`save` writes the
texts this process used back to the file (one per interpreter version and
optimisation level, in the user's cache folder), so texts of classes that changed
or went away drop out. A file that is missing, unreadable, of another Python, or
damaged, or that another user could have written, is ignored (and replaced by the
next :func:`save`): the methods are then
compiled as before. Nothing else changes: the same text always gives the same code.
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
from pathlib import Path
from types import CodeType
from typing import Any

log = logging.getLogger(__name__)

APP_NAME = "anjungan"
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
            st = self.path.stat()
            if st.st_size > MAX_FILE_BYTES:
                raise ValueError("too large")
            if st.st_uid != os.getuid() or st.st_mode & 0o022:
                # Code is run from it: only a file no one but this user can write.
                raise ValueError("not this user's own file")
            data = self.path.read_bytes()
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

    def save(self) -> None:
        """Write the texts this process used, if any was compiled anew (atomically: a
        reader sees the old file or the new one). A failure is logged, never raised."""
        with self._lock:
            if not self._unsaved:
                return
            used = dict(self._used)
            self._unsaved = False
        import tempfile

        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            data = importlib.util.MAGIC_NUMBER + marshal.dumps(used)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".dataclass-code-")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except (OSError, ValueError) as exc:
            log.info("dataclass code cache %s not written: %s", self.path, exc)


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


def default_path() -> Path:
    """The cache file in the user's cache folder, one per Python and optimisation level."""
    import platformdirs

    name = f"dataclass-code.{sys.implementation.cache_tag}.opt{sys.flags.optimize}.marshal"
    return Path(platformdirs.user_cache_dir(APP_NAME)) / name


_installed: CodeCache | None = None


def install(path: Path | None = None) -> CodeCache:
    """Read the cache and give :mod:`dataclasses` its ``exec`` (once per process)."""
    global _installed
    if _installed is None:
        cache = CodeCache(path or default_path())
        cache.load()
        dataclasses.exec = cache.exec  # type: ignore[attr-defined]  # read as a global
        _installed = cache
    return _installed


def save() -> None:
    """Write the installed cache (see :meth:`CodeCache.save`); nothing if none is."""
    if _installed is not None:
        _installed.save()
