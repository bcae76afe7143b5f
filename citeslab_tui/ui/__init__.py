"""Textual UI: app (small), screens, dialogs, widgets."""
