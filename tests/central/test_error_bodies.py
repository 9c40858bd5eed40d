"""A body that is not JSON gets exactly the error docs/central-api.md shows."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import requests

from central.process import RunningCentral
from testkit.centre_accounts import bearer

pytestmark = pytest.mark.timeout(60)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "central-api.md"
JSON = {"Content-Type": "application/json"}


def documented_after(phrase: str) -> Any:
    """The first JSON example in docs/central-api.md after ``phrase``."""
    text = DOCS.read_text(encoding="utf-8")
    start = text.index(phrase)
    block = re.search(r"```json\n(.*?)\n```", text[start:], re.DOTALL)
    assert block is not None, f"no JSON example after {phrase!r}"
    return json.loads(block.group(1))


def test_a_body_that_is_not_text_gets_the_documented_400(
    central_server: RunningCentral, kiosk_token: str
) -> None:
    expected = documented_after("bytes that are not UTF-8")
    for path, headers in (
        ("/api/v1/enrol", JSON),
        ("/api/v1/staff/login", JSON),
        ("/api/v1/citizens/lookup", {**JSON, **bearer(kiosk_token)}),
    ):
        answer = requests.post(
            central_server.url + path, data=b"\xff\xfe{", headers=headers, timeout=5
        )
        assert (answer.status_code, answer.json()) == (400, expected), path


def test_a_body_with_a_json_syntax_error_gets_the_documented_422(
    central_server: RunningCentral,
) -> None:
    expected = documented_after("here the body `{not json`")
    answer = requests.post(
        f"{central_server.url}/api/v1/enrol", data=b"{not json", headers=JSON, timeout=5
    )
    assert (answer.status_code, answer.json()) == (422, expected)
