"""Engagement status per function, channel preferences, and who should engage next."""
