"""Contracts between services: the payloads of published events (documented in docs/events.md)."""
