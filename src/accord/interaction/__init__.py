"""Interactions: every touchpoint with a stakeholder, by any team on any channel."""
