"""The udev rules checker (testkit/udev_rules.py) finds each kind of fault, and the rules
in packaging/udev/ have none. (The installed copies: tests/packaging/test_kiosk_package.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from testkit.udev_rules import parse, problems

RULES = Path(__file__).resolve().parents[2] / "packaging" / "udev"

GOOD = """\
# a comment
ACTION!="add|change", GOTO="end"
SUBSYSTEM=="usb", ENV{DEVTYPE}=="usb_device", \\
  ATTR{idVendor}=="054c", MODE="0660", GROUP="anjungan", TAG+="uaccess"
LABEL="end"
"""


def test_a_good_file_has_no_fault_and_its_rules_are_read() -> None:
    parsed, faults = parse(GOOD)
    assert faults == []
    assert [len(rule.keys) for rule in parsed] == [2, 6, 1]
    [vendor] = parsed[1].get("ATTR")
    assert (vendor.attr, vendor.op, vendor.value) == ("idVendor", "==", "054c")


@pytest.mark.parametrize(
    ("line", "fault"),
    [
        ('ACTION="add", LABEL="end"', "ACTION: invalid operator ="),
        ('MODE=="0660"', "MODE: invalid operator =="),
        ('MODE="rw-rw----"', "is not octal"),
        ('GROUP="the kiosk"', "is not a user or group name"),
        ('ACTION=="plug"', "unknown action"),
        ('ATTRS=="x"', "ATTRS needs an {attribute}"),
        ('SUBSYSTEM{usb}=="x"', "SUBSYSTEM takes no {attribute}"),
        ('FOO=="x"', "FOO: unknown key"),
        ('SUBSYSTEM=="usb" MODE="0660"', "separated by commas"),
        ("SUBSYSTEM==usb", "cannot parse"),
        ('SUBSYSTEM=="usb",', "a comma ends the rule"),
        ('GOTO="nowhere"', "GOTO 'nowhere' has no LABEL after it"),
        (
            'ATTR{idVendor}="04b8", ATTR{idProduct}=="0202", MODE="0660", GROUP="anjungan"',
            "assigns a read-only attribute",
        ),
        ('MODE="0660", GROUP="anjungan", TAG+="uaccess"', "without matching a vendor"),
        ('SUBSYSTEM=="usb", TAG+="uaccess"', "without matching a vendor"),
        ('ATTR{idVendor}="04b8", MODE="0660", GROUP="anjungan"', "without matching a vendor"),
        ('ATTR{idVendor}=="04B8", MODE="0660", GROUP="anjungan"', "4 lower-case hex digits"),
        ('ATTR{idProduct}=="e15", ATTR{idVendor}=="04b8", MODE="0660"', "4 lower-case hex"),
        ('ENV{ID_USB_INTERFACE}=="*:0701??:*", GROUP="anjungan"', "a property udev does not set"),
        ('ATTR{idVendor}=="04b8", MODE="0666", GROUP="anjungan"', "gives every user access"),
        ('IMPORT{bogus}="x"', "unknown IMPORT type"),
        ('LABEL="end"', "LABEL 'end' is defined twice"),
        ('OPTIONS+="bogus_option"', "unknown option"),
    ],
)
def test_each_fault_is_found(line: str, fault: str) -> None:
    _, faults = parse(GOOD + line + "\n")
    assert any(fault in found for found in faults), faults


def test_a_property_the_file_sets_itself_may_be_matched_and_an_interface_class_names_devices() -> (
    None
):
    text = (
        'SUBSYSTEM=="usb", ENV{ANJUNGAN_PRINTER}="1"\n'
        'ENV{ANJUNGAN_PRINTER}=="1", ENV{ID_USB_INTERFACES}=="*:0701??:*", MODE="0660"\n'
    )
    assert parse(text)[1] == []


def test_a_goto_back_to_an_earlier_label_is_a_fault() -> None:
    _, faults = parse('LABEL="top"\nGOTO="top"\n')
    assert faults == ["line 2: GOTO 'top' has no LABEL after it"]


@pytest.mark.parametrize("path", sorted(RULES.glob("*.rules")), ids=lambda p: p.name)
def test_the_shipped_rules_have_no_fault(path: Path) -> None:
    assert problems(path) == []
