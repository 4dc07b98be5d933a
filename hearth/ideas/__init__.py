"""Ideas: members suggest improvements, vote, and hear back as staff move them along."""
