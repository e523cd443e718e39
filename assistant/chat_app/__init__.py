"""The chat app's parts (Chainlit): settings, sign-in, persistence, upload checks, map and chart builders,
and the views that turn the assistant's events into messages. `assistant/chat_app/handlers.py` wires them to Chainlit.

Nothing here touches SQL of the product, statistics or business rules: the app calls the workspace and
the assistant, and shows what they return.
"""
