"""What the kiosk asks the centre while a citizen waits.

The city's record of a card's holder, the office's queue, the information screen and a
citizen's applications: each asked off the GUI thread with a short deadline, each with
its answer for a centre that is away. Everything else the kiosk says to the centre goes
through the sync engine (:mod:`kiosk.sync`).
"""
