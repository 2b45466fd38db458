"""Registered at start-up (filled in by its module)."""
