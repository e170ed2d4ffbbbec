"""Accord: an open, orchestrated customer engagement platform for life-sciences companies."""

__version__ = "0.1.0"
