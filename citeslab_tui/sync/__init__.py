"""Sync by file copy: bundle format, encryption keys, writing and reading bundle files."""
