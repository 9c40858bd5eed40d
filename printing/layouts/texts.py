"""Words printed on paper, per language, and dates written out in full.

Kept apart from the layout so every document (the ticket, the registration
slip and the complaint receipt) words things the same way. Dates are
formatted here rather than with ``strftime``/``locale`` because the kiosk's
locale is not the citizen's language and Debian images often ship without
``id_ID`` locales.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from printing.documents import Language


@dataclass(frozen=True)
class PaperTexts:
    """Fixed wording of every printed document in one language."""

    # The queue ticket (the slip shares its counter label, QR caption and reprint mark).
    heading: str
    counter_label: str
    footer: str
    #: ``{n}``: people waiting before this ticket.
    people_ahead: str
    #: ``{minutes}``: the estimated wait.
    wait: str
    #: A poli's ticket: ``{name}`` the doctor; ``{nomor}`` BPJS's queue number;
    #: ``{time}`` the estimated time (HH:MM).
    doctor: str
    nomorantrean: str
    estimated_at: str
    requirements: str
    scan: str
    reprint: str
    # The registration slip.
    slip_heading: str
    slip_footer: str
    # The complaint receipt.
    receipt_heading: str
    receipt_reference: str
    receipt_footer: str
    receipt_scan: str = ""


TEXTS: dict[Language, PaperTexts] = {
    "id": PaperTexts(
        heading="Nomor Antrean",
        counter_label="Loket",
        footer="Harap menunggu nomor Anda dipanggil",
        people_ahead="Antrean di depan Anda: {n}",
        wait="Perkiraan waktu tunggu: ± {minutes} menit",
        doctor="Dokter: {name}",
        nomorantrean="Nomor antrean poli: {nomor}",
        estimated_at="Perkiraan dilayani: pukul {time}",
        requirements="Persyaratan yang dibawa:",
        scan="Pindai untuk melihat status antrean",
        reprint="CETAK ULANG",
        slip_heading="BUKTI PENDAFTARAN",
        slip_footer="Serahkan lembar ini kepada petugas loket",
        receipt_heading="BUKTI PENGADUAN",
        receipt_reference="Nomor referensi",
        receipt_footer="Simpan nomor ini untuk menanyakan tindak lanjut pengaduan Anda",
        receipt_scan="Pindai untuk melihat jawaban atas pengaduan Anda",
    ),
    "en": PaperTexts(
        heading="Queue number",
        counter_label="Counter",
        footer="Please wait until your number is called",
        people_ahead="People ahead of you: {n}",
        wait="Estimated wait: about {minutes} min",
        doctor="Doctor: {name}",
        nomorantrean="Poli queue number: {nomor}",
        estimated_at="Estimated time: {time}",
        requirements="Please bring:",
        scan="Scan to follow your place in the queue",
        reprint="REPRINT",
        slip_heading="REGISTRATION SLIP",
        slip_footer="Hand this slip to the counter officer",
        receipt_heading="COMPLAINT RECEIPT",
        receipt_reference="Reference number",
        receipt_footer="Keep this number to ask about your complaint",
        receipt_scan="Scan to read the answer to your complaint",
    ),
}


MONTHS: dict[Language, tuple[str, ...]] = {
    "id": (
        "Januari", "Februari", "Maret", "April", "Mei", "Juni",
        "Juli", "Agustus", "September", "Oktober", "November", "Desember",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
}  # fmt: skip


def format_datetime(moment: datetime, language: Language) -> str:
    """``22 November 2026 21:40``: day, month name, year, 24-hour time.

    Both languages use day-month-year order and a 24-hour clock, which is how
    Indonesian offices write it and unambiguous in English.
    """
    month = MONTHS[language][moment.month - 1]
    return f"{moment.day} {month} {moment.year} {moment:%H:%M}"
