"""The centre's queue answer: a count or a wait below zero is refused (the queue stays
unknown, and the log says why), and a blank number now served is none."""

from __future__ import annotations

from typing import Any

import pytest

from kiosk.client.errors import AnswerError
from kiosk.client.info import parse_queue_state


def answer(**service: Any) -> dict[str, Any]:
    row = {"service_id": "ktp", "now_serving": "B-012", "waiting": 3}
    row["estimated_wait_minutes"] = 10
    row.update(service)
    return {"office_id": "pku-mpp", "day": "2026-11-23", "services": [row]}


@pytest.mark.parametrize("key", ["waiting", "estimated_wait_minutes"])
def test_a_count_below_zero_is_refused(key: str) -> None:
    with pytest.raises(AnswerError, match=f"'{key}' is below zero"):
        parse_queue_state(answer(**{key: -3}))


@pytest.mark.parametrize("blank", ["", "   ", "\t\n"])
def test_a_blank_number_now_served_is_none(blank: str) -> None:
    [queue] = parse_queue_state(answer(now_serving=blank)).services
    assert queue.now_serving is None


def test_a_sound_answer_is_kept_as_it_came() -> None:
    [queue] = parse_queue_state(answer(now_serving=" B-012 ", waiting=0)).services
    assert (queue.now_serving, queue.waiting, queue.estimated_wait_minutes) == ("B-012", 0, 10)
