"""The kiosk built from its configuration (:mod:`kiosk.wiring.kiosk`), the parts
it is built of (printer, store, trust lists, timeouts, the demo's reader), and the
holders that keep those parts running: the trust store in use, the link to the
sync engine, the printer's monitor and health."""
