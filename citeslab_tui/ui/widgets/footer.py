"""A footer that wraps its keys on several lines, so every key shows at 80 columns."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.widgets import Footer

CELL_WIDTH = 16  # "^↓ Descendre" and the like, plus a space


class KeysFooter(Footer):
    """Footer in a grid of equal cells (CELL_WIDTH columns each), as many rows as needed."""

    DEFAULT_CSS = """
    KeysFooter {
        layout: grid;
        grid-columns: 1fr;
        grid-rows: 1;
        height: auto;
        max-height: 5;
    }
    KeysFooter FooterKey { width: 100%; }
    """

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("show_command_palette", False)
        kwargs.setdefault("compact", True)
        super().__init__(**kwargs)

    def _columns(self) -> int:
        width = self.size.width or self.app.size.width or 80
        return max(1, width // CELL_WIDTH)

    def compose(self) -> ComposeResult:
        yield from super().compose()
        self.styles.grid_size_columns = self._columns()

    def on_resize(self, event: events.Resize) -> None:
        self.styles.grid_size_columns = self._columns()
