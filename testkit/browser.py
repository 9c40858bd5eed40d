"""A real browser for the office pages' tests: Debian's chromium driven by Playwright.

Playwright's own browser download cannot be reached from every machine, so
the tests drive the system's Chromium (Debian packages, installed by ``make``),
headless, with autoplay allowed as a kiosk-mode TV browser is started, so a
board's announcement plays without a click (to no device: the ``ended`` events
still fire).

The tests drive ``chromium-headless-shell``, the same Chromium's engine without
the desktop browser around it, as Playwright drives its own headless Chromium.
The desktop browser builds a whole browser tab for every page (measured: 30 new
contexts, each with a page, a load and a click, 16 s of CPU against 7 s for the
shell; 60 loads and clicks in one page 11 s against 7 s), and the suite opens some
hundreds. The benchmarks and the pictures of the pages (:func:`chromium`) use the
desktop ``chromium``, as the offices' boards and counters run it.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import quote

from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from testkit.centre_accounts import PASSWORD

#: Every wait a test makes on a page is bounded by this (milliseconds).
TIMEOUT_MS = 15_000
ARGS = ("--no-sandbox", "--autoplay-policy=no-user-gesture-required", "--mute-audio")


def chromium_path() -> str:
    """The desktop browser, as an office's board and counter computers run it."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise RuntimeError("no chromium on PATH: `make test` installs the Debian package")
    return found


def headless_shell_path() -> str:
    """The tests' browser: the same Chromium without the desktop browser around it."""
    found = shutil.which("chromium-headless-shell")
    if found is None:
        raise RuntimeError(
            "no chromium-headless-shell on PATH: `make test` installs the Debian package"
        )
    return found


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless desktop chromium for the duration of the block (benchmarks, pictures)."""
    with kept_chromium(chromium_path) as kept:
        yield kept.browser()


class KeptChromium:
    """One headless chromium for many users in turn, launched again if it went away.

    Each user gets its own contexts (cookies, storage: :func:`fresh_context`), so what
    one left behind is not another's; only the browser process is shared, which saves
    each of them its start (some seconds of a loaded machine's CPU).
    """

    def __init__(self, playwright: Playwright, executable: Callable[[], str]) -> None:
        self._playwright = playwright
        self._executable = executable
        self._browser: Browser | None = None

    def browser(self) -> Browser:
        """The running browser, launched first if there is none or it has gone."""
        if self._browser is None or not self._browser.is_connected():
            self._browser = self._playwright.chromium.launch(
                executable_path=self._executable(), args=list(ARGS), timeout=TIMEOUT_MS * 2
            )
        return self._browser

    def close(self) -> None:
        if self._browser is not None and self._browser.is_connected():
            self._browser.close()
        self._browser = None


@contextmanager
def kept_chromium(executable: Callable[[], str] = headless_shell_path) -> Iterator[KeptChromium]:
    """A :class:`KeptChromium` (the tests' headless shell, unless told) for the block.

    Playwright's sync API runs an event loop on this thread while it is open: code
    that needs one of its own runs it on another thread (testkit.waits.run_with_deadline).
    """
    with sync_playwright() as playwright:
        kept = KeptChromium(playwright, executable)
        try:
            yield kept
        finally:
            kept.close()


@contextmanager
def fresh_context(browser: Browser, **options: object) -> Iterator[BrowserContext]:
    """A context of its own (cookies, storage), as a second device would be; closed after."""
    context = browser.new_context(**options)  # type: ignore[arg-type]
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context
    finally:
        context.close()


def log_in(
    page: Page, base_url: str, username: str, password: str = PASSWORD, *, then: str = "/"
) -> None:
    """Log in through the login form, as staff do, and wait for the page ``then``."""
    page.goto(f"{base_url}/login?next={quote(then, safe='')}")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Masuk").click()
