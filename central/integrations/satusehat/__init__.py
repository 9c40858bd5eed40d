"""The SATUSEHAT adapter (Kemenkes, FHIR R4): each hospital visit reported as an Encounter.

Its settings are the ``[satusehat]`` section (central/integrations/config.py);
every call goes through central/integrations/http.py (a total deadline and an
answer cap). ``auth.py``: the OAuth2 client-credentials token, cached until it
expires. ``fhir.py``: the Encounter built and checked against the
``fhir.resources`` models before it is sent. ``client.py``: Patient by NIK,
Encounter create and update. ``dispatch.py``: what the integration outbox's
SATUSEHAT rows become, read from the visit when they are sent.
docs/satusehat.md tells a hospital how to switch it on.
"""
