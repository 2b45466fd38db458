"""The Email channel."""
