"""The kiosk without Qt.

Configuration, the session, the effects it runs, sync, tickets, the command line.
"""
