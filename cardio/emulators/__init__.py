"""Cards without hardware, for tests and the demo.

The card side of the citizen card, vpcd and nfcpy emulators, what emulated tags hold, bad
cards, DEMO cards. The card format itself lives in cardio.card; nothing outside tests, the
demo and the card tools imports this folder (tests/test_architecture.py).
"""
