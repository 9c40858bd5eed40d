"""Card readers and card formats.

Device I/O for cards lives here and nowhere else. Nothing in this package
imports Qt or talks to the citizen: it emits :mod:`cardio.readers.events` and raises
the errors in :mod:`cardio.errors`; the caller decides what to show.
"""
