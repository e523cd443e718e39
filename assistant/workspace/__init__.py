"""The product's one application API (see core.py)."""

from assistant.workspace.core import Progress, Workspace

__all__ = ["Progress", "Workspace"]
