"""Cards without hardware, for tests and the demo.

The card applet, vpcd and nfcpy emulators, bad cards, DEMO cards.
"""
