"""What docs/central-api.md shows, for tests that check the centre says exactly that."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

API_DOCS = Path(__file__).resolve().parents[1] / "docs" / "central-api.md"


def documented_after(phrase: str) -> Any:
    """The first JSON example in docs/central-api.md after ``phrase``."""
    text = API_DOCS.read_text(encoding="utf-8")
    start = text.index(phrase)
    block = re.search(r"```json\n(.*?)\n```", text[start:], re.DOTALL)
    assert block is not None, f"no JSON example after {phrase!r}"
    return json.loads(block.group(1))
