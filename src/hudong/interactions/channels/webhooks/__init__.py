"""The Webhooks channel."""
