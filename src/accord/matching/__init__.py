"""Matching and merging of duplicate stakeholders (Fellegi-Sunter record linkage)."""
