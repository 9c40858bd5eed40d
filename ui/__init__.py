"""The touchscreen: Qt widgets that render the kiosk's state and send the citizen's events.

The only package that imports Qt; it decides nothing (the session machine does)
and never blocks the GUI thread.
"""
