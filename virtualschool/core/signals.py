"""Signals between apps, so that a feature can react to another's records without the two importing each other.

``pep_review_proposed`` is sent when a record means a child may need an emergency or interim PEP review: a
suspension, a pattern of suspensions, a risk of permanent exclusion, attendance below the threshold, targets
not met, a change of school. The PEP app receives it and keeps one proposal per ``source_key``, so sending it
twice for the same evidence proposes once. Arguments, all keyword:

- ``child``: the Child
- ``pep_type``: "emergency" or "interim"
- ``trigger``: a stable slug, for example "suspension", "suspension-pattern", "risk-of-exclusion",
  "attendance-below-threshold", "change-of-school"
- ``reason``: one sentence a lead reads, for example "Suspended for 3 days from 2 December 2026."
- ``raised_on``: the date the trigger fired
- ``source_key``: unique for the evidence, for example "suspension:123"
- ``actor``: the user whose action fired it, or None for the system
"""

from django.dispatch import Signal

pep_review_proposed = Signal()
