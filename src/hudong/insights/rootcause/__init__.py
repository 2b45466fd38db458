"""Root-cause analysis (D5): where complaints come from, and who or what is behind more of them
than their share of the work."""
