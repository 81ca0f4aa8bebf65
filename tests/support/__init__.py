"""Test support: per-run broker vhost and databases, the whole system, an HTTP client."""
