"""The licence the project claims is shipped, whole, and every dependency's
licence is named in NOTICE."""

from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: MD5 of https://www.apache.org/licenses/LICENSE-2.0.txt, which opens with a blank line.
APACHE_2_0_MD5 = "3b83ef96387f14655fc854ddc3c6bd57"


def test_license_is_the_complete_apache_2_0_text() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    canonical = text if text.startswith("\n") else "\n" + text
    assert hashlib.md5(canonical.encode()).hexdigest() == APACHE_2_0_MD5  # noqa: S324
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "Apache-2.0"


def test_notice_names_every_dependency_and_extra() -> None:
    notice = (ROOT / "NOTICE").read_text(encoding="utf-8").lower()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements.extend(extra)
    names = {re.split(r"[\[<>=!~; ]", r, maxsplit=1)[0].lower() for r in requirements}
    missing = sorted(n for n in names if n not in notice)
    assert missing == [], f"NOTICE does not name: {missing}"
    for licence in ("eupl-1.1", "lgpl-2.0-or-later", "lgpl-3.0"):
        assert licence in notice
