"""A checker of udev rules files, for the rules the kiosk package ships.

``udevadm verify`` came with systemd 254; Debian 12 has 252 (and the suite's
machines may have no udevadm at all), so the packaging tests parse the rules
themselves, by udev(7)'s grammar as systemd 252 reads it:

- a rule is one line (a trailing ``\\`` joins the next), its keys separated by
  commas; ``#`` starts a comment line;
- each key is ``NAME``, ``NAME{attribute}`` where the key takes one, an
  operator and a double-quoted value;
- match keys take ``==`` or ``!=``; assignment keys ``=``, ``+=``, ``-=`` or
  ``:=``; a few keys (``ATTR``, ``SYSCTL``, ``ENV``, ``TAG``, ``NAME``,
  ``SYMLINK``) are both, by operator;
- ``GOTO`` names a ``LABEL`` that follows it in the same file; ``MODE`` is
  octal; ``OWNER`` and ``GROUP`` are names or numbers; ``ACTION`` one of
  udev's actions.

Beyond the grammar, the faults that make a rule grant the wrong devices or
none, which udev accepts without a word:

- an assignment to a read-only sysfs attribute (``ATTR{idVendor}="04b8"``):
  meant as a match, it matches nothing and udev writes (or fails to write)
  the attribute, so the rest of the rule applies to every device;
- a rule that grants access (``MODE``, ``GROUP``, ``OWNER``, ``TAG+="uaccess"``)
  without matching a vendor or an interface class: every USB device;
- a ``MODE`` that gives others access;
- an upper-case or malformed USB id (sysfs spells them in 4 lower-case hex
  digits: such a rule never matches);
- a match on a device property udev does not set (``ENV{ID_USB_INTERFACE}``,
  a misspelling: never matches) unless the file sets it itself;
- an ``IMPORT`` type or an ``OPTIONS`` value udev does not know.

:func:`problems` returns one message per fault (an empty list: the file
parses); :func:`rules` returns the parsed rules for further checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

MATCH_OPS = ("==", "!=")
ASSIGN_OPS = ("=", "+=", "-=", ":=")

#: key -> (takes an {attribute}: "yes", "no", "optional"; operators allowed)
KEYS: dict[str, tuple[str, tuple[str, ...]]] = {
    "ACTION": ("no", MATCH_OPS),
    "DEVPATH": ("no", MATCH_OPS),
    "KERNEL": ("no", MATCH_OPS),
    "KERNELS": ("no", MATCH_OPS),
    "SUBSYSTEM": ("no", MATCH_OPS),
    "SUBSYSTEMS": ("no", MATCH_OPS),
    "DRIVER": ("no", MATCH_OPS),
    "DRIVERS": ("no", MATCH_OPS),
    "ATTRS": ("yes", MATCH_OPS),
    "TAGS": ("no", MATCH_OPS),
    "TEST": ("optional", MATCH_OPS),
    "PROGRAM": ("no", MATCH_OPS),
    "RESULT": ("no", MATCH_OPS),
    "CONST": ("yes", MATCH_OPS),
    "NAME": ("no", MATCH_OPS + ASSIGN_OPS),
    "SYMLINK": ("no", MATCH_OPS + ASSIGN_OPS),
    "ATTR": ("yes", MATCH_OPS + ASSIGN_OPS),
    "SYSCTL": ("yes", MATCH_OPS + ASSIGN_OPS),
    "ENV": ("yes", MATCH_OPS + ASSIGN_OPS),
    "TAG": ("no", MATCH_OPS + ASSIGN_OPS),
    "OWNER": ("no", ASSIGN_OPS),
    "GROUP": ("no", ASSIGN_OPS),
    "MODE": ("no", ASSIGN_OPS),
    "SECLABEL": ("yes", ASSIGN_OPS),
    "RUN": ("optional", ASSIGN_OPS),
    "IMPORT": ("yes", ASSIGN_OPS),
    "OPTIONS": ("no", ASSIGN_OPS),
    "LABEL": ("no", ("=",)),
    "GOTO": ("no", ("=",)),
}
#: sysfs attributes of USB devices and interfaces that only the kernel writes.
READ_ONLY_ATTRS = {
    "idVendor",
    "idProduct",
    "bcdDevice",
    "bDeviceClass",
    "bDeviceSubClass",
    "bDeviceProtocol",
    "bInterfaceClass",
    "bInterfaceSubClass",
    "bInterfaceProtocol",
    "manufacturer",
    "product",
    "serial",
}
#: Device properties the kernel and udev's builtins set that a rule may match.
KNOWN_PROPERTIES = {
    "ACTION",
    "DEVNAME",
    "DEVPATH",
    "DEVTYPE",
    "DRIVER",
    "ID_BUS",
    "ID_MODEL",
    "ID_MODEL_ID",
    "ID_PATH",
    "ID_PATH_TAG",
    "ID_REVISION",
    "ID_SERIAL",
    "ID_SERIAL_SHORT",
    "ID_USB_DRIVER",
    "ID_USB_INTERFACE_NUM",
    "ID_USB_INTERFACES",
    "ID_VENDOR",
    "ID_VENDOR_ID",
    "INTERFACE",
    "MAJOR",
    "MINOR",
    "PRODUCT",
    "SUBSYSTEM",
    "TYPE",
}
#: Keys whose value is a USB vendor or product id.
USB_IDS = {("ATTR", "idVendor"), ("ATTR", "idProduct"), ("ATTRS", "idVendor")}
USB_IDS |= {("ATTRS", "idProduct"), ("ENV", "ID_VENDOR_ID"), ("ENV", "ID_MODEL_ID")}
#: Match keys that name a device (a vendor) or a kind of device (an interface class).
DEVICE_MATCHES = {("ATTR", "idVendor"), ("ATTRS", "idVendor"), ("ENV", "ID_VENDOR_ID")}
DEVICE_MATCHES |= {("ENV", "ID_USB_INTERFACES"), ("ATTR", "bInterfaceClass")}
DEVICE_MATCHES |= {("ATTRS", "bInterfaceClass")}
IMPORT_TYPES = {"program", "builtin", "file", "db", "cmdline", "parent"}
OPTIONS = {"watch", "nowatch", "db_persist"}
OPTIONS_WITH_VALUE = ("link_priority=", "string_escape=", "static_node=", "log_level=")
ACTIONS = {"add", "remove", "change", "move", "bind", "unbind", "online", "offline"}

_KEY = re.compile(
    r"\s*(?P<name>[A-Z]+)(?:\{(?P<attr>[^{}]*)\})?\s*"
    r"(?P<op>==|!=|\+=|-=|:=|=)\s*\"(?P<value>(?:[^\"\\]|\\.)*)\"\s*"
)


@dataclass(frozen=True)
class Key:
    name: str
    attr: str | None
    op: str
    value: str


@dataclass(frozen=True)
class Rule:
    line: int
    keys: tuple[Key, ...]

    def get(self, name: str) -> list[Key]:
        return [k for k in self.keys if k.name == name]


def _lines(text: str) -> list[tuple[int, str]]:
    """Logical lines with their first physical line's number (``\\`` joins)."""
    joined: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        start, sofar = pending if pending is not None else (number, "")
        if raw.endswith("\\"):
            pending = (start, sofar + raw[:-1])
            continue
        pending = None
        joined.append((start, sofar + raw))
    if pending is not None:
        joined.append(pending)
    return joined


