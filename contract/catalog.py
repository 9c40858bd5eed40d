"""The service catalog the kiosk offers, as the central server publishes it.

Plain data, no I/O: :meth:`Catalog.from_json` validates what came over the
network (or out of the local cache) and names the first bad path it finds.
The JSON shape is documented in docs/architecture.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from contract.assurance import Assurance
from contract.errors import CatalogError

CATEGORIES = ("kesehatan", "kependudukan", "perizinan", "pengaduan", "informasi")

#: How many numbered counters (``Loket 1`` … ``Loket N``) an office has when its
#: catalog entry does not say (``counters``).
DEFAULT_COUNTERS = 8
#: The most numbered counters an office may have: a large Mal Pelayanan Publik has some
#: dozens; a number beyond this is a slip of the pen that every desk list would show.
MAX_COUNTERS = 99


class FieldType(StrEnum):
    TEXT = "text"
    NIK = "nik"
    DATE = "date"
    PHONE = "phone"
    NUMBER = "number"
    CHOICE = "choice"
    TEXTAREA = "textarea"


@dataclass(frozen=True)
class Text:
    """A string in several languages; Bahasa Indonesia is always present."""

    values: Mapping[str, str]

    def __call__(self, lang: str) -> str:
        return self.values.get(lang) or self.values["id"]


@dataclass(frozen=True)
class FormField:
    name: str
    label: Text
    type: FieldType
    required: bool = True
    #: Where the value comes from: ``card.<claim>`` or ``record.<key>``; empty = typed.
    prefill: str = ""
    #: Whether the citizen may change a pre-filled value.
    editable: bool = False
    choices: tuple[str, ...] = ()
    max_length: int = 200
    #: A choice's words in other languages, by its value (the value itself is the
    #: Indonesian, and what is stored and sent whatever the screen's language).
    choice_labels: tuple[tuple[str, Text], ...] = ()

    def choice_label(self, value: str, lang: str) -> str:
        """How the screens show the choice ``value`` in ``lang``."""
        for choice, text in self.choice_labels:
            if choice == value:
                return text(lang)
        return value


@dataclass(frozen=True)
class Poli:
    """What makes a ``kesehatan`` service a hospital's poli (docs/hospital.md)."""

    #: BPJS's code of the poli (``kodepoli``, e.g. ``INT``).
    kodepoli: str
    #: The poli's SATUSEHAT ``Location`` id, if the hospital registered one.
    location_id: str = ""


@dataclass(frozen=True)
class Service:
    id: str
    office_id: str
    category: str
    name: Text
    description: Text
    counter: str
    ticket_prefix: str
    requirements: tuple[Text, ...]
    assurance: Assurance
    form: tuple[FormField, ...]
    #: Print the registration slip (the form's fields, for the counter officer)
    #: as a second job after the ticket.
    slip: bool = False
    #: Opening hours of this service, if they differ from the office's.
    hours: Text | None = None
    #: A hospital's poli: doctors' schedules with quota (contract/hospital.py).
    poli: Poli | None = None


@dataclass(frozen=True)
class Office:
    id: str
    name: str
    city: str
    #: Opening hours as shown to citizens (free text per language); None: not published.
    hours: Text | None = None
    #: Its numbered counters, ``Loket 1`` … ``Loket counters`` (besides the counters its
    #: services name, such as ``Informasi``).
    counters: int = DEFAULT_COUNTERS


@dataclass(frozen=True)
class Catalog:
    version: str
    offices: tuple[Office, ...]
    services: tuple[Service, ...]
    categories: Mapping[str, Text] = field(default_factory=dict)

    def service(self, service_id: str) -> Service:
        for service in self.services:
            if service.id == service_id:
                return service
        raise KeyError(service_id)

    def office(self, office_id: str) -> Office:
        for office in self.offices:
            if office.id == office_id:
                return office
        raise KeyError(office_id)

    def services_for(self, office_id: str) -> tuple[Service, ...]:
        return tuple(s for s in self.services if s.office_id == office_id)

    @classmethod
    def from_json(cls, data: Any) -> Catalog:
        root = _Path("catalog")
        obj = root.mapping(data)
        offices = tuple(
            Office(
                id=p.string(o, "id"),
                name=p.string(o, "name"),
                city=p.string(o, "city"),
                hours=p.text(o, "hours") if o.get("hours") is not None else None,
                counters=_counters(p, o),
            )
            for p, o in root.items(obj, "offices")
        )
        office_ids = {o.id for o in offices}
        categories = {
            p.string(c, "id"): p.text(c, "name") for p, c in root.items(obj, "categories")
        }
        services = tuple(_service(p, s, office_ids) for p, s in root.items(obj, "services"))
        ids = [s.id for s in services]
        if len(set(ids)) != len(ids):
            raise CatalogError("catalog.services: duplicate service id")
        return cls(
            version=root.string(obj, "version"),
            offices=offices,
            services=services,
            categories=categories,
        )


def _counters(p: _Path, o: Mapping[str, Any]) -> int:
    if o.get("counters") is None:
        return DEFAULT_COUNTERS
    counters = p.integer(o, "counters", default=DEFAULT_COUNTERS)
    if counters > MAX_COUNTERS:
        raise CatalogError(f"{p}.counters: at most {MAX_COUNTERS}")
    return counters


