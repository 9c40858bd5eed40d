"""BPJS Kesehatan's Antrean RS: signing, decrypting, the client and the schedule import.

``crypto.py`` signs requests and decrypts answers (VClaim and Antrean RS
share the scheme); ``antrean.py`` is the client with one deadline and an
answer cap per call, and the deliverer the sender uses for the outbox's
``bpjs`` rows; ``reference.py`` imports BPJS's polis and doctors' schedules.
"""
