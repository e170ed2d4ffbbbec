"""Transfers of value to HCPs and teaching hospitals (CMS Open Payments)."""
