"""What the centre reports to a hospital's outside services: BPJS Antrean RS and SATUSEHAT."""
