"""The LangChain tool-calling agent (cloud, OpenAI-compatible and scripted chat models): the agent, its
allow-listed LLM tools over workspace methods, what the model reads of a result, its structured answers."""
