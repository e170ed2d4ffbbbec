"""The demo: personas, territories, and (in later issues) generated stakeholder data."""
