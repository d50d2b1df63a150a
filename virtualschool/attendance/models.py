"""Attendance marks, figures and alerts."""
