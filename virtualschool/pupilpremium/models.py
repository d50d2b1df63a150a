"""Pupil Premium Plus: grant years, allocations, applications, panel decisions and impact."""
