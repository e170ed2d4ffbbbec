"""The stakeholder master: persons and organizations, identifiers, specialties, addresses."""
