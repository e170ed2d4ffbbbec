"""Data change requests: the field proposes, a data steward decides, approval applies."""
