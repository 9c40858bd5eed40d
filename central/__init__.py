"""The central server: the office behind the kiosks, on SQLite or PostgreSQL.

It serves the catalog and the card lists, numbers tickets, takes what kiosks send,
and gives staff their counters; it imports nothing of ours but :mod:`contract`.
"""
