"""citeslab-tui: field tool for CitésLab project leads (keyboard-only terminal app)."""

__version__ = "0.1.0"
