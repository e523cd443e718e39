"""The feedback store: reading customer feedback files, accounting for every row, keeping it in SQLite."""
