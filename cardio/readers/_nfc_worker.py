"""The thread behind :class:`cardio.readers.nfc.NfcReader`: the only user of nfcpy's frontend.

It opens the device (again and again with backoff while it is missing, busy
or unplugged), senses for tags, and while a tag is in the field it *holds*
it: it waits on a request queue, runs each request against the tag, and
checks the tag's presence whenever no request came for a presence interval.
Other threads never touch the frontend or a tag; they hand the worker a
function of the tag with :meth:`NfcWorker.call` and wait for its result.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from cardio.errors import (
    CardError,
    CardRemovedDuringRead,
    CardTimeout,
    MalformedCard,
    ReaderUnavailable,
)
from cardio.readers import nfcpy_loader
from cardio.readers.atr import atr_for_tag_type
from cardio.readers.events import (
    CardPresented,
    CardRemoved,
    ReaderAdded,
    ReaderEvent,
    ReaderRemoved,
)
from cardio.readers.events import ReaderListener as Listener

log = logging.getLogger(__name__)


def target_words(target: Any) -> str:
    """A sensed nfcpy target as a log line may say it: its bit rate and type, and its
    UID's length, never its bytes (``106A uid=<7 bytes>``): a UID names its holder to
    whoever holds the city's list of cards. Type A's UID is its SDD_RES, Type F's
    (the IDm) bytes 1-8 of its SENSF_RES, Type B's (the PUPI) bytes 1-4 of its SENSB_RES."""
    brty = getattr(target, "brty", "?")
    if (uid := getattr(target, "sdd_res", None)) is None:
        sensf, sensb = getattr(target, "sensf_res", None), getattr(target, "sensb_res", None)
        uid = sensf[1:9] if sensf is not None else sensb[1:5] if sensb is not None else None
    return f"{brty} uid=<{len(uid)} bytes>" if uid is not None else f"{brty} card"


T = TypeVar("T")

BACKOFF_MIN_S = 0.25
BACKOFF_MAX_S = 2.0


class HeldCard:
    """The tag in the field, as the worker holds it. ``tag`` is for the worker only."""

    def __init__(self, generation: int, tag: Any) -> None:
        self.generation = generation
        self.tag = tag
        self.tag_type = str(tag.type)
        self.identifier = bytes(tag.identifier)
        self.iso_dep = self.tag_type == "Type4Tag"
        self.atr = atr_for_tag_type(self.tag_type)
        self.gone = False


class _Request:
    def __init__(self, action: Callable[[Any], Any]) -> None:
        self.action = action
        self.done = threading.Event()
        self.result: Any = None
        self.error: CardError | None = None

    def fail(self, error: CardError) -> None:
        self.error = error
        self.done.set()


