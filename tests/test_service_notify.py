"""The service manager's notify protocol: what contract/systemd.py sends, and when."""

from __future__ import annotations

import os

from contract.systemd import notify, watchdog_interval_s
from testkit.notify_socket import NotifyListener
from testkit.waits import wait_until


def test_notify_sends_one_datagram_to_the_named_socket() -> None:
    with NotifyListener() as listener:
        assert notify("READY=1\nSTATUS=ready", {"NOTIFY_SOCKET": listener.path})
        wait_until(lambda: bool(listener.notices()), 5.0, "the notice")
        assert [n.lines for n in listener.notices()] == [("READY=1", "STATUS=ready")]


def test_notify_without_a_socket_sends_nothing_and_says_so() -> None:
    assert notify("READY=1", {}) is False


def test_notify_to_a_socket_that_is_gone_does_not_raise(tmp_path: os.PathLike[str]) -> None:
    assert notify("WATCHDOG=1", {"NOTIFY_SOCKET": f"{tmp_path}/gone"}) is False


def test_notify_refuses_a_relative_socket_name() -> None:
    assert notify("READY=1", {"NOTIFY_SOCKET": "relative/notify"}) is False


def test_watchdog_interval_is_half_the_manager_s_timeout() -> None:
    assert watchdog_interval_s({"WATCHDOG_USEC": "20000000"}) == 10.0
    assert watchdog_interval_s({"WATCHDOG_USEC": "20000000", "WATCHDOG_PID": str(os.getpid())})


def test_no_watchdog_when_unset_malformed_or_meant_for_another_process() -> None:
    assert watchdog_interval_s({}) is None
    assert watchdog_interval_s({"WATCHDOG_USEC": "0"}) is None
    assert watchdog_interval_s({"WATCHDOG_USEC": "-5"}) is None
    assert watchdog_interval_s({"WATCHDOG_USEC": "²"}) is None
    assert watchdog_interval_s({"WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "1"}) is None
