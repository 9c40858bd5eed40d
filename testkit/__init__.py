"""What the tests and the benchmarks share: the harnesses around the real code.

Private daemons (``pcscd``, ``cupsd``, ``pg_cluster``), peers on loopback
(``fault_proxy``, ``peers``, ``stand_in``, ``network_printer``), the centre and
its accounts (``centres``, ``centre_accounts``, ``centre_requests``,
``centre_routes``, ``citizen_lookups``), cards and readers (``cards``,
``uid_cards``, ``reader_events``, ``nfc_udp``), kiosks (``demo_kiosk``,
``kiosk_window``, ``sync_kiosk``, ``stored_tickets``, ``commands``, the
``killable_*`` programs), scripted printers (``printers``), clocks, waits and
printouts. Each module is named
after what it provides. Nothing here is shipped in the wheel, and nothing here
imports ``tests`` or ``bench``: test modules and benchmarks import from here,
``conftest.py`` files only turn these into fixtures.

Kept free of imports: ``python -m bench.startup_probe`` loads this file and
times its own start-up.
"""
