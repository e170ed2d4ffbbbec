"""Consents per channel and purpose, with their grant and withdrawal history."""
