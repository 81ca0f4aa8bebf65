"""Deals: the opportunities API (deals document) and the opportunity_changed events."""
