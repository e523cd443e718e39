"""The SQL layer: the workspace database's schema (declared once, schema.py), its engines and connections
for SQLite and PostgreSQL (engine.py), its migrations (Alembic, migrations/), and the conversation store
(conversations.py). Everything above talks to the database through here."""
