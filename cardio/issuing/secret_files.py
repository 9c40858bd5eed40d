"""The JSON files of issuing that hold a private key: issuer key files and card images.

Both are read with the same two refusals (unreadable, not JSON), raised as the
caller's own error, and written with mode 0600: whoever reads one can issue
cards, or copy one.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def read_json(path: Path, error: type[ValueError]) -> Any:
    """The JSON value in ``path``; ``error`` naming the file if it cannot be read or parsed."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise error(f"cannot read {path}: {exc.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise error(f"{path}: not valid JSON: {exc}") from None


def write_secret_json(path: Path, data: Mapping[str, Any]) -> None:
    """Write ``data`` as indented JSON, readable by its owner only (mode 0600)."""
    text = json.dumps(data, indent=2) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
