"""Glue between the feedback store and the analysis tools: labels cached in SQLite, aggregates in SQL."""
