"""The build's step for the dataclasses' code cache, as ``compileall`` is for bytecode.

    python -m kiosk.cli.build_cache [--out FILE]

imports what the kiosk imports on its way to ready for a tap, with a code cache that
starts empty, and writes the methods :mod:`dataclasses` made for them beside the
kiosk's bytecode (:mod:`kiosk.code_cache`), even when ``PYTHONDONTWRITEBYTECODE`` is
set. ``make bench`` runs it after ``compileall``; the kiosk's Debian package runs it
into its tree, which ships it root's and read-only.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path

from kiosk import code_cache

#: What the kiosk imports on its way to ready for a tap beyond the command line's own
#: start (:func:`kiosk.cli.main.import_the_start`: the store, the window's modules):
#: what building the window and opening the store import, the readers of ``kiosk run``
#: and ``kiosk demo``; then what the warm-up loads once it is ready
#: (:func:`kiosk.startup.warm_up`). tests/kiosk/test_code_cache.py checks that a start
#: with the cache built from them compiles no method.
START_MODULES = (
    "kiosk.client.transport",
    "kiosk.wiring.demo_reader",  # the demo's cards with it
    "cardio.readers.multi",
    "cardio.readers.pcsc_scard",
    "contract.demo",
    "offline_store.opening",
    "offline_store.migrations",
    "offline_store.crypto",
    "printing.layouts.paper",
    "printing.printers.pdf_file",
    # the warm-up's
    "cwt",
    "printing.layouts.fonts",
    "printing.layouts.ticket",
    "printing.layouts.qr",
)


def import_the_start() -> None:
    # The command line first, as the console entry point imports it; the window's
    # modules come through it, the one module of kiosk/ that starts the touchscreen.
    from kiosk.cli import main as cli

    cli.import_the_start()
    for name in START_MODULES:
        importlib.import_module(name)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kiosk.cli.build_cache",
        description=(
            "Write the methods dataclasses makes on the kiosk's way to ready into the "
            "code cache beside the kiosk's bytecode (as compileall writes bytecode)."
        ),
    )
    parser.add_argument(
        "--out", type=Path, default=code_cache.default_path(), help="default: %(default)s"
    )
    args = parser.parse_args(argv)
    try:
        cache = code_cache.build(import_the_start, args.out)
    except (code_cache.BuildError, ImportError) as exc:
        print(f"kiosk.cli.build_cache: {exc}", file=sys.stderr)
        return 1
    print(f"{cache.path}: {cache.compiled} methods' code")
    return 0


if __name__ == "__main__":
    sys.exit(main())
