"""The embedded mode: a fixed pipeline around short, schema-constrained generations of the local model,
with answers written by code from the workspace's results. Not an agent: code decides every step."""
