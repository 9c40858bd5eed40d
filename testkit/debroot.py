"""A scratch root to install the project's Debian packages into, as root, without a chroot.

``dpkg --root R --force-script-chrootless`` unpacks into ``R`` and runs the
maintainer scripts on this machine with ``DPKG_ROOT=R`` set (the scripts make
their user with ``--prefix R`` and enable units with ``systemctl --root R``).
:class:`DebRoot` lays out what that needs: an empty dpkg database, and
``/etc/passwd``, ``/etc/group`` and their shadows with the few accounts a
Debian system has before our packages come (root, the groups ``lp`` and
``dialout`` the kiosk's user joins). ``--force-depends``: the root has no
other packages, so their dependencies (cage, pcscd, python3.11 ...) are not
installed in it.

:meth:`DebRoot.verify_units` runs ``systemd-analyze verify --root R`` on
units installed there, once the root holds what verify looks up: systemd's
own units (copied from this machine) and the units' programs; those the build
machine lacks (cage) are stand-ins that only exist (verify checks that a
command is an executable file, never runs it).
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

DPKG_DEADLINE_S = 120

#: The accounts of a Debian system before our packages (base-passwd's ids).
ACCOUNTS = (
    "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
)
GROUP = "root:x:0:\nlp:x:7:\ndialout:x:20:\nnogroup:x:65534:\n"
SHADOW = "root:*:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n"
GSHADOW = "root:*::\nlp:*::\ndialout:*::\nnogroup:*::\n"
SYSTEM_UNITS = Path("/lib/systemd/system")


@dataclass(frozen=True)
class Account:
    name: str
    uid: int
    gid: int
    home: str
    shell: str


class DpkgFailed(AssertionError):
    pass


class DebRoot:
    def __init__(self, path: Path) -> None:
        self.path = path
        dpkg = path / "var" / "lib" / "dpkg"
        for folder in (dpkg / "info", dpkg / "updates", path / "var" / "log", path / "etc"):
            folder.mkdir(parents=True, exist_ok=True)
        for name in ("status", "available"):
            (dpkg / name).touch()
        for name, text, mode in (
            ("passwd", ACCOUNTS, 0o644),
            ("group", GROUP, 0o644),
            ("shadow", SHADOW, 0o640),
            ("gshadow", GSHADOW, 0o640),
        ):
            (path / "etc" / name).write_text(text, encoding="utf-8")
            (path / "etc" / name).chmod(mode)
        if Path("/etc/login.defs").is_file():  # useradd's system id range
            shutil.copyfile("/etc/login.defs", path / "etc" / "login.defs")

    def __truediv__(self, inside: str) -> Path:
        return self.path / inside.lstrip("/")

    def dpkg(self, *args: str) -> subprocess.CompletedProcess[str]:
        """dpkg on this root; raises :class:`DpkgFailed` with its output when it fails."""
        done = subprocess.run(
            ["dpkg", "--root", str(self.path), "--force-script-chrootless", *args],
            capture_output=True,
            text=True,
            timeout=DPKG_DEADLINE_S,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
        if done.returncode != 0:
            raise DpkgFailed(f"dpkg {' '.join(args)}:\n{done.stdout}\n{done.stderr}")
        return done

    def install(self, deb: Path, *options: str) -> subprocess.CompletedProcess[str]:
        return self.dpkg("--force-depends", *options, "--install", str(deb))

    def status(self, package: str) -> str:
        """dpkg's status of ``package`` here: ``installed``, ``config-files``, ``not-installed``."""
        done = subprocess.run(
            ["dpkg-query", "--root", str(self.path), "-W", "-f=${db:Status-Status}", package],
            capture_output=True,
            text=True,
            timeout=DPKG_DEADLINE_S,
        )
        return done.stdout.strip() if done.returncode == 0 else "not-installed"

    def conffiles(self, package: str) -> list[str]:
        done = subprocess.run(
            ["dpkg-query", "--root", str(self.path), "-W", "-f=${Conffiles}", package],
            capture_output=True,
            text=True,
            check=True,
            timeout=DPKG_DEADLINE_S,
        )
        return [line.split()[0] for line in done.stdout.splitlines() if line.strip()]

    def account(self, name: str) -> Account | None:
        for line in (self.path / "etc" / "passwd").read_text(encoding="utf-8").splitlines():
            fields = line.split(":")
            if fields[0] == name:
                return Account(name, int(fields[2]), int(fields[3]), fields[5], fields[6])
        return None

    def group(self, name: str) -> tuple[int, list[str]] | None:
        """The group's id and members, or None."""
        for line in (self.path / "etc" / "group").read_text(encoding="utf-8").splitlines():
            fields = line.split(":")
            if fields[0] == name:
                return int(fields[2]), [m for m in fields[3].split(",") if m]
        return None

    def verify_units(self, *units: str, stand_ins: tuple[str, ...] = ()) -> str:
        """``systemd-analyze verify --root`` of ``units``: its output (empty when clean).

        ``stand_ins`` are absolute paths of programs the units start that this
        machine lacks; each becomes an executable file that only exits 1. The
        interpreter the environments link to is hard-linked (or copied) in.
        """
        units_dir = self.path / "usr" / "lib" / "systemd" / "system"
        units_dir.mkdir(parents=True, exist_ok=True)
        for unit in SYSTEM_UNITS.iterdir():
            target = units_dir / unit.name
            if not target.exists() and not target.is_symlink():
                if unit.is_symlink():
                    target.symlink_to(os.readlink(unit))
                elif unit.is_file():
                    shutil.copyfile(unit, target)
        for program in stand_ins:
            path = self / program
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("#!/bin/sh\nexit 1\n", encoding="utf-8")
            path.chmod(0o755)
        python = Path("/usr/bin/python3").resolve()
        inside = self / str(python)
        if not inside.exists():
            inside.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(python, inside)
            except OSError:
                shutil.copy2(python, inside)
        done = subprocess.run(
            ["systemd-analyze", "verify", f"--root={self.path}", *units],
            capture_output=True,
            text=True,
            timeout=DPKG_DEADLINE_S,
        )
        return (done.stdout + done.stderr).strip() + (
            f"\n(exit {done.returncode})" if done.returncode else ""
        )

    def exposure(self, unit: str) -> float:
        """``systemd-analyze security --offline=yes`` of a unit installed here: its overall
        exposure level (0 is the most locked down, 10 the least)."""
        done = subprocess.run(
            ["systemd-analyze", "security", "--offline=yes", f"--root={self.path}", unit],
            capture_output=True,
            text=True,
            timeout=DPKG_DEADLINE_S,
        )
        for line in done.stdout.splitlines():
            if "Overall exposure level" in line:
                return float(line.split(":", 1)[1].split()[0])
        raise AssertionError(f"no exposure level for {unit}:\n{done.stdout}\n{done.stderr}")

    def loose_files(self, inside: str) -> list[str]:
        """Files and folders under ``inside`` that are not root's, are writable by anyone
        else, or carry a set-uid/set-gid bit; as ``path mode uid gid`` lines."""
        found = []
        for path in [self / inside, *(self / inside).rglob("*")]:
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                continue
            if info.st_uid or info.st_gid or info.st_mode & 0o6022:
                where = path.relative_to(self.path)
                found.append(f"/{where} {oct(info.st_mode)} {info.st_uid} {info.st_gid}")
        return found

    def files_holding(self, inside: str, *needles: str) -> list[str]:
        """Files under ``inside`` whose bytes hold any of ``needles`` (grep -F)."""
        done = subprocess.run(
            ["grep", "-rlF", *(arg for n in needles for arg in ("-e", n)), str(self / inside)],
            capture_output=True,
            text=True,
            timeout=DPKG_DEADLINE_S,
        )
        if done.returncode > 1:
            raise AssertionError(f"grep failed: {done.stderr}")
        return done.stdout.splitlines()


def installed_root(deb: Path, folder: Path) -> DebRoot:
    """A scratch root in ``folder`` with ``deb`` installed into it."""
    scratch = DebRoot(folder)
    scratch.install(deb)
    return scratch


def deb_field(deb: Path, name: str) -> list[str]:
    """A control field of ``deb`` (``Depends``, ``Conflicts``), split at its commas."""
    value = subprocess.run(
        ["dpkg-deb", "--field", str(deb), name], capture_output=True, text=True, check=True
    ).stdout
    return [part.strip() for part in value.split(",") if part.strip()]
