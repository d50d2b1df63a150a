"""Suspensions, permanent exclusion and reduced timetables."""
