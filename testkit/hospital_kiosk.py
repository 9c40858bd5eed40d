"""A hospital office for kiosk tests: a catalog with a poli and today's doctors there.

The demo's own hospital (``rsud-pku``) is the centre's; these are small, fixed
and independent of it, so the session and screen tests read in one place what a
poli's doctor list holds.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from contract.catalog import Catalog
from contract.hospital import DoctorToday
from testkit.centres import DEMO_CATALOG

OFFICE = "rsud-test"
POLI = "poli-uji"

_POLI_SERVICE: dict[str, Any] = {
    "id": POLI,
    "office_id": OFFICE,
    "category": "kesehatan",
    "name": {"id": "Poli Uji", "en": "Test clinic"},
    "description": {"id": "Pendaftaran poli penyakit dalam.", "en": "Internal medicine."},
    "counter": "Poli Penyakit Dalam",
    "ticket_prefix": "D",
    "assurance": "unverified",
    "requirements": [{"id": "Kartu BPJS Kesehatan (jika ada)", "en": "BPJS card (if any)"}],
    "poli": {"kodepoli": "INT"},
    "form": [
        {"name": "full_name", "label": {"id": "Nama lengkap", "en": "Full name"},
         "type": "text", "prefill": "card.full_name"},
        {"name": "nik", "label": {"id": "NIK", "en": "NIK"}, "type": "nik",
         "prefill": "card.nik"},
        {"name": "norm", "label": {"id": "No. RM", "en": "Medical record no."},
         "type": "text", "prefill": "record.medical_record_number", "required": False},
        {"name": "nomorkartu", "label": {"id": "Nomor kartu BPJS", "en": "BPJS card no."},
         "type": "text", "prefill": "card.bpjs_number", "required": False},
        {"name": "phone", "label": {"id": "Nomor HP", "en": "Mobile number"},
         "type": "phone", "prefill": "record.phone", "editable": True, "required": False},
    ],
}  # fmt: skip


def poli_catalog_json() -> dict[str, Any]:
    """The demo catalog with a hospital office and its poli added."""
    data = json.loads(DEMO_CATALOG.read_text(encoding="utf-8"))
    data["offices"].append({"id": OFFICE, "name": "RSUD Uji", "city": "Pekanbaru"})
    data["services"].append(copy.deepcopy(_POLI_SERVICE))
    return dict(data)


def poli_catalog() -> Catalog:
    return Catalog.from_json(poli_catalog_json())


def doctor(
    schedule_id: str = "s-ani",
    name: str = "dr. Ani Wijaya, Sp.PD",
    *,
    starts: str = "08:00",
    ends: str = "23:59",  # open whenever the test runs (the kiosk greys closed ones)
    quota_jkn: int = 10,
    left_jkn: int = 4,
    quota_non_jkn: int = 5,
    left_non_jkn: int = 5,
    minutes: int = 10,
    service_id: str = POLI,
    closed: bool = False,
) -> DoctorToday:
    return DoctorToday(
        schedule_id=schedule_id,
        service_id=service_id,
        kodepoli="INT",
        kodedokter=f"D-{schedule_id}",
        doctor_name=name,
        starts=starts,
        ends=ends,
        quota_jkn=quota_jkn,
        left_jkn=left_jkn,
        quota_non_jkn=quota_non_jkn,
        left_non_jkn=left_non_jkn,
        minutes_per_patient=minutes,
        closed=closed,
    )
