"""The hash-chained audit trail (21 CFR Part 11 §11.10(e) in spirit)."""
