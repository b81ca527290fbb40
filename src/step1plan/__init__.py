"""step1plan: a recovery planner after a failed USMLE Step 1 attempt."""

__version__ = "0.1.0"
