"""Accessibility checks of a page in the real browser, with the vendored axe-core.

:func:`serious_violations` injects axe-core (testkit/vendor/axe-core, from
npm at a pinned version) into a loaded page, runs it, and returns the
violations whose impact is ``serious`` or ``critical``, each as
``"rule: target, target"`` so a failing test says where to look.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
BLOCKING = frozenset({"serious", "critical"})


def axe_is_intact() -> bool:
    return hashlib.sha256(AXE.read_bytes()).hexdigest() == AXE_SHA256


def serious_violations(page: Page) -> list[str]:
    """The serious and critical axe-core violations of ``page`` as it is now."""
    # The pages' CSP allows only the centre's own scripts: bypass it for the check
    # (the context is made with bypass_csp=True), as a browser extension would.
    page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = page.evaluate("async () => await axe.run(document)")
    found = []
    for violation in result["violations"]:
        if violation.get("impact") in BLOCKING:
            targets = ", ".join(
                " ".join(node.get("target", [])) for node in violation.get("nodes", [])[:5]
            )
            found.append(f"{violation['id']} ({violation['impact']}): {targets}")
    return found
