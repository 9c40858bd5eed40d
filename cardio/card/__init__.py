"""The Anjungan citizen card.

Its format (the application, its file, the signed record), how a kiosk reads it over APDUs
or NDEF, and how it is verified.
"""
