"""Imports from registries and reference files: recorded jobs with row-level error reports."""
