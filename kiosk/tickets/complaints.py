"""File a complaint (pengaduan): store it for the centre, then print its receipt.

The complaint is one outbox row of kind ``complaint`` (the centre's
``POST /api/v1/submissions``); the kiosk keeps nothing else about it. Its
reference is derived from the row's key, a UUID4 made here: 60 of its random
bits written in Crockford base32 (``ADU-7KQ2-M9XD-4TPR``), short enough to
read out over the phone, with no kiosk-local counter, so two kiosks never
hand out the same reference without coordinating (a collision needs about a
billion complaints to become likely). The key itself is the idempotency key.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from typing import Any

from contract.shown import shown_key
from kiosk.errors import Failure
from kiosk.session.events import ComplaintReceipt, FileComplaint
from kiosk.tickets.issue import PrintSetup
from offline_store import Store
from printing import PrinterError
from printing.documents import Language

log = logging.getLogger(__name__)

KIND = "complaint"
#: Longest text the centre accepts (docs/central-api.md).
MAX_TEXT = 2000
#: The complaint's categories: code (sent to the centre) → (Indonesian, English).
CATEGORIES: dict[str, tuple[str, str]] = {
    "pelayanan": ("Pelayanan petugas", "Staff and service"),
    "antrean": ("Antrean dan waktu tunggu", "Queue and waiting time"),
    "fasilitas": ("Fasilitas dan kebersihan", "Facilities and cleanliness"),
    "kiosk": ("Anjungan (kiosk) ini", "This kiosk"),
    "lainnya": ("Lainnya", "Other"),
}
#: The letters of a reference: Crockford's base32 (no I, L, O or U, read as 1, 1, 0 or V).
REFERENCE_LETTERS = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def category_label(code: str, language: str) -> str:
    pair = CATEGORIES.get(code, (code, code))
    return pair[1] if language == "en" else pair[0]


def reference_for(key: str) -> str:
    """The citizen-facing reference of the outbox key ``key`` (a UUID)."""
    bits = uuid.UUID(key).int >> 68  # the top 60 bits: random in a UUID4
    chars = "".join(REFERENCE_LETTERS[(bits >> shift) & 31] for shift in range(55, -1, -5))
    return f"ADU-{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def complaint_body(
    request: FileComplaint, *, office_id: str, reference: str, created_at: dt.datetime
) -> dict[str, Any]:
    """The submission's body, exactly as the centre's ``complaint`` kind expects it.

    ``notify`` only with the citizen's yes (kiosk/session/consent.py): the centre then
    tells that number when the complaint is answered (docs/messages.md).
    """
    body: dict[str, Any] = {
        "office_id": office_id,
        "reference": reference,
        "category": request.category,
        "text": request.text,
        "language": request.language,
        "card_number": request.card_number,
        "created_at": created_at.isoformat(),
    }
    if request.notify_phone is not None:
        body["notify"] = {"phone": request.notify_phone}
    return body


def file_complaint(
    request: FileComplaint,
    *,
    office_id: str,
    office_name: str,
    store: Store,
    setup: PrintSetup,
    now: Callable[[], dt.datetime],
    wanted: Callable[[], bool] | None = None,
) -> ComplaintReceipt:
    """Store the complaint with its outbox row, then print the receipt.

    Raises the store's :class:`offline_store.StoreError` if it cannot be
    stored; a printer fault only means the reference is shown on screen.
    ``wanted`` (:meth:`kiosk.executor.Awaited.claim`) is asked right before the
    receipt is printed: False means the session that sent it has ended, and the
    receipt is not printed for whoever stands there now. The complaint stays
    stored and goes to the centre: it is what the citizen wrote and sent.
    """
    if request.category not in CATEGORIES:
        raise ValueError("unknown complaint category")
    if not 1 <= len(request.text) <= MAX_TEXT:
        raise ValueError(f"a complaint has 1 to {MAX_TEXT} characters")
    key = str(uuid.uuid4())
    reference = reference_for(key)
    created_at = now()
    body = complaint_body(request, office_id=office_id, reference=reference, created_at=created_at)
    store.enqueue_submission(key, KIND, body, created_at)
    # Never the reference (it opens the citizen's page) nor the key it comes from whole.
    log.info("complaint %s stored (%s)", shown_key(key), request.category)
    if wanted is not None and not wanted():
        log.warning(
            "complaint %s stored after its session ended: receipt not printed", shown_key(key)
        )
        return ComplaintReceipt(reference, False, Failure.SESSION_ENDED)
    printed, fault = print_receipt(
        reference,
        request.category,
        request.language,
        office_name,
        created_at,
        setup,
        job_name=receipt_job_name(key),
    )
    return ComplaintReceipt(reference, printed, fault)


def receipt_job_name(key: str) -> str:
    """The print job of the receipt of the complaint keyed ``key``: ``pengaduan-`` and the
    key's end as the log names it (``pengaduan-3f2a9c0b1d7e``), never the reference,
    which opens her complaint's page: backends log a job's name, CUPS keeps it as the
    job's title and the ``pdf_file`` printer names the file after it."""
    return f"pengaduan-{shown_key(key).removeprefix('…')}"


def print_receipt(
    reference: str,
    category: str,
    language: str,
    office_name: str,
    issued_at: dt.datetime,
    setup: PrintSetup,
    *,
    job_name: str,
) -> tuple[bool, str]:
    """Print the receipt as ``job_name`` (:func:`receipt_job_name`); (printed, fault code
    or ""). Never raises: the complaint is stored."""
    from printing.documents import ReceiptDocument
    from printing.layouts.paper import Paper
    from printing.layouts.receipt import render_receipt_pdf

    lang: Language = "en" if language == "en" else "id"
    try:
        document = ReceiptDocument(
            reference=reference,
            office_name=office_name or "Anjungan",
            category=category_label(category, lang),
            issued_at=issued_at,
            language=lang,
            status_url=setup.complaint_url(reference),
        )
        pdf = render_receipt_pdf(document, Paper(setup.paper), logo=setup.logo)
        setup.printer.print_pdf(pdf, job_name, personal=document.personal_data)
    except PrinterError as exc:
        log.warning("complaint receipt not printed: %s (%s)", exc.reason.value, exc.detail)
        return False, exc.reason.value
    except Exception:
        log.exception("complaint receipt not printed: rendering or printing failed")
        return False, "failed"
    return True, ""
