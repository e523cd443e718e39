"""What every mode of the assistant shares about a turn: the events it streams, what it carries
(turn_context), routing and understanding a message, clarifying questions, the thread's memory, and the
checks every answer passes (grounding, guards). `assistant/conversation.py` runs a turn with the LangChain
agent (assistant/agent) or the embedded pipeline (assistant/pipeline)."""
