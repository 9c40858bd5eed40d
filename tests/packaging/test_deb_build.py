"""The package build stages its own copies of the environment's files."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("deb_build", ROOT / "packaging/deb/build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def test_uv_copies_the_staged_files_rather_than_linking_its_cache() -> None:
    """Hard links into uv's cache share their inodes with every other environment made
    from it: one made meanwhile (the suite's, beside the build in `make test`) changed
    their ctime under dpkg-deb's tar, which then failed ("file changed as we read it"),
    and the staged tree's chmods would have changed the cache's files."""
    env = _build()._uv_env()
    assert env["UV_LINK_MODE"] == "copy"
    assert env["UV_PYTHON_DOWNLOADS"] == "never"
