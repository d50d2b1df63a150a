"""Statutory duties, escalation and notifications."""
