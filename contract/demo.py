"""Where the DEMO trust and revocation lists ship: public, for the demo and tests only.

Both sides read them: the centre seeds its lists from them (``kiosk server --demo``)
and a demo kiosk trusts them. The DEMO issuer key and the demo cards it signed live
with the card emulators (:mod:`cardio.emulators.demo_cards`). **Never put the DEMO
trust list on a real kiosk**: its issuer key is published.
"""

from __future__ import annotations

from pathlib import Path

DEMO_LISTS = Path(__file__).with_name("demo_data")
DEMO_TRUST_LIST = DEMO_LISTS / "DEMO-trust-list.json"
DEMO_REVOCATION_LIST = DEMO_LISTS / "DEMO-revocation-list.json"
