"""The watch over an NDEF read: when a Type 1 Tag has shown its message, and that it
leaves the nfcpy tag as it found it, however it ends.

The watch replaces the tag's command methods (and its NDEF class) on the instance for
the read. nfcpy itself keeps methods on some tag instances (FeliCa Lite's
``read_from_ndef_service``), and a read may be watched inside another: what the
instance held before comes back, nesting works, and an error part-way changes nothing.
"""

from __future__ import annotations

from typing import Any

import pytest

from cardio.emulators.nfc_emulator import Type3NdefEmulator
from cardio.readers import nfcpy_loader
from cardio.readers._nfc_ops import _type1_capability, _watched_read

WATCHED = ("send_cmd_recv_rsp", "NDEF")


def felica_tag() -> Any:
    """An nfcpy Type 3 Tag object, as nfcpy builds it on activation (no radio needed
    to build or watch one)."""
    nfc = nfcpy_loader.load()
    sensf_res = b"\x01" + Type3NdefEmulator.IDM + Type3NdefEmulator.PMM + b"\x12\xfc"
    target = nfc.clf.RemoteTarget("212F", sensf_res=bytearray(sensf_res))
    return nfc.tag.tt3.Type3Tag(None, target)


def test_a_watched_read_puts_back_what_the_instance_held() -> None:
    nfc = nfcpy_loader.load()
    tag = felica_tag()

    def own_command(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("not called")

    tag.send_cmd_recv_rsp = own_command
    with _watched_read(nfc, tag):
        assert tag.send_cmd_recv_rsp is not own_command  # watched in the block
    assert vars(tag)["send_cmd_recv_rsp"] is own_command
    assert "NDEF" not in vars(tag)  # the class's own NDEF again


def test_watched_reads_nest() -> None:
    nfc = nfcpy_loader.load()
    tag = felica_tag()
    with _watched_read(nfc, tag):
        outer = vars(tag)["send_cmd_recv_rsp"]
        with _watched_read(nfc, tag):
            assert vars(tag)["send_cmd_recv_rsp"] is not outer
        assert vars(tag)["send_cmd_recv_rsp"] is outer  # the outer watch goes on
    assert not set(WATCHED) & set(vars(tag))


def test_a_watched_read_left_by_an_error_leaves_the_tag_as_it_was() -> None:
    nfc = nfcpy_loader.load()
    tag = felica_tag()
    before = dict(vars(tag))
    with pytest.raises(RuntimeError), _watched_read(nfc, tag):
        raise RuntimeError("the read went wrong")
    assert vars(tag) == before


#: A Topaz READALL answer's start: header ROM (HR0 11: NDEF-capable), the UID block.
TOPAZ_HEAD = bytes.fromhex("1148") + bytes.fromhex("01020304050607FF")


@pytest.mark.parametrize(
    ("answer", "shown"),
    [
        (TOPAZ_HEAD + bytes.fromhex("E1100E00") + bytes(108), True),
        (TOPAZ_HEAD + bytes.fromhex("E1200E00") + bytes(108), False),  # mapping 2.x
        (TOPAZ_HEAD + bytes(112), False),  # no capability container
        (bytes.fromhex("0148") + TOPAZ_HEAD[2:] + bytes.fromhex("E1100E00"), False),
        (TOPAZ_HEAD + bytes.fromhex("E1"), False),  # an answer cut short
    ],
    ids=["NDEF", "unsupported mapping", "not formatted", "proprietary HR0", "cut short"],
)
def test_a_type1_tag_shows_its_message_by_the_capability_container_it_reads_first(
    answer: bytes, shown: bool
) -> None:
    """nfcpy reads a Type 1 Tag's whole static memory at once (READALL) and goes on to
    the message only after the header ROM and capability container it checks there:
    a failure after such an answer is the message's read cut short, before it a tag
    that showed no message."""
    assert _type1_capability(answer) is shown
