"""The Anjungan citizen card.

What it holds, how a kiosk reads it over APDUs or NDEF, and how it is verified.
"""
