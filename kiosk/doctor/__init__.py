"""`kiosk doctor`: what an installer or an operator checks on a kiosk, in one command.

One function per check, each giving a :class:`~kiosk.doctor.check.Check` with its
fix in one sentence; :func:`~kiosk.doctor.run.run_doctor` runs them all, each under a
deadline. Device probes go through :mod:`cardio` and :mod:`printing`; no Qt here.
"""
