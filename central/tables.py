"""The central server's tables (SQLAlchemy Core), as migration ``0001_initial`` makes them.

The migrations in ``central/migrations/versions/`` create the schema; this
module describes the same schema for queries. ``tests/central/test_migrations.py``
compares the two on SQLite and PostgreSQL, so they cannot drift: change a
table here, add a revision there.

Conventions: ids of things people name (offices, services) are the
catalog's strings; kiosks get a UUID; everything else an integer. Times are
:class:`UtcDateTime` (aware UTC in Python on both databases). Secrets
(tokens, enrolment codes, passwords) are only ever stored hashed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC; always aware in Python (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware one")
        try:
            utc = value.astimezone(dt.UTC)
        except OverflowError:  # e.g. 0001-01-01T00:00+14:00: no UTC time to store
            raise ValueError("a time outside the range the database stores") from None
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)  # noqa: S101 - the driver's contract
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


# Named constraints, so later revisions can alter them on both databases.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# -- catalog -----------------------------------------------------------------
offices = Table(
    "offices",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("city", String(100), nullable=False),
    Column("active", Boolean, nullable=False),
    #: Its numbered counters, Loket 1 … N, from the catalog (0022_office_counters);
    #: ``NULL``: a catalog published before the setting, which meant 8.
    Column("counters", Integer, nullable=True),
)
services = Table(
    "services",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("office_id", String(64), ForeignKey("offices.id"), nullable=False),
    Column("category", String(32), nullable=False),
    Column("name", String(200), nullable=False),
    Column("ticket_prefix", String(8), nullable=False),
    Column("counter", String(100), nullable=False),
    Column("active", Boolean, nullable=False),
    #: A poli's BPJS code and SATUSEHAT Location, from the catalog (0014_hospital).
    Column("kodepoli", String(16), nullable=True),
    Column("location_id", String(64), nullable=True),
)
#: Every published catalog; the newest (highest id) is served.
catalog_versions = Table(
    "catalog_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("version", String(100), nullable=False, unique=True),
    Column("body", Text, nullable=False),  # canonical JSON
    Column("etag", String(80), nullable=False),
    Column("published_at", UtcDateTime, nullable=False),
)

# -- kiosks and their credentials ----------------------------------------------
enrolment_codes = Table(
    "enrolment_codes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code_hash", String(64), nullable=False, unique=True),
    Column("office_id", String(64), ForeignKey("offices.id"), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=True),  # None: the demo code only
    Column("used_at", UtcDateTime, nullable=True),
    Column("reusable", Boolean, nullable=False),  # True: the demo code only
    Column("note", String(200), nullable=False),
    # A code made for an enrolled kiosk gives it a new token and keeps its
    # identity (0007_rekey); None: the code makes a new kiosk. No foreign key:
    # kiosks already refer to their code (a cycle); kiosk rows are never deleted
    # and the id is checked when the code is made.
    Column("kiosk_id", String(36), nullable=True),
    #: True: the code enrols (or re-keys) a hospital's registration desk, which
    #: searches patients by name and sees their phone and address (0024_kiosk_desk).
    Column("desk", Boolean, nullable=False, server_default=false()),
)
kiosks = Table(
    "kiosks",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("office_id", String(64), ForeignKey("offices.id"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("enrolled_at", UtcDateTime, nullable=False),
    Column("enrolment_code_id", Integer, ForeignKey("enrolment_codes.id"), nullable=True),
    #: Short, unique, never reused ("K07"): printed in fallback ticket numbers
    #: ("A-K07-001"), so two kiosks' offline numbers cannot collide (0002_queue).
    #: Always set (enrolment assigns it, 0002 filled older rows); nullable only
    #: because SQLite cannot add a NOT NULL column to a table others refer to.
    Column("kiosk_code", String(8), nullable=True),
    #: True: a hospital's registration desk (``kiosk run --desk``), as the code that
    #: enrolled or last re-keyed it said: staff give the role, never the kiosk's own
    #: requests (0024_kiosk_desk; docs/desk.md).
    Column("desk", Boolean, nullable=False, server_default=false()),
)
Index("uq_kiosks_kiosk_code", kiosks.c.kiosk_code, unique=True)
kiosk_tokens = Table(
    "kiosk_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),  # SHA-256 hex
    Column("kiosk_id", String(36), ForeignKey("kiosks.id"), nullable=False, index=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
)

# -- staff -----------------------------------------------------------------------
staff_users = Table(
    "staff_users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("password_hash", String(200), nullable=False),  # scrypt, see credentials.py
    Column("role", String(16), nullable=False),  # "admin" or "staff"
    Column("office_id", String(64), ForeignKey("offices.id"), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("disabled_at", UtcDateTime, nullable=True),
)
staff_tokens = Table(
    "staff_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("staff_id", Integer, ForeignKey("staff_users.id"), nullable=False, index=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
)
#: Failed logins in a row per username (existing or not), and its lock
#: (0006_staff_lockout; see central/access/lockout.py). A success deletes the row.
staff_login_failures = Table(
    "staff_login_failures",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_failed_at", UtcDateTime, nullable=False, index=True),
    Column("locked_until", UtcDateTime, nullable=True),
)

# -- trust -------------------------------------------------------------------------
trust_issuers = Table(
    "trust_issuers",
    metadata,
    Column("kid", String(16), primary_key=True),  # hex, derived from the key
    Column("issuer_id", String(32), nullable=False),
    Column("name", String(200), nullable=False),
    Column("public_key", Text, nullable=False),  # PEM SubjectPublicKeyInfo
    Column("added_at", UtcDateTime, nullable=False),
    Column("retired_at", UtcDateTime, nullable=True),
)
revoked_cards = Table(
    "revoked_cards",
    metadata,
    Column("issuer_id", String(32), primary_key=True),
    Column("card_number", String(64), primary_key=True),
    Column("revoked_at", UtcDateTime, nullable=False),
)
#: The version number of each versioned list ("trust", "revocations"),
#: bumped in the same transaction as the change it counts.
list_versions = Table(
    "list_versions",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# -- the city's citizen records ------------------------------------------------------
citizens = Table(
    "citizens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("nik", String(16), nullable=False, unique=True),
    Column("full_name", String(200), nullable=False),
    Column("card_number", String(64), nullable=True, unique=True),  # the city card
    Column("family_card_number", String(16), nullable=True),  # KK
    Column("phone", String(20), nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
    #: The city's record of the date of birth (0012_citizen_birth_dates); ``None``:
    #: the booking page falls back to the date the NIK carries, its century resolved.
    Column("birth_date", Date, nullable=True),
    #: A hospital patient's BPJS card number (13 digits, 0014_hospital).
    Column("bpjs_number", String(13), nullable=True),
    #: ``L`` or ``P`` as a hospital records it; ``None``: not recorded.
    Column("sex", String(1), nullable=True),
    Column("address", String(300), nullable=True),
)
#: Cards that hold no record (an e-KTP gives only its UID), registered to a citizen.
card_uids = Table(
    "card_uids",
    metadata,
    Column("uid", String(20), primary_key=True),  # upper-case hex
    Column("citizen_id", Integer, ForeignKey("citizens.id"), nullable=False, index=True),
    Column("registered_at", UtcDateTime, nullable=False),
)
Index("uq_citizens_bpjs_number", citizens.c.bpjs_number, unique=True)
medical_records = Table(
    "medical_records",
    metadata,
    Column("citizen_id", Integer, ForeignKey("citizens.id"), primary_key=True),
    Column("office_id", String(64), ForeignKey("offices.id"), primary_key=True),
    Column("medical_record_number", String(32), nullable=False),
)

# -- audit ---------------------------------------------------------------------------
#: One row per citizen lookup. ``key_hash`` is HMAC-SHA256(audit key,
#: "<kind>:<key>"): an auditor with the key can ask "was this NIK looked
#: up?", a reader of the table alone learns nothing. Who looked: a kiosk
#: (``kiosk_id``) or a staff account (``staff_username``, 0004_scoping),
#: exactly one of the two.
citizen_lookups = Table(
    "citizen_lookups",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("at", UtcDateTime, nullable=False),
    Column("kiosk_id", String(36), ForeignKey("kiosks.id"), nullable=True),
    Column("key_kind", String(16), nullable=False),
    Column("key_hash", String(64), nullable=False, index=True),
    Column("found", Boolean, nullable=False),
    Column("staff_username", String(100), nullable=True),
    CheckConstraint("(kiosk_id IS NULL) <> (staff_username IS NULL)", name="one_actor"),
)
#: Security events: enrolments, revocations, staff added, logins. ``detail``
#: is a short text without personal data.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String(100), nullable=False),  # "kiosk:<id>", "staff:<name>", "cli"
    Column("action", String(64), nullable=False),
    Column("subject", String(100), nullable=False),
    Column("detail", String(500), nullable=False),
)
Index("ix_audit_log_at", audit_log.c.at)
#: Server-side secrets that must survive restarts (see CentralSettings.audit_key).
server_secrets = Table(
    "server_secrets",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(200), nullable=False),
)

# -- queues, number leases, submissions (0002_queue) -------------------------------
#: The numbers of a queue (office, service, local day), central/office/sequence.py:
#: ``last_number`` the highest counted up (online and fallback tickets),
#: ``lease_floor`` the lowest leased from the top down (0009_number_ranges).
ticket_counters = Table(
    "ticket_counters",
    metadata,
    Column("office_id", String(64), ForeignKey("offices.id"), primary_key=True),
    Column("service_id", String(64), ForeignKey("services.id"), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("last_number", Integer, nullable=False),
    Column("lease_floor", Integer, nullable=False, server_default=text("1000")),
    Column("updated_at", UtcDateTime, nullable=False),
)
#: A block of numbers [first_number, last_number] a kiosk may print offline.
#: ``returned_from``: the numbers from there to ``last_number`` were given
#: back and are void.
leases = Table(
    "leases",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("kiosk_id", String(36), ForeignKey("kiosks.id"), nullable=False, index=True),
    Column("office_id", String(64), ForeignKey("offices.id"), nullable=False),
    Column("service_id", String(64), ForeignKey("services.id"), nullable=False),
    Column("day", Date, nullable=False),
    Column("first_number", Integer, nullable=False),
    Column("last_number", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("returned_from", Integer, nullable=True),
    Column("returned_at", UtcDateTime, nullable=True),
)


def _own_queue(context: Any) -> Any:
    """A new ticket's ``queue_id`` when the insert names none: its ``service_id``."""
    return context.get_current_parameters()["service_id"]