def _parse_line(number: int, line: str, faults: list[str]) -> Rule | None:
    keys: list[Key] = []
    rest = line
    while rest.strip():
        found = _KEY.match(rest)
        if found is None:
            faults.append(f"line {number}: cannot parse {rest.strip()!r}")
            return None
        keys.append(Key(found["name"], found["attr"], found["op"], found["value"]))
        rest = rest[found.end() :]
        if rest.strip():
            if not rest.lstrip().startswith(","):
                faults.append(f"line {number}: keys must be separated by commas: {rest!r}")
                return None
            rest = rest.lstrip()[1:]
            if not rest.strip():
                faults.append(f"line {number}: a comma ends the rule")
                return None
    return Rule(number, tuple(keys))


def _key_faults(number: int, key: Key) -> list[str]:
    where = f"line {number}: {key.name}"
    known = KEYS.get(key.name)
    if known is None:
        return [f"{where}: unknown key"]
    takes_attr, ops = known
    faults = []
    if takes_attr == "yes" and not key.attr:
        faults.append(f"{where} needs an {{attribute}}")
    if takes_attr == "no" and key.attr is not None:
        faults.append(f"{where} takes no {{attribute}}")
    if key.op not in ops:
        faults.append(f"{where}: invalid operator {key.op}")
    if key.name == "MODE" and not re.fullmatch(r"0?[0-7]{3,4}", key.value):
        faults.append(f"{where}: mode {key.value!r} is not octal")
    if key.name in ("OWNER", "GROUP") and not re.fullmatch(r"[a-z_][a-z0-9_-]*|\d+", key.value):
        faults.append(f"{where}: {key.value!r} is not a user or group name")
    if key.name == "ACTION" and not set(key.value.split("|")) <= ACTIONS:
        faults.append(f"{where}: unknown action in {key.value!r}")
    if key.name in ("LABEL", "GOTO") and not key.value:
        faults.append(f"{where} is empty")
    matching = key.op in MATCH_OPS
    if key.name == "ATTR" and not matching and key.attr in READ_ONLY_ATTRS:
        faults.append(f"{where}{{{key.attr}}}: {key.op} assigns a read-only attribute (== matches)")
    if key.name == "MODE" and re.fullmatch(r"0?[0-7]{3,4}", key.value) and int(key.value, 8) & 0o7:
        faults.append(f"{where}: mode {key.value} gives every user access")
    if (key.name, key.attr) in USB_IDS and matching and not re.fullmatch(r"[0-9a-f]{4}", key.value):
        faults.append(f"{where}{{{key.attr}}}: {key.value!r} is not 4 lower-case hex digits")
    if key.name == "IMPORT" and key.attr not in IMPORT_TYPES:
        faults.append(f"{where}: unknown IMPORT type {key.attr!r}")
    if key.name == "OPTIONS":
        for option in key.value.split(","):
            if option not in OPTIONS and not option.startswith(OPTIONS_WITH_VALUE):
                faults.append(f"{where}: unknown option {option!r}")
    return faults