class NfcWorker:
    def __init__(
        self,
        path: str,
        name: str,
        listener: Listener,
        targets: Sequence[str],
        poll_interval_s: float,
        presence_interval_s: float,
    ) -> None:
        self.path = path
        self.name = name
        self._listener = listener
        self._targets = tuple(targets)
        self._poll_interval_s = poll_interval_s
        self._presence_interval_s = presence_interval_s
        self._stopping = threading.Event()
        self._lock = threading.Lock()  # guards _held and the hand-over of requests
        self._held: HeldCard | None = None
        self._requests: queue.Queue[_Request] = queue.Queue()
        self._generation = 0
        self._sensed = False
        self.device_open = False
        self._thread = threading.Thread(target=self._run, name="nfc-reader", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout_s: float) -> None:
        self._stopping.set()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout_s)
        if self._thread.is_alive():
            log.warning("NFC reader thread did not stop within %.1f s", timeout_s)

    def held(self) -> HeldCard | None:
        with self._lock:
            return self._held

    def call(self, card: HeldCard, action: Callable[[Any], T], timeout_s: float) -> T:
        """Run ``action(tag)`` on the worker while ``card`` is held; return its result."""
        request = _Request(action)
        if threading.current_thread() is self._thread:
            if self.held() is not card:
                raise CardRemovedDuringRead("the card has left the reader")
            with contextlib.suppress(OSError):  # the session notices on its next step
                self._serve(card, request)  # a listener reading inside its callback
        else:
            with self._lock:
                if self._held is not card:
                    raise CardRemovedDuringRead("the card has left the reader")
                self._requests.put(request)
            if not request.done.wait(timeout_s):
                raise CardTimeout(f"no answer from the NFC reader within {timeout_s} s")
        if request.error is not None:
            raise request.error
        return request.result  # type: ignore[no-any-return]

    def _run(self) -> None:
        backoff, complained = BACKOFF_MIN_S, False
        while not self._stopping.is_set():
            try:
                device = nfcpy_loader.open_device(self.path)
                if device is None:
                    raise OSError(f"no NFC reader at {self.path}")
            except Exception as exc:  # missing, busy, no permission, no nfcpy, a bad path
                if not complained:
                    log.warning("NFC reader unavailable, retrying: %s", _explain(exc))
                complained = True
                self._stopping.wait(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX_S)
                continue
            complained, self._sensed = False, False
            clf = nfcpy_loader.frontend(device)
            try:
                self._session(clf)
            except OSError as exc:
                log.warning("NFC reader %s lost: %s", self.path, exc)
            except Exception:  # never let the worker die; log and start over
                log.exception("NFC reader %s failed; reopening", self.path)
            finally:
                self._close(clf)
            # A device that fails before its first sense (say, a target type it
            # cannot sense) must not be reopened in a tight loop.
            backoff = BACKOFF_MIN_S if self._sensed else min(backoff * 2, BACKOFF_MAX_S)
            self._stopping.wait(backoff)
        self._release(None)

    def _session(self, clf: Any) -> None:
        nfc = nfcpy_loader.load()
        self.device_open = True
        self._emit(ReaderAdded(self.name))
        while not self._stopping.is_set():
            targets = [nfc.clf.RemoteTarget(brty) for brty in self._targets]
            target = clf.sense(*targets, iterations=1)
            self._sensed = True
            tag = self._activate(nfc, clf, target) if target is not None else None
            if tag is None:
                self._stopping.wait(self._poll_interval_s)
                continue
            self._generation += 1
            card = HeldCard(self._generation, tag)
            with self._lock:
                self._held = card
            self._emit(CardPresented(self.name, card.atr))
            try:
                self._hold(card)
            finally:
                self._release(card)
            self._stopping.wait(self._poll_interval_s)

    def _activate(self, nfc: Any, clf: Any, target: Any) -> Any:
        """The nfcpy tag for ``target``, or None (a phone in peer mode, a bad ATS)."""
        try:
            return nfc.tag.activate(clf, target)
        except OSError:
            raise
        except Exception as exc:  # nfcpy indexes into short answers
            # Never the target's repr (its sdd_res is the UID) nor the error's words.
            log.info("could not activate %s: %s", target_words(target), type(exc).__name__)
            return None

    def _hold(self, card: HeldCard) -> None:
        next_check = time.monotonic() + self._presence_interval_s
        while not self._stopping.is_set() and not card.gone:
            try:
                request = self._requests.get(timeout=max(0.0, next_check - time.monotonic()))
            except queue.Empty:
                card.gone = not card.tag.is_present
            else:
                self._serve(card, request)
            next_check = time.monotonic() + self._presence_interval_s

    def _serve(self, card: HeldCard, request: _Request) -> None:
        try:
            request.result = request.action(card.tag)
        except CardRemovedDuringRead as exc:
            card.gone = True
            request.error = exc
        except CardError as exc:
            request.error = exc
        except OSError as exc:
            request.error = ReaderUnavailable(f"NFC reader failed: {exc}")
            raise
        except Exception as exc:
            log.exception("NFC request failed")
            request.error = MalformedCard(f"unexpected {type(exc).__name__} from nfcpy")
        finally:
            request.done.set()

    def _release(self, card: HeldCard | None) -> None:
        """Forget the held card, fail what is queued, report the removal."""
        with self._lock:
            self._held = None
            pending: list[_Request] = []
            with contextlib.suppress(queue.Empty):
                while True:
                    pending.append(self._requests.get_nowait())
        for request in pending:
            request.fail(CardRemovedDuringRead("the card has left the reader"))
        if card is not None and not self._stopping.is_set():
            self._emit(CardRemoved(self.name))

    def _close(self, clf: Any) -> None:
        was_open, self.device_open = self.device_open, False
        try:
            clf.close()
        except Exception as exc:  # an unplugged USB device may fail to close
            log.debug("closing %s failed: %s", self.path, exc)
        if was_open and not self._stopping.is_set():
            self._emit(ReaderRemoved(self.name))

    def _emit(self, event: ReaderEvent) -> None:
        try:
            self._listener(event)
        except Exception:
            log.exception("reader listener failed on %s", type(event).__name__)


def _explain(exc: BaseException) -> str:
    if not isinstance(exc, OSError | CardError):
        return f"{type(exc).__name__}: {exc}"
    code = getattr(exc, "errno", None)
    if code == errno.EBUSY:
        return f"{exc} (held by pcscd/libccid or the kernel's pn533 driver? see packaging/)"
    if code == errno.EACCES:
        return f"{exc} (no permission: install packaging/udev/60-anjungan-nfc.rules)"
    return str(exc)
