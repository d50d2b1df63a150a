"""Signals the PEP app sends, for features that build on it.

``target_reviewed`` is sent (inside the reviewing transaction) when a SMART target is reviewed at a later PEP,
with keyword arguments ``target`` (peps.Target), ``outcome`` ("achieved", "partly", "not_achieved"), ``note``,
``reviewed_on`` and ``actor``. The Pupil Premium Plus app records the outcome on the funded targets that serve
it, so the impact of each intervention is read from the PEP review itself.
"""

from django.dispatch import Signal

target_reviewed = Signal()
