"""The Telephony channel."""
