"""Requests from stakeholders: medical information requests, ISS proposals, grants, speakers."""