def _issue_time(context: Any) -> Any:
    """A new ticket's ``queued_at`` when the insert names none: its ``issued_at``."""
    return context.get_current_parameters()["issued_at"]


#: Queue tickets; ``id`` is the kiosk's ticket id, unless another kiosk's
#: ticket had it first: then ``id`` is derived from (kiosk, its ticket id) and
#: ``kiosk_ticket_id`` keeps the kiosk's id (0004_scoping; see
#: :mod:`central.office.submissions`). ``number`` is the place in
#: the queue's sequence; ``display`` what the paper says ("A-017", "A-K07-001").
#: ``number_source``: online, lease or fallback. ``status``: waiting, called,
#: held, served, no_show, void. ``queue_id``: the queue the ticket stands in
#: now (a transfer moves it; ``service_id`` stays the numbering's, 0008_office);
#: a higher ``priority`` is called first. ``issued_at`` is the time the
#: ticket was issued by its kiosk's clock (online: the centre's), kept as
#: claimed; ``queued_at`` its place in time in the queue by a time the centre
#: can defend, which the call order sorts on (0009_number_ranges; see
#: :mod:`central.office.submissions`).
tickets = Table(
    "tickets",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("office_id", String(64), ForeignKey("offices.id"), nullable=False),
    Column("service_id", String(64), ForeignKey("services.id"), nullable=False),
    Column("day", Date, nullable=False),
    Column("number", Integer, nullable=False),
    Column("display", String(32), nullable=False),
    Column("number_source", String(16), nullable=False),
    Column("kiosk_id", String(36), ForeignKey("kiosks.id"), nullable=False),
    Column("lease_id", String(36), ForeignKey("leases.id"), nullable=True),
    Column("status", String(16), nullable=False),
    Column("counter", String(100), nullable=True),
    Column("issued_at", UtcDateTime, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("called_at", UtcDateTime, nullable=True),
    Column("finished_at", UtcDateTime, nullable=True),
    Column("registered_at", UtcDateTime, nullable=True),
    Column("kiosk_ticket_id", String(36), nullable=True, index=True),
    # Every new ticket stands in the queue of its own service until a counter moves it.
    Column("queue_id", String(64), nullable=False, default=_own_queue),
    Column("priority", Integer, nullable=False, server_default=text("0")),
    Column("queued_at", UtcDateTime, nullable=False, default=_issue_time),
    # When a counter set it aside (tunda), while it still is: a call back, a call and a
    # transfer clear it; one closed straight from held keeps it, and has no service time
    # (0023_ticket_held_at).
    Column("held_at", UtcDateTime, nullable=True),
    # An online number asked ahead while the citizen is still at the kiosk (answering its
    # last question): not called before this time, unless its registration (which clears
    # it) or a void comes first (0029_ticket_at_kiosk_until).
    Column("at_kiosk_until", UtcDateTime, nullable=True),
    # The last guard: whatever the code does, one number is one ticket.
    UniqueConstraint("office_id", "service_id", "day", "number"),
    UniqueConstraint("office_id", "service_id", "day", "display"),
)
Index("ix_tickets_service_id_day_status", tickets.c.service_id, tickets.c.day, tickets.c.status)
Index("ix_tickets_office_id_day", tickets.c.office_id, tickets.c.day)
#: The fallback numbers a kiosk registered per queue and day, counted every batch
#: from this index alone (0018; it replaced 0017's on (kiosk, day)).
Index(
    "ix_tickets_kiosk_id_number_source_day_service_id",
    tickets.c.kiosk_id,
    tickets.c.number_source,
    tickets.c.day,
    tickets.c.service_id,
)
Index("ix_tickets_queue_id_day_status", tickets.c.queue_id, tickets.c.day, tickets.c.status)
#: What a counter has held, asked before every call there (0025; also its called
#: tickets by their day, which an older centre read).
Index(
    "ix_tickets_office_id_counter_status_day",
    tickets.c.office_id,
    tickets.c.counter,
    tickets.c.status,
    tickets.c.day,
)
#: What a counter has called, by its last call, asked before every call there (0028).
Index(
    "ix_tickets_office_id_counter_status_called_at",
    tickets.c.office_id,
    tickets.c.counter,
    tickets.c.status,
    tickets.c.called_at,
)
#: Every accepted kiosk submission, by the kiosk and its idempotency key (a
#: key is the kiosk's own: two kiosks never collide, 0004_scoping).
#: ``body_sha256`` is the SHA-256 of the body's canonical JSON as the kiosk sent
#: it (a replay is known by it); ``body`` that JSON less a card's UID (``card_uid``
#: null, ``central.office.submissions.Item.stored``; 0026_submission_uids forgot
#: those kept before), so its own digest may differ from ``body_sha256``. ``result``
#: the JSON answered. ``day``: the office's local date of the item (issued,
#: created, checked in).
submissions = Table(
    "submissions",
    metadata,
    Column("kiosk_id", String(36), ForeignKey("kiosks.id"), primary_key=True),
    Column("key", String(64), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("office_id", String(64), ForeignKey("offices.id"), nullable=False),
    Column("service_id", String(64), ForeignKey("services.id"), nullable=True),
    Column("day", Date, nullable=False),
    Column("body_sha256", String(64), nullable=False),
    Column("body", Text, nullable=False),
    Column("result", Text, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
)
Index(
    "ix_submissions_office_id_day_kind",
    submissions.c.office_id,
    submissions.c.day,
    submissions.c.kind,
)

# -- fleet, health information, citizen applications (0003_fleet) ------------------
#: The latest heartbeat of each kiosk: one row per kiosk, replaced at every
#: beat (no history: 1,000 kiosks beating every 30 s stay one small table).
kiosk_heartbeats = Table(
    "kiosk_heartbeats",
    metadata,
    Column("kiosk_id", String(36), ForeignKey("kiosks.id"), primary_key=True),
    Column("received_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime, nullable=False),
    Column("clock_skew_ms", BigInteger, nullable=False),  # the kiosk's clock minus ours
    Column("version", String(64), nullable=False),
    Column("reader_state", String(16), nullable=False),
    Column("reader_detail", String(200), nullable=False),
    Column("printer_state", String(16), nullable=False),
    Column("printer_detail", String(200), nullable=False),
    Column("outbox_pending", Integer, nullable=False),
    Column("outbox_dead", Integer, nullable=False),
    Column("outbox_oldest_pending_s", BigInteger, nullable=True),
    Column("catalog_version", String(100), nullable=True),
    Column("leases", Text, nullable=False),  # JSON, as the kiosk sent it
)
#: When staff last changed an office's health information.
health_info = Table(
    "health_info",
    metadata,
    Column("office_id", String(64), ForeignKey("offices.id"), primary_key=True),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("updated_by", String(100), nullable=False),
)
#: Wards of a hospital or puskesmas and their beds.
wards = Table(
    "wards",
    metadata,
    Column("office_id", String(64), ForeignKey("offices.id"), primary_key=True),
    Column("ward_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("beds_total", Integer, nullable=False),
    Column("beds_free", Integer, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint("beds_free >= 0 AND beds_free <= beds_total", name="beds"),
)
#: Today's roster of doctors on duty per office, replaced as a whole;
#: ``from_time``/``until_time`` are the office's local "HH:MM".
doctors_on_duty = Table(
    "doctors_on_duty",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("office_id", String(64), ForeignKey("offices.id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("name", String(200), nullable=False),
    Column("specialty", String(100), nullable=False),
    Column("room", String(100), nullable=False),
    Column("from_time", String(5), nullable=False),
    Column("until_time", String(5), nullable=False),
)
#: A citizen's application ("berkas") at an office and its state, for "is my document ready?".
citizen_applications = Table(
    "citizen_applications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("reference", String(40), nullable=False, unique=True),
    Column("citizen_id", Integer, ForeignKey("citizens.id"), nullable=False, index=True),
    Column("office_id", String(64), ForeignKey("offices.id"), nullable=False),
    Column("service_id", String(64), ForeignKey("services.id"), nullable=False),
    Column("title_id", String(200), nullable=False),
    Column("title_en", String(200), nullable=False),
    Column("state", String(16), nullable=False),
    Column("note", String(500), nullable=True),  # Indonesian
    Column("note_en", String(500), nullable=True),  # 0008_office
    Column("submitted_at", UtcDateTime, nullable=False),
    Column("state_changed_at", UtcDateTime, nullable=False),
    Column("updated_by", String(100), nullable=False),
)

# -- proving a UID-only card's holder (0005_uid_proof) ------------------------------
#: Failed date-of-birth attempts, one row per subject: ``uid:<keyed hash>``
#: (the UID only ever as the audit's keyed hash) or ``kiosk:<id>``.
#: ``failures`` count since ``window_start``; ``locked_until`` refuses every
#: attempt until then; ``lockouts`` (how often it was locked) doubles the next
#: lock. In the database, so every app process counts the same attempts.
uid_proof_limits = Table(
    "uid_proof_limits",
    metadata,
    Column("subject", String(80), primary_key=True),
    Column("window_start", UtcDateTime, nullable=False),
    Column("failures", Integer, nullable=False),
    Column("lockouts", Integer, nullable=False),
    Column("locked_until", UtcDateTime, nullable=True),
)

# -- the office's side (0008_office) -------------------------------------------------
#: Every step a counter takes on a ticket, in order (``id``): ``call``,
#: ``recall``, ``transfer``, ``hold``, ``served``, ``no_show``. Boards
#: follow it live and catch up from it; ``day`` is the office's local date.
#: ``counter_service_id`` (0027_call_event_counter_services): the service whose counter
#: ``counter`` was when the step was made (central.office.counters.whose; null: none
#: named it); events written before were filled from the catalog at the upgrade.
call_events = Table(
    "call_events",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("office_id", String(64), ForeignKey("offices.id"), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("day", Date, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("ticket_id", String(36), nullable=False, index=True),
    Column("display", String(32), nullable=False),
    Column("queue_id", String(64), nullable=False),
    Column("counter", String(100), nullable=True),
    Column("actor", String(100), nullable=False),
    Column("counter_service_id", String(64), nullable=True),
)
Index("ix_call_events_office_id_id", call_events.c.office_id, call_events.c.id)
#: Display boards; the TV opens a URL carrying the token (stored hashed).
boards = Table(
    "boards",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("office_id", String(64), ForeignKey("offices.id"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
)
#: The running text of an office's boards.
office_notices = Table(
    "office_notices",
    metadata,
    Column("office_id", String(64), ForeignKey("offices.id"), primary_key=True),
    Column("running_text", String(500), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("updated_by", String(100), nullable=False),
)
#: The counter each staff member works at, and the queues (JSON list) it serves.
staff_desks = Table(
    "staff_desks",
    metadata,
    Column("staff_id", Integer, ForeignKey("staff_users.id"), primary_key=True),
    Column("office_id", String(64), ForeignKey("offices.id"), nullable=False),
    Column("counter", String(100), nullable=False),
    Column("queues", Text, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)
#: Complaints filed at kiosks; ``state``: open → answered → closed.
complaints = Table(
    "complaints",
    metadata,
    Column("reference", String(64), primary_key=True),
    Column("office_id", String(64), ForeignKey("offices.id"), nullable=False),
    Column("kiosk_id", String(36), ForeignKey("kiosks.id"), nullable=False),
    Column("category", String(64), nullable=False),
    Column("text", Text, nullable=False),
    Column("language", String(8), nullable=False),
    Column("card_number", String(64), nullable=True, index=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("state", String(16), nullable=False),
    Column("answer", Text, nullable=True),
    Column("answered_at", UtcDateTime, nullable=True),
    Column("answered_by", String(100), nullable=True),
    Column("closed_at", UtcDateTime, nullable=True),
)
Index("ix_complaints_office_id_state", complaints.c.office_id, complaints.c.state)

# -- appointments (0010_bookings; central/office/bookings.py) -------------------------
#: Per office and service: slot length, citizens one slot serves (``capacity``),
#: the share of it kept for walk-ins, where a checked-in ticket stands
#: (``policy``: ``head`` or ``walk_in``) and the grace before a no-show.
#: No row, or ``enabled`` false: the service takes no bookings.
booking_settings = Table(
    "booking_settings",
    metadata,
    Column("office_id", String(64), ForeignKey("offices.id"), primary_key=True),
    Column("service_id", String(64), ForeignKey("services.id"), primary_key=True),
    Column("slot_minutes", Integer, nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("walk_in_percent", Integer, nullable=False),
    Column("policy", String(16), nullable=False),
    Column("grace_minutes", Integer, nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("updated_by", String(100), nullable=False),
)
#: An office's weekly opening hours: one row per open weekday (0 Monday … 6
#: Sunday), local "HH:MM"; a weekday without a row is closed.
opening_hours = Table(
    "opening_hours",
    metadata,
    Column("office_id", String(64), ForeignKey("offices.id"), primary_key=True),
    Column("weekday", Integer, primary_key=True),
    Column("opens_at", String(5), nullable=False),
    Column("closes_at", String(5), nullable=False),
    CheckConstraint("weekday >= 0 AND weekday <= 6", name="weekday"),
)
#: Days an office is closed, whatever its weekly hours say.
office_holidays = Table(
    "office_holidays",
    metadata,
    Column("office_id", String(64), ForeignKey("offices.id"), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("name", String(200), nullable=False),
)
#: The places of one slot: ``booked`` grows only by a conditional UPDATE
#: (``WHERE booked < capacity``), the guard against overbooking.
booking_slots = Table(
    "booking_slots",
    metadata,
    Column("office_id", String(64), ForeignKey("offices.id"), primary_key=True),
    Column("service_id", String(64), ForeignKey("services.id"), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("starts_at", String(5), primary_key=True),
    Column("capacity", Integer, nullable=False),
    Column("booked", Integer, nullable=False),
)
#: A citizen's appointment. ``day``/``starts_at``/``ends_at`` are the office's
#: local date and "HH:MM"; ``slot_start``/``slot_end`` the same instants in
#: UTC; a ``booked`` booking becomes ``no_show`` once ``no_show_after``
#: (slot end + grace) has passed. ``state``: booked, checked_in, cancelled,
#: no_show (contract.bookings.BookingState); ``ticket_id`` the checked-in ticket.
bookings = Table(
    "bookings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(9), nullable=False, unique=True),
    Column("office_id", String(64), ForeignKey("offices.id"), nullable=False),
    Column("service_id", String(64), ForeignKey("services.id"), nullable=False),
    Column("day", Date, nullable=False),
    Column("starts_at", String(5), nullable=False),
    Column("ends_at", String(5), nullable=False),
    Column("slot_start", UtcDateTime, nullable=False),
    Column("slot_end", UtcDateTime, nullable=False),
    Column("no_show_after", UtcDateTime, nullable=False),
    Column("citizen_id", Integer, ForeignKey("citizens.id"), nullable=False, index=True),
    Column("phone", String(20), nullable=True),
    Column("language", String(8), nullable=False),
    Column("state", String(16), nullable=False),
    Column("ticket_id", String(36), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("state_changed_at", UtcDateTime, nullable=False),
    Column("changed_by", String(100), nullable=False),
    #: How many times the holder moved it (0012): each move's confirmation has its own key.
    Column("changes", Integer, nullable=False, server_default=text("0")),
    #: ``web`` (the booking page) or ``mjkn`` (Mobile JKN's "ambil antrean"), 0014_hospital.
    Column("source", String(8), nullable=False, server_default=text("'web'")),
)
Index("ix_bookings_office_id_day", bookings.c.office_id, bookings.c.day)
Index("ix_bookings_state_no_show_after", bookings.c.state, bookings.c.no_show_after)
#: One live booking per citizen, service and day, whatever races (0012_citizen_birth_dates).
Index(
    "uq_bookings_citizen_service_day_booked",
    bookings.c.citizen_id,
    bookings.c.service_id,
    bookings.c.day,
    unique=True,
    sqlite_where=text("state = 'booked'"),
    postgresql_where=text("state = 'booked'"),
)

# -- messages to citizens (0011_messages; central/messages/) --------------------------
#: A citizen's yes to messages about one ``subject`` (``ticket:<id>``,
#: ``complaint:<reference>``): the number they gave (``62…``) and their
#: language; ``ahead_at``: for a ticket, how many people ahead trigger "your
#: turn is near" (the centre's setting when the yes arrived).
message_consents = Table(
    "message_consents",
    metadata,
    Column("subject", String(80), primary_key=True),
    Column("phone", String(16), nullable=False),
    Column("language", String(8), nullable=False),
    Column("ahead_at", Integer, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
)
#: The outbox of messages: one row per message, unique by its idempotency
#: ``key``. ``state``: pending → sending → sent, or dead (the dead-letter list).
#: ``params`` (JSON) fill the ``template`` at sending, in ``language``. A sender
#: claims a row until ``claimed_until`` (``claimed_by``: its process, kept once
#: sent: which process sent it).
messages = Table(
    "messages",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("key", String(200), nullable=False, unique=True),
    #: The office it is about (whose staff see it on the dead-letter list).
    Column("office_id", String(64), ForeignKey("offices.id"), nullable=True),
    Column("phone", String(16), nullable=False),
    Column("language", String(8), nullable=False),
    Column("template", String(40), nullable=False),
    Column("params", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("due_at", UtcDateTime, nullable=False),
    Column("claimed_by", String(64), nullable=True),
    Column("claimed_until", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime, nullable=True),
    Column("last_error", String(200), nullable=True),
    #: After it the message is not sent but ``expired`` (0013_message_lifetimes).
    Column("expires_at", UtcDateTime, nullable=True),
    #: The ticket a queue message is about: it goes only while the ticket waits or is called.
    Column("ticket_id", String(36), nullable=True),
)
Index("ix_messages_state_due_at", messages.c.state, messages.c.due_at)
Index("ix_messages_office_id_state", messages.c.office_id, messages.c.state)
#: Messages begun per number since ``window_start`` (an hour), for the per-number limit.
message_rates = Table(
    "message_rates",
    metadata,
    Column("phone", String(16), primary_key=True),
    Column("window_start", UtcDateTime, nullable=False),
    Column("begun", Integer, nullable=False),
)

# -- hospital (0014_hospital, docs/hospital.md) ---------------------------------
#: A doctor's weekly hours at a poli (a ``kesehatan`` service with a ``poli``).
doctor_schedules = Table(
    "doctor_schedules",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("office_id", String(64), ForeignKey("offices.id"), nullable=False),
    Column("service_id", String(64), ForeignKey("services.id"), nullable=False),
    Column("kodedokter", String(32), nullable=False),
    Column("doctor_name", String(200), nullable=False),
    #: ISO weekday: 1 Monday … 7 Sunday.
    Column("weekday", Integer, nullable=False),
    Column("starts", String(5), nullable=False),
    Column("ends", String(5), nullable=False),
    Column("quota_jkn", Integer, nullable=False),
    Column("quota_non_jkn", Integer, nullable=False),
    Column("minutes_per_patient", Integer, nullable=False),
    #: The doctor's SATUSEHAT Practitioner id, if known.
    Column("practitioner_id", String(64), nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("updated_by", String(100), nullable=False),
    CheckConstraint("weekday >= 1 AND weekday <= 7", name="weekday"),
    CheckConstraint("quota_jkn >= 0 AND quota_non_jkn >= 0", name="quota"),
)
Index(
    "ix_doctor_schedules_office_id_weekday",
    doctor_schedules.c.office_id,
    doctor_schedules.c.weekday,
)
#: The counter row of one schedule on one day: places are taken only by a
#: conditional ``UPDATE … WHERE used_jkn < quota_jkn`` (central/hospital/quota.py).
doctor_quota = Table(
    "doctor_quota",
    metadata,
    Column("schedule_id", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("office_id", String(64), ForeignKey("offices.id"), nullable=False),
    Column("quota_jkn", Integer, nullable=False),
    Column("quota_non_jkn", Integer, nullable=False),
    Column("used_jkn", Integer, nullable=False),
    Column("used_non_jkn", Integer, nullable=False),
    #: The next ``angkaantrean`` of the day (never reused, even after a void).
    Column("next_angka", Integer, nullable=False),
)
#: Which ticket (or ``booking:{code}`` of a Mobile JKN booking) holds which place, and
#: for which patient.
quota_takes = Table(
    "quota_takes",
    metadata,
    Column("ticket_id", String(36), primary_key=True),
    Column("schedule_id", String(64), nullable=False),
    Column("day", Date, nullable=False),
    Column("payer", String(8), nullable=False),
    Column("angka", Integer, nullable=False),
    Column("kodebooking", String(32), nullable=False),
    Column("taken_at", UtcDateTime, nullable=False),
    #: Given back (a void or a cancel): the place counts as free again.
    Column("released_at", UtcDateTime, nullable=True),
    #: The poli of the place (0021_patient_holds; ``None``: taken before it).
    Column("service_id", String(64), nullable=True),
    #: The patient the place is held for: HMAC-SHA256 of their NIK with the audit key
    #: (``keyed_hash(key, "patient_nik", nik)``, as a patient find audits it), never the
    #: NIK. ``None``: a patient the centre did not check (an allocate without keys) or
    #: could not name (no NIK, no record).
    Column("nik_hash", String(64), nullable=True),
)
#: One place held per patient, poli and day (0021_patient_holds): two allocates for one
#: patient at once, on any two server processes, take one place and number one ticket.
#: A place given back (``released_at``) holds nothing; nor does one held for nobody.
HELD_PLACE = text("released_at IS NULL")
uq_hold_nik_day = Index(
    "uq_quota_takes_nik_hash_service_day_held",
    quota_takes.c.nik_hash,
    quota_takes.c.service_id,
    quota_takes.c.day,
    unique=True,
    sqlite_where=HELD_PLACE,
    postgresql_where=HELD_PLACE,
)
#: One registration at a poli: what BPJS Antrean and SATUSEHAT are told about.
hospital_visits = Table(
    "hospital_visits",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    #: ``None`` until a Mobile JKN booking is checked in at a kiosk.
    Column("ticket_id", String(36), nullable=True, unique=True),
    Column("kodebooking", String(32), nullable=False, unique=True),
    Column("office_id", String(64), ForeignKey("offices.id"), nullable=False),
    Column("service_id", String(64), ForeignKey("services.id"), nullable=False),
    Column("schedule_id", String(64), nullable=False),
    #: The poli and doctor as they were at registration (a schedule may change later).
    Column("kodepoli", String(16), nullable=False),
    Column("kodedokter", String(32), nullable=False),
    Column("doctor_name", String(200), nullable=False),
    #: ``HH:MM-HH:MM``, BPJS's ``jampraktek``.
    Column("jampraktek", String(11), nullable=False),
    Column("day", Date, nullable=False),
    Column("payer", String(8), nullable=False),
    Column("citizen_id", Integer, ForeignKey("citizens.id"), nullable=True),
    Column("norm", String(32), nullable=True),
    Column("nomorkartu", String(13), nullable=True),
    Column("nik", String(16), nullable=True),
    Column("phone", String(20), nullable=True),
    Column("new_patient", Boolean, nullable=False),
    Column("jeniskunjungan", Integer, nullable=False),
    Column("nomorreferensi", String(64), nullable=True),
    Column("nomorantrean", String(32), nullable=False),
    Column("angkaantrean", Integer, nullable=False),
    #: Local ``HH:MM`` (contract.hospital.estimate).
    Column("estimated_at", String(5), nullable=False),
    #: ``kiosk``, ``desk`` or ``mjkn``.
    Column("source", String(8), nullable=False),
    Column("booking_code", String(9), nullable=True),
    #: ``registered``, ``booked`` (Mobile JKN, not yet here), ``checked_in``,
    #: ``cancelled`` or ``done``.
    Column("state", String(16), nullable=False),
    #: Registered with no quota place left (an offline kiosk): staff check it.
    Column("over_quota", Boolean, nullable=False),
    Column("cancel_reason", String(200), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("checked_in_at", UtcDateTime, nullable=True),
    Column("cancelled_at", UtcDateTime, nullable=True),
)
Index("ix_hospital_visits_office_id_day", hospital_visits.c.office_id, hospital_visits.c.day)
#: One live visit per patient, poli and day, whatever made it and however requests race
#: (0019_one_visit_a_day): a visit is live in every state but ``cancelled`` (a lapsed
#: Mobile JKN booking is cancelled too); the patient is the city's record and the NIK,
#: either of which a kiosk's visit may lack (the other index then holds it).
LIVE_VISIT = text("state <> 'cancelled'")
uq_visit_citizen_day = Index(
    "uq_hospital_visits_citizen_service_day_live",
    hospital_visits.c.citizen_id,
    hospital_visits.c.service_id,
    hospital_visits.c.day,
    unique=True,
    sqlite_where=LIVE_VISIT,
    postgresql_where=LIVE_VISIT,
)
uq_visit_nik_day = Index(
    "uq_hospital_visits_nik_service_day_live",
    hospital_visits.c.nik,
    hospital_visits.c.service_id,
    hospital_visits.c.day,
    unique=True,
    sqlite_where=LIVE_VISIT,
    postgresql_where=LIVE_VISIT,
)
#: Each office's last No. RM given (one ``UPDATE … SET last = last + 1`` per new patient).
norm_sequence = Table(
    "norm_sequence",
    metadata,
    Column("office_id", String(64), ForeignKey("offices.id"), primary_key=True),
    Column("last", Integer, nullable=False),
)

# -- integrations: BPJS and SATUSEHAT (0015_integrations; central/integrations/) --------
#: The outbox of calls to outside services: one row per call, unique by its
#: ``dedupe_key``; rows of one ``order_key`` go in ``id`` order, each once every
#: earlier one is ``sent``. ``state``: pending → sent, or dead (staff's list,
#: "Kirim lagi"). A pending row is claimed by a sender until ``claimed_until``
#: (``claimed_by``: its process). ``body``/``result``: JSON text; ``last_code`` and
#: ``last_error``: the service's own code and message of the last failure.
integration_outbox = Table(
    "integration_outbox",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("target", String(16), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("dedupe_key", String(200), nullable=False, unique=True),
    Column("order_key", String(200), nullable=False),
    #: The office it is about (whose staff see it on /office/integrations).
    Column("office_id", String(64), ForeignKey("offices.id"), nullable=True),
    Column("body", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    #: Every claim ever (0016_integration_tries): "Kirim lagi" resets ``attempts``, not this.
    Column("tries", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("claimed_by", String(64), nullable=True),
    Column("claimed_until", UtcDateTime, nullable=True),
    Column("last_code", String(16), nullable=True),
    Column("last_error", String(300), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime, nullable=True),
    Column("result", Text, nullable=True),
)
Index(
    "ix_integration_outbox_state_next_attempt_at",
    integration_outbox.c.state,
    integration_outbox.c.next_attempt_at,
)
Index("ix_integration_outbox_order_key_id", integration_outbox.c.order_key, integration_outbox.c.id)
#: Whether each target (``bpjs``, ``satusehat``) is on, as written by the server at its
#: start from its configuration (``settings_digest``: which settings, never the secrets).
integration_targets = Table(
    "integration_targets",
    metadata,
    Column("target", String(16), primary_key=True),
    Column("enabled", Boolean, nullable=False),
    Column("settings_digest", String(64), nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
)
#: Citizens' IHS numbers as SATUSEHAT answered a Patient search by NIK
#: (0020_satusehat_patients; central/integrations/satusehat/patients.py): keyed by a
#: keyed hash of the NIK (never the NIK), one row per citizen, shared by every server
#: process and kept over a restart; a row older than a day is asked again and purged.
satusehat_patients = Table(
    "satusehat_patients",
    metadata,
    Column("nik_hash", String(64), primary_key=True),
    Column("ihs_number", String(64), nullable=False),
    Column("found_at", UtcDateTime, nullable=False),
)
Index("ix_satusehat_patients_found_at", satusehat_patients.c.found_at)
