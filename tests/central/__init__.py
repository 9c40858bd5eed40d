"""Tests for the reference central server and the kiosk's client for it."""