def _grants(rule: Rule) -> bool:
    if any(k.op not in MATCH_OPS for k in (*rule.get("MODE"), *rule.get("OWNER"))):
        return True
    if any(k.op not in MATCH_OPS for k in rule.get("GROUP")):
        return True
    return any(k.op in ("=", "+=") and k.value == "uaccess" for k in rule.get("TAG"))


def _rule_faults(rule: Rule, set_here: set[str]) -> list[str]:
    faults = []
    for key in rule.get("ENV"):
        if key.op in MATCH_OPS and key.attr not in KNOWN_PROPERTIES | set_here:
            faults.append(f"line {rule.line}: ENV{{{key.attr}}}: a property udev does not set")
    if _grants(rule):
        named = [k for k in rule.keys if (k.name, k.attr) in DEVICE_MATCHES and k.op == "=="]
        if not named:
            faults.append(
                f"line {rule.line}: grants access without matching a vendor or an interface class"
            )
    return faults


def parse(text: str) -> tuple[list[Rule], list[str]]:
    """The rules of ``text`` and its faults (every fault, not only the first)."""
    faults: list[str] = []
    parsed: list[Rule] = []
    set_here: set[str] = set()
    for number, line in _lines(text):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        rule = _parse_line(number, line, faults)
        if rule is None:
            continue
        for key in rule.keys:
            faults.extend(_key_faults(number, key))
        set_here |= {k.attr for k in rule.get("ENV") if k.op not in MATCH_OPS and k.attr}
        faults.extend(_rule_faults(rule, set_here))
        parsed.append(rule)
    seen: set[str] = set()
    for rule in parsed:
        for key in rule.get("LABEL"):
            if key.value in seen:
                faults.append(f"line {rule.line}: LABEL {key.value!r} is defined twice")
            seen.add(key.value)
    labels_after: dict[str, int] = {}
    for rule in reversed(parsed):
        for key in rule.get("LABEL"):
            labels_after.setdefault(key.value, rule.line)
        for key in rule.get("GOTO"):
            if key.value not in labels_after:
                faults.append(f"line {rule.line}: GOTO {key.value!r} has no LABEL after it")
    return parsed, faults


def problems(path: Path) -> list[str]:
    return parse(path.read_text(encoding="utf-8"))[1]


def rules(path: Path) -> list[Rule]:
    return parse(path.read_text(encoding="utf-8"))[0]
