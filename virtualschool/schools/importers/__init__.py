"""Loaders that fill the school register from outside files (Get Information About Schools)."""

from virtualschool.core.importing import ImportFileError, ImportReport, Reject

from .gias import GIAS_COLUMNS, REQUIRED_COLUMNS, gias_import

__all__ = ["GIAS_COLUMNS", "REQUIRED_COLUMNS", "ImportFileError", "ImportReport", "Reject", "gias_import"]
