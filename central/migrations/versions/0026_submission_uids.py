"""Submissions: the card UIDs older registrations brought are forgotten.

Revision ID: 0026_submission_uids
Revises: 0025_tickets_at_a_counter
Create Date: 2026-12-07

A kiosk sent the UID of the card read with each registration, and the centre kept it in
``submissions.body`` beside the citizen's name, NIK and phone, though nothing reads it:
a card anyone near it can read in a second was tied to a person. The centre now stores a
registration without it (``central.office.submissions.Item.stored``); this sets it to
``null`` in the bodies stored before, in the same canonical JSON. ``body_sha256`` is
left as it was (the whole body's, as the kiosk sent it), so an item sent again is still
known as a replay. Coming down changes nothing: the UIDs are gone on purpose.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0026_submission_uids"
down_revision = "0025_tickets_at_a_counter"
branch_labels = None
depends_on = None

#: Bodies read and written a batch at a time, in key order (a city's years of
#: registrations are never all in memory).
BATCH = 500
#: How a stored body (canonical JSON: no spaces) holds a UID: ``"card_uid":"…"``.
HOLDS_A_UID = '%"card_uid":"%'


def upgrade() -> None:
    """Each body holding a UID, a batch at a time in key order (a city's years of
    registrations are never all in memory), each batch's changes written at once."""
    conn = op.get_bind()
    after: tuple[str, str] = ("", "")
    while True:
        rows = conn.execute(
            sa.text(
                "SELECT kiosk_id, key, body FROM submissions "
                "WHERE body LIKE :pattern AND (kiosk_id > :kiosk_id "
                "OR (kiosk_id = :kiosk_id AND key > :key)) "
                "ORDER BY kiosk_id, key LIMIT :batch"
            ),
            {"pattern": HOLDS_A_UID, "kiosk_id": after[0], "key": after[1], "batch": BATCH},
        ).all()
        if not rows:
            return
        changed = [
            {"body": kept, "kiosk_id": kiosk_id, "key": key}
            for kiosk_id, key, body in rows
            if (kept := _without_uid(body)) is not None
        ]
        if changed:
            conn.execute(
                sa.text(
                    "UPDATE submissions SET body = :body WHERE kiosk_id = :kiosk_id AND key = :key"
                ),
                changed,
            )
        after = (rows[-1][0], rows[-1][1])


def _without_uid(body: str) -> str | None:
    """``body`` with its top-level ``card_uid`` set to null, as canonical JSON; None when
    it holds none there (the pattern matched a text inside another value)."""
    try:
        data: Any = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("card_uid") is None:
        return None
    data["card_uid"] = None
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def downgrade() -> None:
    """Nothing to bring back: the UIDs were forgotten on purpose."""
