"""A footer that wraps its keys on several lines, so every key shows at 80 columns.

One widget drawing a grid of equal cells (CELL_WIDTH columns each, as many rows as
needed, at most MAX_ROWS), instead of Textual's Footer, which mounts one widget per
key and recomposes them all whenever the bindings may have changed (each focus
change, each screen switch). This one redraws only when what it shows changed, and
its small CSS is quick to parse at start-up.
"""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget

CELL_WIDTH = 16  # "^↓ Descendre" and the like, plus a space
MAX_ROWS = 5

# (key, key shown, description, enabled) of each cell
Cell = tuple[str, str, str, bool]

# Descriptions Textual gives the keys of its own widgets, shown in French.
TEXTUAL_DESCRIPTIONS = {
    "Dismiss menu": "Fermer",  # an open Select list
}


def french_description(binding: Binding) -> str:
    """What a key does: ours as written, Textual's own in French."""
    return TEXTUAL_DESCRIPTIONS.get(binding.description, binding.description)


class KeysFooter(Widget, can_focus=False):
    """The keys of the current screen and of the app, in a grid docked at the bottom."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"keys-footer--key", "keys-footer--description"}

    def __init__(self, **kwargs: Any) -> None:
        # show_command_palette / compact were Footer options: the grid is always compact
        kwargs.pop("show_command_palette", None)
        kwargs.pop("compact", None)
        super().__init__(**kwargs)
        self._cells: tuple[Cell, ...] = ()
        self._lines: list[Strip] | None = None  # rendered lines, until cells/size/style change

    # --- what to show ----------------------------------------------------------------

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._update_cells()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen: Any) -> None:
        if self.is_attached:
            self._update_cells()

    def _update_cells(self) -> None:
        """Read the active keys; repaint (and re-measure) only when they changed."""
        cells: list[Cell] = []
        seen: set[str] = set()
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            cells.append(
                (
                    binding.key,
                    self.app.get_key_display(binding),
                    french_description(binding),
                    enabled,
                )
            )
        new = tuple(cells)
        if new == self._cells:
            return
        rows_before = self._rows()
        self._cells = new
        self._lines = None
        self.refresh(layout=self._rows() != rows_before)

    def _columns(self, width: int | None = None) -> int:
        width = width or self.size.width or self.app.size.width or 80
        return max(1, width // CELL_WIDTH)

    def _rows(self, width: int | None = None) -> int:
        columns = self._columns(width)
        return min(MAX_ROWS, -(-len(self._cells) // columns))

    # --- drawing ---------------------------------------------------------------------

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self._rows(width)

    def on_resize(self, event: events.Resize) -> None:
        self._lines = None

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines = None

    def _cell_widths(self, width: int) -> list[int]:
        """Equal cells sharing the whole width (the first ones get the remainder)."""
        columns = self._columns(width)
        base, extra = divmod(width, columns)
        return [base + (1 if i < extra else 0) for i in range(columns)]

    def _render_lines(self, width: int) -> list[Strip]:
        key_style = self.get_component_rich_style("keys-footer--key", partial=True)
        description_style = self.get_component_rich_style("keys-footer--description", partial=True)
        base = self.rich_style
        dim = Style(dim=True)
        widths = self._cell_widths(width)
        columns = len(widths)
        lines: list[Strip] = []
        for row in range(self._rows(width)):
            text = Text(no_wrap=True, end="")
            for column, cell_width in enumerate(widths):
                index = row * columns + column
                if index >= len(self._cells):
                    text.append(" " * cell_width)
                    continue
                _key, shown, description, enabled = self._cells[index]
                cell = Text(no_wrap=True, end="")
                cell.append(shown, key_style)
                if description:
                    cell.append(" " + description, description_style)
                cell.truncate(cell_width - 1, pad=True)  # a blank column between keys
                if not enabled:
                    cell.stylize(dim)
                text.append_text(cell)
                text.append(" ")
            text.stylize_before(base)
            segments = list(text.render(self.app.console))
            lines.append(Strip(segments, width).crop_extend(0, width, base))
        return lines

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if self._lines is None or (self._lines and self._lines[0].cell_length != width):
            self._lines = self._render_lines(width)
        if 0 <= y < len(self._lines):
            return self._lines[y]
        return Strip([Segment(" " * width, self.rich_style)], width)

    # --- mouse (the app is keyboard-first; a click on a key presses it) ----------------

    def on_click(self, event: events.Click) -> None:
        widths = self._cell_widths(self.size.width)
        column, left = 0, 0
        for column, cell_width in enumerate(widths):  # noqa: B007
            if event.x < left + cell_width:
                break
            left += cell_width
        index = event.y * len(widths) + column
        if 0 <= index < len(self._cells):
            key, _shown, _description, enabled = self._cells[index]
            if enabled:
                self.app.simulate_key(key)
            else:
                self.app.bell()
