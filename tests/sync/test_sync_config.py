"""The ``[sync]`` section and ``kiosk.timezone``: whole numbers, limits, a real zone."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.config import Config, office_clock, parse_config
from kiosk.errors import ConfigError


def test_defaults_and_a_file_that_changes_them() -> None:
    config = parse_config({"sync": {"batch_size": 250, "lease_size": 40, "interval_s": 2}})
    assert (config.sync.batch_size, config.sync.lease_size) == (250, 40)
    assert config.sync.interval_s == 2.0
    assert Config().sync.allocate_deadline_s == 0.8


def test_the_default_batch_is_the_largest_the_centre_takes() -> None:
    """The centre stores a batch in one transaction: the fewer batches, the fewer
    round trips and commits a drain costs."""
    from central.office.submissions import MAX_ITEMS

    assert Config().sync.batch_size == MAX_ITEMS


@pytest.mark.parametrize(
    ("data", "key", "problem"),
    [
        ({"sync": {"batch_size": 2.5}}, "sync.batch_size", "whole number"),
        ({"sync": {"batch_size": 0}}, "sync.batch_size", "whole number"),
        ({"sync": {"batch_size": 501}}, "sync.batch_size", "at most 500"),
        ({"sync": {"lease_size": 5, "lease_low_water": 5}}, "sync.lease_low_water", "smaller"),
        ({"sync": {"backoff_base_s": 600.0}}, "sync.backoff_base_s", "not exceed"),
        ({"kiosk": {"timezone": "Asia/Atlantis"}}, "kiosk.timezone", "unknown time zone"),
    ],
)
def test_bad_values_name_the_key(
    data: dict[str, dict[str, object]], key: str, problem: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(data)
    assert caught.value.key == key and problem in caught.value.problem


def test_the_office_clock_tells_the_office_day() -> None:
    makassar = office_clock(parse_config({"kiosk": {"timezone": "Asia/Makassar"}}))()
    assert makassar.utcoffset() == dt.timedelta(hours=8)
