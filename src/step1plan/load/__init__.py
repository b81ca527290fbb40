"""Loading of profiles, practice-score CSVs and plans, with FILE:LINE:COL errors."""
