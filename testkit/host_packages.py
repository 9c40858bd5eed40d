"""What this machine's Debian packages hold and pull in, for the packages' tests.

Each question is one call of dpkg or apt, whatever the number of files or packages
asked about: ``dpkg-query -S`` reads every package's file list at each call, some
0.2 s, and the tests ask about a hundred libraries.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from pathlib import Path

DEADLINE_S = 120


def _spellings(library: str) -> list[str]:
    """``library`` as dpkg may list it: as given and resolved, with and without ``/usr``
    (merged /usr: a package lists the path it shipped)."""
    path = Path(library)
    found = {str(path), str(path.resolve())}
    for known in list(found):
        found.add(known.removeprefix("/usr") if known.startswith("/usr/") else "/usr" + known)
    return sorted(found)


def packages_of(libraries: Iterable[str]) -> dict[str, str | None]:
    """Each of ``libraries`` → the installed package that holds it (None: none does)."""
    asked = {library: _spellings(library) for library in libraries}
    every = sorted({spelling for spellings in asked.values() for spelling in spellings})
    if not every:
        return {}
    # Exit status 1 when one of the paths is in no package: those are told apart below.
    listed = subprocess.run(
        ["dpkg-query", "-S", *every], capture_output=True, text=True, timeout=DEADLINE_S
    )
    holder: dict[str, str] = {}
    for line in listed.stdout.splitlines():
        if line.startswith("diversion "):
            continue
        packages, sep, path = line.rpartition(": ")
        if sep:
            holder[path] = packages.split(",")[0].split(":")[0].strip()
    return {
        library: next((holder[s] for s in spellings if s in holder), None)
        for library, spellings in asked.items()
    }


def depends_closure(packages: Iterable[str]) -> set[str]:
    """Every package apt installs for ``packages`` by their Depends alone (this
    machine's apt cache)."""
    only_depends = [
        *("--no-recommends", "--no-suggests", "--no-conflicts"),
        *("--no-breaks", "--no-replaces", "--no-enhances"),
    ]
    done = subprocess.run(
        ["apt-cache", "depends", "--recurse", *only_depends, *packages],
        capture_output=True,
        text=True,
        timeout=DEADLINE_S,
        check=True,
    )
    return {line.strip("<>") for line in done.stdout.splitlines() if not line.startswith(" ")}
