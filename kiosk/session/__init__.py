"""One citizen's session.

The state machine that decides, its events and effects, form pre-fill and checks.
"""
