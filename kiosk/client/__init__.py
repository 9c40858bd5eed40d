"""The kiosk's side of the HTTP contract with the centre.

The one client, its transport, answers and errors.
"""
