"""The one gate: who is asking, what they may do, and which territories they see.

Every read of stakeholder data passes here: lists start from `visible(...)`, single reads
go through `get_visible(...)`, and every decision carries its reason.
"""
