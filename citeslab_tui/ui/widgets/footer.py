"""A footer of at most two lines at 80 columns: the current screen's keys, then F1.

The keys of the app (F2-F5, Ctrl+N, Ctrl+F, Ctrl+Q...) work everywhere and are listed
by F1 (help) and Ctrl+P (palette): repeating them on every screen took four or five
of the 24 lines. The footer shows the keys of the screen (and of the focused widget)
in the order they are declared, each at its natural width, flowing on MAX_ROWS lines;
"F1 Aide" always shows, at the end. A key that does not fit is left out of the footer
(F1 lists it).

One widget drawing its lines itself, instead of Textual's Footer, which mounts one
widget per key and recomposes them all whenever the bindings may have changed (each
focus change, each screen switch). This one redraws only when what it shows changed,
and its small CSS is quick to parse at start-up.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import App
from textual.binding import Binding
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget

MAX_ROWS = 2
GAP = 2  # blank columns between two keys
ALWAYS_SHOWN = ("help",)  # the app's keys the footer shows (F1): the rest are in F1

# (key, key shown, description, enabled) of each cell
Cell = tuple[str, str, str, bool]
# a cell placed on a line: (index in the cells, first column, width)
Placed = tuple[int, int, int]

# Descriptions Textual gives the keys of its own widgets, shown in French.
TEXTUAL_DESCRIPTIONS = {
    "Dismiss menu": "Fermer",  # an open Select list
}


def french_description(binding: Binding) -> str:
    """What a key does: ours as written, Textual's own in French."""
    return TEXTUAL_DESCRIPTIONS.get(binding.description, binding.description)


def cell_width(cell: Cell) -> int:
    _key, shown, description, _enabled = cell
    return cell_len(shown) + (1 + cell_len(description) if description else 0)


def layout(cells: tuple[Cell, ...], width: int, rows: int = MAX_ROWS) -> list[list[Placed]]:
    """The cells flowed on at most `rows` lines of `width` columns, in order; the last
    cell (F1) is kept whatever happens; a cell that does not fit is left out."""
    if not cells or width <= 0:
        return []
    widths = [min(cell_width(c), width) for c in cells]
    last = len(cells) - 1
    lines: list[list[Placed]] = [[]]
    x = 0
    for index, w in enumerate(widths):
        while True:
            gap = GAP if lines[-1] else 0
            on_last_line = len(lines) == rows
            reserve = GAP + widths[last] if on_last_line and index != last else 0
            if x + gap + w + reserve <= width:
                lines[-1].append((index, x + gap, w))
                x += gap + w
                break
            if on_last_line or not lines[-1]:
                break  # left out of the footer (F1 lists it)
            lines.append([])
            x = 0
    return [line for line in lines if line]


class KeysFooter(Widget, can_focus=False):
    """The keys of the current screen, then F1, on at most two lines docked at the bottom."""

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
        always: list[Cell] = []
        seen: set[str] = set()
        for node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if not binding.show or binding.action in seen:
                continue
            is_global = isinstance(node, App)
            if is_global and binding.action not in ALWAYS_SHOWN:
                continue  # listed by F1 and the palette
            seen.add(binding.action)
            cell = (
                binding.key,
                self.app.get_key_display(binding),
                french_description(binding),
                enabled,
            )
            (always if is_global else cells).append(cell)
        new = tuple(cells + always)
        if new == self._cells:
            return
        rows_before = self._rows()
        self._cells = new
        self._lines = None
        self.refresh(layout=self._rows() != rows_before)

    def _rows(self, width: int | None = None) -> int:
        width = width or self.size.width or self.app.size.width or 80
        return len(layout(self._cells, width))

    # --- drawing ---------------------------------------------------------------------

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self._rows(width)

    def on_resize(self, event: events.Resize) -> None:
        self._lines = None

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines = None

    def _render_lines(self, width: int) -> list[Strip]:
        key_style = self.get_component_rich_style("keys-footer--key", partial=True)
        description_style = self.get_component_rich_style("keys-footer--description", partial=True)
        base = self.rich_style
        dim = Style(dim=True)
        lines: list[Strip] = []
        for placed in layout(self._cells, width):
            text = Text(no_wrap=True, end="")
            x = 0
            for index, start, w in placed:
                _key, shown, description, enabled = self._cells[index]
                text.append(" " * (start - x))
                cell = Text(no_wrap=True, end="")
                cell.append(shown, key_style)
                if description:
                    cell.append(" " + description, description_style)
                cell.truncate(w, overflow="ellipsis", pad=True)
                if not enabled:
                    cell.stylize(dim)
                text.append_text(cell)
                x = start + w
            text.stylize_before(base)
            segments = list(text.render(self.app.console))
            lines.append(Strip(segments).crop_extend(0, width, base))
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
        lines = layout(self._cells, self.size.width)
        if not 0 <= event.y < len(lines):
            return
        for index, start, w in lines[event.y]:
            if start <= event.x < start + w:
                key, _shown, _description, enabled = self._cells[index]
                if enabled:
                    self.app.simulate_key(key)
                else:
                    self.app.bell()
                return
