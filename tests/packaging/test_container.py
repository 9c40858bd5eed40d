"""packaging/central/Containerfile and compose.yaml, checked without a container engine.

This machine has the docker client but no engine (nor the compose plugin), so
nothing here builds or runs an image: the files are read as the engine would
read them. The compose file parses and its paths exist; every COPY source of
the build context exists and passes the build's ignore file; no secret is a
value in the environment or on a command line; the image runs the centre the
way the Debian unit does, from the same uv and the same Python; and the
settings file the compose file mounts is one the centre accepts.
"""

from __future__ import annotations

import fnmatch
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import PySide6  # the lock's, as the image's build environment fetches it
import yaml

from testkit.host_packages import depends_closure, packages_of

ROOT = Path(__file__).resolve().parents[2]
HERE = ROOT / "packaging" / "central"
CONTAINERFILE = HERE / "Containerfile"
SECRET_WORDS = ("PASSWORD", "SECRET", "TOKEN", "KEY")


def _compose() -> dict[str, Any]:
    loaded = yaml.safe_load((HERE / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def _instructions() -> list[tuple[str, str]]:
    """The Containerfile's instructions, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n\s*", " ", CONTAINERFILE.read_text(encoding="utf-8"))
    found = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            word, _, rest = line.strip().partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def _ignored(relative: str, patterns: list[str]) -> bool:
    """Whether the build's ignore file leaves ``relative`` out (the last match decides)."""
    ignored = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        bare = pattern.lstrip("!").rstrip("/")
        parts = relative.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        if any(fnmatch.fnmatchcase(p, bare) for p in prefixes):
            ignored = not negated
    return ignored


def test_the_compose_file_builds_the_image_from_the_repository_and_mounts_what_exists() -> None:
    compose = _compose()
    assert set(compose["services"]) == {"db", "central"}
    build = compose["services"]["central"]["build"]
    context = (HERE / build["context"]).resolve()
    assert context == ROOT
    assert (context / build["dockerfile"]).resolve() == CONTAINERFILE
    for volume in compose["services"]["central"]["volumes"]:
        source = volume.split(":")[0]
        if source.startswith("."):
            assert (HERE / source).is_file(), volume
    assert compose["services"]["central"]["depends_on"]["db"]["condition"] == "service_healthy"
    # The centre is published on the host's loopback only: the proxy faces the city.
    assert compose["services"]["central"]["ports"] == ["127.0.0.1:8470:8470"]


def test_secrets_are_files_never_environment_values() -> None:
    compose = _compose()
    declared = compose["secrets"]
    for name, service in compose["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if any(word in key.upper() for word in SECRET_WORDS):
                assert key.endswith("_FILE"), f"{name}: {key} holds a secret itself"
                assert str(value).startswith("/run/secrets/"), f"{name}: {key}={value}"
        for secret in service.get("secrets", []):
            assert secret in declared, f"{name} uses an undeclared secret {secret}"
    for spec in declared.values():
        assert spec["file"].startswith("./secrets/"), spec
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "/packaging/central/secrets/" in ignored, "the secrets folder must stay out of git"
    settings = [rest for word, rest in _instructions() if word in ("ENV", "ARG")]
    assert settings
    for rest in settings:
        for pair in shlex.split(rest):
            name = pair.partition("=")[0].upper()
            if any(word in name for word in SECRET_WORDS):
                assert name.endswith(("_FILE", "_DIRECTORY")), f"{pair}: a secret in the image"


def test_every_copy_source_exists_and_passes_the_ignore_file() -> None:
    patterns = [
        line.strip()
        for line in (HERE / "Containerfile.dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    copies = [rest for word, rest in _instructions() if word == "COPY"]
    assert copies
    for rest in copies:
        words = shlex.split(rest)
        if any(w.startswith("--from=") for w in words):
            continue
        for source in [w for w in words if not w.startswith("--")][:-1]:
            assert (ROOT / source).exists(), f"COPY {source}: not in the build context"
            assert not _ignored(source.rstrip("/"), patterns), f"COPY {source}: ignored"
    assert _ignored(".venv", patterns) and _ignored(".git", patterns), "the context stays small"


def test_the_image_runs_the_centre_as_the_unit_does_with_the_project_s_uv_and_python() -> None:
    instructions = _instructions()
    [entry] = [rest for word, rest in instructions if word == "ENTRYPOINT"]
    unit = (ROOT / "packaging" / "systemd" / "anjungan-central.service").read_text("utf-8")
    [exec_start] = [line for line in unit.splitlines() if line.startswith("ExecStart=")]
    assert " ".join(yaml.safe_load(entry)) == exec_start.removeprefix("ExecStart=")
    assert ("USER", "anjungan-central") in instructions
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    [uv_version] = re.findall(r"^UV_VERSION := (\S+)$", makefile, re.MULTILINE)
    uv_copies = [rest for word, rest in instructions if "astral-sh/uv:" in rest]
    assert uv_copies and all(f"astral-sh/uv:{uv_version} " in rest for rest in uv_copies)
    # The environment is built on the interpreter the image then installs.
    [built_on] = re.findall(r"uv venv --python /usr/bin/(python3\.\d+)", CONTAINERFILE.read_text())
    installs = [rest for word, rest in instructions if word == "RUN" and "apt-get install" in rest]
    assert built_on in installs[-1].split(), "the image's Python is not the environment's"


def test_the_mounted_settings_are_accepted_by_the_centre() -> None:
    """The centre reads the compose's central.toml (its own settings file reader)."""
    check = (
        "import sys; from pathlib import Path;"
        "from central.server import build_parser;"
        "from central.config_file import read_config_file;"
        "print(sorted(read_config_file(Path(sys.argv[1]), build_parser())))"
    )
    done = subprocess.run(
        [sys.executable, "-c", check, str(HERE / "central.toml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    for key in ("db", "host", "workers", "log_format", "trusted_proxy"):
        assert f"'{key}'" in done.stdout, done.stdout


def test_the_build_stage_has_the_system_libraries_the_translations_compiler_needs() -> None:
    """The wheel's build compiles the kiosk's translations with PySide6's lrelease (the
    version uv.lock pins, fetched into the build environment): every system library it
    links against must be in the build stage, a debian:bookworm-slim (Debian's required
    packages and apt) plus what its apt-get install line adds. Without libglib2.0-0, the
    Kerberos and brotli libraries the image's build stopped there."""
    lrelease = Path(PySide6.__file__).parent / "lrelease"
    linked = subprocess.run(
        ["ldd", str(lrelease)], capture_output=True, text=True, timeout=60, check=True
    )
    needed = {
        line.split(" => ")[1].split(" (")[0]
        for line in linked.stdout.splitlines()
        if " => /" in line and "site-packages" not in line
    }
    assert needed, linked.stdout
    text = re.sub(r"\\\n\s*", " ", CONTAINERFILE.read_text(encoding="utf-8"))
    build_stage = text.split("\nFROM ", 2)[1]
    assert build_stage.startswith("debian:bookworm-slim AS build"), build_stage[:60]
    [install] = re.findall(r"apt-get install ([^&]+)", build_stage)
    added = [word for word in install.split() if not word.startswith("-")]
    listed = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Package} ${Priority}\n"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    required = [
        line.split()[0] for line in listed.stdout.splitlines() if line.endswith(" required")
    ]
    in_stage = depends_closure([*required, "apt", *added])
    holders = packages_of(needed)
    assert [lib for lib, package in holders.items() if package is None] == [], "of no package"
    missing = {lib: package for lib, package in sorted(holders.items()) if package not in in_stage}
    assert missing == {}, f"the build stage lacks: {missing}"
