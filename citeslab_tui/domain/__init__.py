"""Pure domain code: models, rules, reports, merge. Imports neither Textual nor TinyDB."""
