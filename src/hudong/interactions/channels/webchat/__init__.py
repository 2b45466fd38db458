"""The Web chat channel."""
