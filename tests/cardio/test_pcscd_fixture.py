"""The tests' pcscd starts on a fresh pair of ports when its first pair was taken.

``free_port_pair`` finds two loopback ports free, then pcscd's vpcd driver binds them
a moment later; another process (a centre of another test worker) can take one in
between, and the reader never comes up. A fresh clone's run of the suite once failed
so. The fixture starts pcscd again on a new pair instead."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

import testkit.pcscd
from testkit.pcscd import READER, running_pcscd

pytestmark = [pytest.mark.timeout(120), pytest.mark.pcsc]


def test_a_port_pair_taken_before_the_driver_binds_it_is_left_for_a_new_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    held: list[socket.socket] = []
    given: list[int] = []
    fresh = testkit.pcscd.free_port_pair

    def taken_first() -> int:
        port = fresh()
        if not given:  # the first pair is taken by "another process" before pcscd starts
            for each in (port, port + 1):
                sock = socket.create_server(("127.0.0.1", each))
                held.append(sock)
        given.append(port)
        return port

    monkeypatch.setattr(testkit.pcscd, "free_port_pair", taken_first)
    started: Iterator[testkit.pcscd.Pcscd] = running_pcscd(tmp_path)
    try:
        daemon = next(started)
        assert READER in daemon.list_readers()
        assert len(given) == 2 and daemon.port == given[1]
    finally:
        started.close()
        for sock in held:
            sock.close()
