"""WS RS: the hospital's side of BPJS's Mobile JKN (docs/bpjs-wsrs.md).

* :mod:`central.wsrs.tokens`: the account BPJS presents and the signed tokens
  that work across every server process;
* :mod:`central.wsrs.shapes`: the request bodies and the ``metadata`` envelope,
  exactly as BPJS's catalog gives them;
* :mod:`central.wsrs.service`: what each call does to bookings, visits and the
  doctors' quota.

The routes are :mod:`central.api.wsrs`.
"""
