"""Bulk loads of children from other systems' files (the SSDA903 return first)."""
