"""Loaders that fill the school register from outside files (Get Information About Schools)."""

from .gias import GIAS_COLUMNS, REQUIRED_COLUMNS, gias_import
from .report import ImportFileError, ImportReport, Reject

__all__ = ["GIAS_COLUMNS", "REQUIRED_COLUMNS", "ImportFileError", "ImportReport", "Reject", "gias_import"]
