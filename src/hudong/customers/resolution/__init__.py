"""Identity resolution: find the customer behind an identifier, and make one record of many.

- ``identify``: any identifier in any common spelling (or a name) to the customer or candidates.
- ``ingest``: deterministic resolution when a record arrives (import, channel, API).
- ``merge``: lossless merge and unmerge with survivorship rules.
- ``probabilistic``: the Splink batch that fills the review queue.
"""
