"""Who may ask the centre what: credentials, enrolment, staff logins and lockouts,
rate limits, the lookup budget and the UID proof's limits, and the audit of it all."""
