"""espeak-ng, the kiosk's offline voice: one text in, one WAV file out, bounded.

``espeak-ng -v VOICE --stdout`` reads the text on its standard input (so the
words never show in the process list) and writes a WAV on its standard
output. Each run has a total deadline and an output size limit: past either
the whole process group is killed and :class:`~kiosk.errors.SpeechError`
says why. Run it off the GUI thread (the executor).

The text is at most :data:`MAX_CHARS` long, and the writing of it counts
against the same deadline as the reading of the sound (an engine that reads
nothing cannot hold the worker).

Clips are files in a folder under the kiosk's data dir, never named by the text::

    <data_dir>/speech/<sha256>.wav           the screens' own texts, kept: a hash of voice and text
    <data_dir>/speech/session/<uuid4>.wav    this citizen's (the ticket, a touched control): a
                                             random name, wiped at session end and at start-up
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import selectors
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
import wave
from pathlib import Path
from typing import IO

from kiosk.errors import SpeechError, SpeechReason

log = logging.getLogger(__name__)

PROGRAM = "espeak-ng"
#: Seconds one clip may take to make, all told.
DEADLINE_S = 5.0
#: Bytes of WAV one clip may be: about a minute of espeak-ng's 22 kHz mono.
MAX_BYTES = 3_000_000
#: Words per minute: a little slower than espeak-ng's 175, for listeners who are not in a hurry.
RATE_WPM = 145
#: Characters one clip may say: a screen's longest script is under 400.
MAX_CHARS = 2000


def find_program(program: str | None = None) -> str | None:
    """The espeak-ng program to run (``program``, else found on the PATH); None: not installed."""
    return shutil.which(program or PROGRAM)


def clip_path(folder: Path, voice: str, text: str, *, personal: bool) -> Path:
    """Where the clip of ``text`` in ``voice`` goes; never named by the words.

    A screen's own text is named by a hash of voice and text (made once, kept).
    A personal one gets a random name: a hash of a ticket's sentence would give
    the number back to whoever tries the few thousand sentences there are.
    """
    if personal:
        return folder / "session" / f"{uuid.uuid4().hex}.wav"
    digest = hashlib.sha256(f"{voice}\0{text}".encode()).hexdigest()
    return folder / f"{digest}.wav"


def wipe_session_clips(folder: Path) -> int:
    """Delete every file of ``folder/session`` (clips, a clip half made by a crash); how many."""
    gone = 0
    session = folder / "session"
    if not session.is_dir():
        return 0
    for clip in session.iterdir():
        if clip.is_file() or clip.is_symlink():
            clip.unlink(missing_ok=True)
            gone += 1
    return gone


def make_clip(
    program: str,
    voice: str,
    text: str,
    target: Path,
    *,
    deadline_s: float = DEADLINE_S,
    max_bytes: int = MAX_BYTES,
    max_chars: int = MAX_CHARS,
) -> Path:
    """``target`` (made if missing): ``text`` said in ``voice``. Raises :class:`SpeechError`."""
    if target.is_file():
        return target
    if len(text) > max_chars:
        raise SpeechError(SpeechReason.TOO_LARGE, f"more than {max_chars} characters")
    raw = run_espeak(program, voice, text, deadline_s=deadline_s, max_bytes=max_bytes)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, temp = tempfile.mkstemp(prefix=".clip-", suffix=".wav", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(_complete_wav(raw))
        os.replace(temp, target)
    finally:
        Path(temp).unlink(missing_ok=True)
    return target


def run_espeak(program: str, voice: str, text: str, *, deadline_s: float, max_bytes: int) -> bytes:
    """espeak-ng's WAV output for ``text``: at most ``max_bytes``, within ``deadline_s``."""
    end = time.monotonic() + deadline_s
    try:
        proc = subprocess.Popen(  # noqa: S603 - a fixed program; the text goes on stdin
            [program, "-v", voice, "-s", str(RATE_WPM), "--stdout"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own group: a helper it starts dies with it
        )
    except OSError as exc:
        raise SpeechError(SpeechReason.NO_ENGINE, exc.strerror or str(exc)) from None
    try:
        if proc.stdin is None or proc.stdout is None:  # never with PIPE; for the type checker
            raise SpeechError(SpeechReason.FAILED, "no pipes")
        data = _exchange(proc.stdin, proc.stdout.fileno(), text.encode(), end, max_bytes)
        try:
            code = proc.wait(timeout=max(0.0, end - time.monotonic()))
        except subprocess.TimeoutExpired:
            raise SpeechError(SpeechReason.TIMEOUT, f"past {deadline_s} s") from None
    finally:
        _kill(proc)
    if code != 0:
        raise SpeechError(SpeechReason.FAILED, f"exit status {code}")
    if not data.startswith(b"RIFF") or len(data) <= 44:
        raise SpeechError(SpeechReason.FAILED, "no sound written")
    return data


def _exchange(stdin: IO[bytes], out: int, text: bytes, end: float, max_bytes: int) -> bytes:
    """Write ``text`` and read the sound, both without blocking, until ``end`` at most."""
    chunks: list[bytes] = []
    size = 0
    pending = memoryview(text)
    os.set_blocking(stdin.fileno(), False)
    with selectors.DefaultSelector() as selector:
        selector.register(out, selectors.EVENT_READ)
        selector.register(stdin, selectors.EVENT_WRITE)
        writing = True
        while True:
            if writing and not pending:
                selector.unregister(stdin)
                stdin.close()  # the end of the text: espeak-ng speaks it
                writing = False
            left = end - time.monotonic()
            ready = selector.select(timeout=left) if left > 0 else []
            if not ready:
                raise SpeechError(SpeechReason.TIMEOUT, "no end of output in time")
            for key, _ in ready:
                if key.fileobj is stdin:
                    try:
                        pending = pending[os.write(stdin.fileno(), pending) :]
                    except BrokenPipeError:  # it exited early: its status says how
                        pending = pending[len(pending) :]
                    except BlockingIOError:
                        pass
                    continue
                chunk = os.read(out, 65536)
                if not chunk:
                    return b"".join(chunks)
                size += len(chunk)
                if size > max_bytes:
                    raise SpeechError(SpeechReason.TOO_LARGE, f"more than {max_bytes} bytes")
                chunks.append(chunk)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    for stream in (proc.stdin, proc.stdout):
        if stream is not None and not stream.closed:
            stream.close()


def _complete_wav(raw: bytes) -> bytes:
    """espeak-ng streams its WAV with unknown lengths in the header: write them in."""
    start = raw.find(b"data", 12)
    if start < 0:
        raise SpeechError(SpeechReason.FAILED, "no data chunk")
    with wave.open(io.BytesIO(raw[:start] + b"data\0\0\0\0"), "rb") as head:
        channels, width, rate = head.getnchannels(), head.getsampwidth(), head.getframerate()
    frames = raw[start + 8 :]
    frames = frames[: len(frames) - len(frames) % (channels * width)]
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(width)
        wav.setframerate(rate)
        wav.writeframes(frames)
    return out.getvalue()
