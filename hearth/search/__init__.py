"""Full-text search over the posts a member may see: SQLite FTS5 or PostgreSQL full text."""
