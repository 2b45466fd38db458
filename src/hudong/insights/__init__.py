"""Insights: value, tiers, CLV and segments for every customer, computed in bulk.

The engine reads the operational tables as Arrow (ADBC), computes with Ibis on DuckDB and
writes one :class:`~hudong.insights.models.CustomerValue` row per customer that the 360 view,
routing, case priority and campaigns read.
"""
