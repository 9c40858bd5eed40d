"""Each server process marks the bookings whose slot and grace are over as no-shows on
its own tick, as often as ``--no-show-tick`` says (docs/operations.md, "The no-show
tick"); a tick that could not serve (none, negative, not a number, over an hour) stops
the start saying so, on the command line and in the settings file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from central.errors import CentralStartError
from central.process import start_central
from central.settings import (
    NO_SHOW_TICK_MAX_S,
    NO_SHOW_TICK_MIN_S,
    CentralSettings,
    no_show_tick_refused,
)
from central.tables import bookings, hospital_visits, integration_outbox, quota_takes
from testkit.bpjs_standin import BpjsStandIn
from testkit.centre_hospital import HospitalCentre, own_hospital_centre
from testkit.centre_requests import today
from testkit.centres import BACKENDS
from testkit.mjkn import booked, integrations_file, lapse, put_doctor
from testkit.waits import wait_until

pytestmark = pytest.mark.timeout(120)

#: This module's centre's tick: the shortest there is.
TICK_S = NO_SHOW_TICK_MIN_S
#: The longest the test waits for a tick to mark a booking: thirty of this module's ticks
#: (room for a loaded machine), and half the default minute, so a centre that kept its
#: default tick whatever it was told would not mark it in the wait.
WAIT_S = 30.0
assert CentralSettings().no_show_tick_s > WAIT_S
#: Values that are no tick, and one beyond the longest.
REFUSED = ["0", "-5", "abc", "nan", "inf", f"{NO_SHOW_TICK_MAX_S + 1:g}", "1e9"]


@pytest.fixture(scope="module", params=BACKENDS)
def centre(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[HospitalCentre]:
    """A hospital centre Mobile JKN books at, ticking every :data:`TICK_S`."""
    standin = BpjsStandIn()
    request.addfinalizer(standin.close)
    config = integrations_file(tmp_path_factory.mktemp("no-show-tick"), standin)
    yield from own_hospital_centre(
        request,
        tmp_path_factory,
        "no-show-tick",
        *("--integrations", str(config)),
        *("--no-show-tick", f"{TICK_S:g}"),
    )


def test_a_lapsed_mobile_jkn_booking_is_closed_by_the_tick_with_no_request(
    centre: HospitalCentre,
) -> None:
    """Once its slot and grace are over, a Mobile JKN booking nobody asks about again is
    stored as a no-show by the tick alone, within a few of the centre's short ticks: its
    visit closed, its place given back, BPJS's task 99 queued."""
    kode = put_doctor(centre.url, centre.staff, today(), starts="00:00", ends="23:59")
    code = booked(centre.url, kode)
    with centre.db.begin() as conn:
        lapse(conn, code)

    # From here the test asks the centre nothing: reading the database marks nothing.
    def stored_state() -> str:
        with centre.db.read() as conn:
            state: str = conn.execute(
                select(bookings.c.state).where(bookings.c.code == code)
            ).scalar_one()
        return state

    wait_until(lambda: stored_state() == "no_show", WAIT_S, "the tick to mark the booking")
    with centre.db.read() as conn:
        visit = conn.execute(
            select(hospital_visits.c.state, hospital_visits.c.cancel_reason).where(
                hospital_visits.c.booking_code == code
            )
        ).one()
        given_back = conn.execute(
            select(quota_takes.c.released_at).where(quota_takes.c.ticket_id == f"booking:{code}")
        ).scalar_one()
        task = conn.execute(
            select(integration_outbox.c.kind).where(
                integration_outbox.c.dedupe_key == f"bpjs:task:{code}:99"
            )
        ).scalar_one()
    assert tuple(visit) == ("cancelled", "no-show")
    assert given_back is not None
    assert task == "task"


@pytest.mark.parametrize("value", REFUSED)
def test_a_tick_that_could_not_serve_stops_the_start_saying_so(value: str) -> None:
    with pytest.raises(CentralStartError) as caught:
        start_central(extra_args=("--no-show-tick", value))
    said = str(caught.value)
    assert "exited with status 2 before listening" in said
    assert f"argument --no-show-tick: {no_show_tick_refused(value)}" in said


def test_a_tick_that_could_not_serve_in_the_settings_file_stops_the_start(
    tmp_path: Path,
) -> None:
    config = tmp_path / "central.toml"
    config.write_text("no_show_tick = 0\n", encoding="utf-8")
    with pytest.raises(CentralStartError) as caught:
        start_central(extra_args=("--config", str(config)))
    said = str(caught.value)
    assert "exited with status 2 before listening" in said
    assert f"{config}: key 'no_show_tick': {no_show_tick_refused('0')}" in said


def test_settings_made_in_code_take_the_same_ticks() -> None:
    """create_app takes settings made in code too (the tests, the benchmarks): they are
    held to the command line's bounds."""
    for seconds in (0.0, NO_SHOW_TICK_MIN_S / 2, NO_SHOW_TICK_MAX_S * 2, float("nan")):
        with pytest.raises(ValueError, match="no-show tick must be 1 to 3600 seconds"):
            CentralSettings(no_show_tick_s=seconds)
    for seconds in (NO_SHOW_TICK_MIN_S, NO_SHOW_TICK_MAX_S):
        assert CentralSettings(no_show_tick_s=seconds).no_show_tick_s == seconds
