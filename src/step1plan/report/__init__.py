"""Renderers: pure functions from typed results to text (rich tables, JSON, Markdown, CSV)."""
