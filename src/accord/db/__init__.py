"""Database: declarative base, engines and the unit-of-work scopes."""
