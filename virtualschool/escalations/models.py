"""Escalation of concerns: ladders, levels, contacts and the child's views."""
