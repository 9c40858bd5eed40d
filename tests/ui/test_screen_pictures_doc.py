"""docs/screens.md, docs/office.md, docs/appointments.md and the README show every
picture `make screenshots` keeps, and only pictures that exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PICTURES = ROOT / "docs" / "screenshots"


def _referenced(page: Path, base: Path) -> set[Path]:
    text = page.read_text(encoding="utf-8")
    found = re.findall(r'src="([^"]+\.png)"', text) + re.findall(r"\]\(([^)]+\.png)\)", text)
    return {(base / name).resolve() for name in found}


def test_every_picture_is_shown_and_every_shown_picture_exists() -> None:
    shown = _referenced(ROOT / "docs" / "office.md", ROOT / "docs")
    shown |= _referenced(ROOT / "docs" / "appointments.md", ROOT / "docs")
    shown |= _referenced(ROOT / "docs" / "screens.md", ROOT / "docs") | _referenced(
        ROOT / "README.md", ROOT
    )
    kept = {path.resolve() for path in PICTURES.glob("*.png")}
    assert shown - kept == set(), "pictures referenced but missing"
    assert kept - shown == set(), "pictures kept but shown nowhere"


def test_each_touch_screen_has_both_orientations_and_languages() -> None:
    names = {p.name for p in PICTURES.glob("*-portrait-id.png")}
    assert len(names) >= 12
    for name in names:
        screen = name.removesuffix("-portrait-id.png")
        for variant in ("portrait-en", "landscape-id", "landscape-en"):
            assert (PICTURES / f"{screen}-{variant}.png").exists(), f"{screen}-{variant}"
