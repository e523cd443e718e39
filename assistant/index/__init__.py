"""The search index: embeddings, Chroma collections derived from SQLite and the knowledge notes, search."""
