"""Today's doctors from the real centre into the kiosk's store: fetched on the engine's
step at a hospital office, asked nowhere else, and never taken for another office's
list."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from central.process import RunningCentral
from central.settings import (
    DEMO_ENROLMENT_CODE,
    DEMO_HOSPITAL_ENROLMENT_CODE,
    DEMO_HOSPITAL_ID,
)
from kiosk.sync import SyncEngine
from offline_store import Store, SyncResult
from testkit.clocks import OfficeClock
from testkit.fault_proxy import FaultProxy
from testkit.sync_kiosk import Kiosk, kiosk_config, patient_client

pytestmark = pytest.mark.timeout(60)
DOCTORS_PATH = "/api/v1/hospital/doctors/today"


def hospital_kiosk(
    tmp_path: Path, store: Store, proxy: FaultProxy, clock: OfficeClock, *, code: str
) -> Kiosk:
    config = kiosk_config(tmp_path, proxy.url)
    config = dataclasses.replace(
        config,
        kiosk=dataclasses.replace(config.kiosk, office_id=DEMO_HOSPITAL_ID),
        central=dataclasses.replace(config.central, enrolment_code=code),
    )
    client = patient_client(proxy.url)
    engine = SyncEngine(store, client, config, now=clock, rng=random.Random(5))  # noqa: S311
    return Kiosk(store, client, engine, proxy, clock, config)


@pytest.fixture
def hospital(
    tmp_path: Path, store: Store, proxy: FaultProxy, clock: OfficeClock
) -> Iterator[Kiosk]:
    kiosk = hospital_kiosk(tmp_path, store, proxy, clock, code=DEMO_HOSPITAL_ENROLMENT_CODE)
    try:
        yield kiosk
    finally:
        kiosk.engine.stop()
        kiosk.client.close()


def test_a_hospital_kiosk_caches_the_doctors_the_centre_counts(
    hospital: Kiosk, central: RunningCentral
) -> None:
    report = hospital.engine.run_once()
    assert "doctors" in report.ran and "doctors" not in report.failed, report
    day = hospital.clock().date()
    cached = hospital.store.doctors_today(DEMO_HOSPITAL_ID, day)
    answer = requests.get(
        f"{central.url}{DOCTORS_PATH}",
        headers={"Authorization": f"Bearer {hospital.client.token}"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    assert [d.to_json() for d in cached] == sorted(
        answer.json()["doctors"], key=lambda d: (d["service_id"], d["starts"], d["doctor_name"])
    )
    assert {d.service_id for d in cached} >= {"poli-dalam", "poli-anak", "poli-gigi"}


def test_an_office_without_a_poli_asks_nothing(kiosk: Kiosk, proxy: FaultProxy) -> None:
    report = kiosk.engine.run_once()
    assert "doctors" in report.ran and "doctors" not in report.failed, report
    assert proxy.count(DOCTORS_PATH) == 0


def test_another_office_s_list_is_refused_and_nothing_cached(
    tmp_path: Path, store: Store, proxy: FaultProxy, clock: OfficeClock
) -> None:
    # configured for the hospital, but enrolled for the service mall: the centre answers
    # for the office of the token
    kiosk = hospital_kiosk(tmp_path, store, proxy, clock, code=DEMO_ENROLMENT_CODE)
    try:
        report = kiosk.engine.run_once()
    finally:
        kiosk.engine.stop()
        kiosk.client.close()
    assert "doctors" in report.failed, report
    assert proxy.count(DOCTORS_PATH) == 1
    assert store.doctors_today(DEMO_HOSPITAL_ID, clock().date()) == []
    logged = store.last_sync("doctors")
    assert logged is not None and logged.result is SyncResult.FAILED
    assert "doctors of pku-mpp" in logged.detail
