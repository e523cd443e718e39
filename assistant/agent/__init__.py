"""The conversational assistant: agent, tools over the workspace, and the offline pipeline."""
