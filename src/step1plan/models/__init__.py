"""Pydantic input models (profile, practice scores) and typed output models (report)."""
