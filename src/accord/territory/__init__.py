"""Territories: the nation > region > territory hierarchy that assigns stakeholders to users."""
