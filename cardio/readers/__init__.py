"""Card readers.

One `Reader` interface, one module per backend (simulated, PC/SC, nfcpy), several as
one; the ATRs a reader reports for contactless cards.
"""