def _service(p: _Path, s: Mapping[str, Any], office_ids: set[str]) -> Service:
    office_id = p.string(s, "office_id")
    if office_id not in office_ids:
        raise CatalogError(f"{p}.office_id: unknown office {office_id!r}")
    category = p.string(s, "category")
    if category not in CATEGORIES:
        raise CatalogError(f"{p}.category: must be one of {', '.join(CATEGORIES)}")
    try:
        assurance = Assurance(s.get("assurance", "unverified"))
    except ValueError:
        raise CatalogError(f"{p}.assurance: unknown level") from None
    return Service(
        id=p.string(s, "id"),
        office_id=office_id,
        category=category,
        name=p.text(s, "name"),
        description=p.text(s, "description"),
        counter=p.string(s, "counter", default=""),
        ticket_prefix=p.string(s, "ticket_prefix"),
        requirements=tuple(
            rp.text_value(r) for rp, r in p.items(s, "requirements", required=False, texts=True)
        ),
        assurance=assurance,
        form=tuple(_field(fp, f) for fp, f in p.items(s, "form", required=False)),
        slip=p.boolean(s, "slip", default=False),
        hours=p.text(s, "hours") if s.get("hours") is not None else None,
        poli=_poli(p, s, category),
    )


def _poli(p: _Path, s: Mapping[str, Any], category: str) -> Poli | None:
    if s.get("poli") is None:
        return None
    pp = _Path(f"{p}.poli")
    obj = pp.mapping(s["poli"])
    if category != "kesehatan":
        raise CatalogError(f"{pp}: only a 'kesehatan' service is a poli")
    if unknown := sorted(set(obj) - {"kodepoli", "location_id"}):
        raise CatalogError(f"{pp}.{unknown[0]}: unknown field")
    kodepoli = pp.string(obj, "kodepoli")
    if len(kodepoli) > 16 or not kodepoli.isascii() or not kodepoli.isalnum():
        raise CatalogError(f"{pp}.kodepoli: at most 16 letters or digits")
    location_id = pp.string(obj, "location_id", default="")
    if len(location_id) > 64:
        raise CatalogError(f"{pp}.location_id: at most 64 characters")
    return Poli(kodepoli=kodepoli, location_id=location_id)


def _field(p: _Path, f: Mapping[str, Any]) -> FormField:
    try:
        ftype = FieldType(p.string(f, "type"))
    except ValueError:
        raise CatalogError(f"{p}.type: unknown field type") from None
    prefill = p.string(f, "prefill", default="")
    if prefill and not prefill.startswith(("card.", "record.")):
        raise CatalogError(f"{p}.prefill: must start with 'card.' or 'record.'")
    choices = f.get("choices", [])
    if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
        raise CatalogError(f"{p}.choices: must be a list of strings")
    if ftype is FieldType.CHOICE and not choices:
        raise CatalogError(f"{p}.choices: a choice field needs choices")
    if len(set(choices)) != len(choices):  # two equal tiles would both look chosen
        raise CatalogError(f"{p}.choices: each choice only once")
    labels = f.get("choice_labels", {})
    if not isinstance(labels, Mapping) or not all(isinstance(k, str) for k in labels):
        raise CatalogError(f"{p}.choice_labels: must map a choice to its words")
    if unknown := sorted(set(labels) - set(choices)):
        raise CatalogError(f"{p}.choice_labels: {unknown[0]!r} is not one of the choices")
    choice_labels = []
    for choice in choices:
        if choice in labels:
            words, cp = labels[choice], _Path(f"{p}.choice_labels.{choice}")
            if not isinstance(words, Mapping) or "id" in words:
                raise CatalogError(f"{cp}: must map languages to words (the choice is the 'id')")
            choice_labels.append((choice, cp.text_value({**words, "id": choice})))
    return FormField(
        name=p.string(f, "name"),
        label=p.text(f, "label"),
        type=ftype,
        required=p.boolean(f, "required", default=True),
        prefill=prefill,
        editable=p.boolean(f, "editable", default=False),
        choices=tuple(choices),
        max_length=p.integer(f, "max_length", default=200),
        choice_labels=tuple(choice_labels),
    )


class _Path:
    """A JSON path for error messages, with typed getters."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __str__(self) -> str:
        return self.path

    def mapping(self, value: Any) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise CatalogError(f"{self}: must be an object")
        return value

    def items(
        self, obj: Mapping[str, Any], key: str, *, required: bool = True, texts: bool = False
    ) -> list[tuple[_Path, Any]]:
        """The list at ``key``: objects, each with its path (``texts``: raw, for
        :meth:`text_value`, which takes a string or an object of languages)."""
        value = obj.get(key)
        if value is None and not required:
            return []
        if not isinstance(value, list):
            raise CatalogError(f"{self}.{key}: must be a list")
        out: list[tuple[_Path, Any]] = []
        for i, item in enumerate(value):
            sub = _Path(f"{self}.{key}[{i}]")
            out.append((sub, item if texts else sub.mapping(item)))
        return out

    def string(self, obj: Mapping[str, Any], key: str, *, default: str | None = None) -> str:
        value = obj.get(key, default)
        if not isinstance(value, str) or (default is None and not value.strip()):
            raise CatalogError(f"{self}.{key}: must be a non-empty string")
        return value

    def boolean(self, obj: Mapping[str, Any], key: str, *, default: bool) -> bool:
        value = obj.get(key, default)
        if not isinstance(value, bool):
            raise CatalogError(f"{self}.{key}: must be true or false")
        return value

    def integer(self, obj: Mapping[str, Any], key: str, *, default: int) -> int:
        value = obj.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise CatalogError(f"{self}.{key}: must be a positive integer")
        return value

    def text(self, obj: Mapping[str, Any], key: str) -> Text:
        return _Path(f"{self}.{key}").text_value(obj.get(key))

    def text_value(self, value: Any) -> Text:
        if isinstance(value, str) and value.strip():
            return Text({"id": value})
        if (
            isinstance(value, Mapping)
            and isinstance(value.get("id"), str)
            and value["id"].strip()
            and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
        ):
            return Text(dict(value))
        raise CatalogError(f"{self}: must be a text with at least an 'id' (Indonesian) value")
