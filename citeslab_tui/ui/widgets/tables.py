"""A DataTable for long lists shown a page at a time: fixed column widths, one-line rows.

Textual's DataTable knows its scrollable size only when it next goes idle (it first
measures every new cell, for "auto" columns and rows), so the first paint of new rows
is followed by a second one. With fixed widths and one-line rows the size is known at
once: `size_now()` sets it right after the rows are added (one paint, not two).
"""

from __future__ import annotations

from typing import Any

from textual.geometry import Size
from textual.widgets import DataTable


class FixedTable(DataTable[Any]):
    """DataTable whose columns all have a width and whose rows are one line high."""

    def size_now(self) -> None:
        """Set the scrollable size now (rather than when idle): one paint, not two."""
        columns = list(self.columns.values())
        if any(column.auto_width for column in columns):
            return  # Textual measures the cells when idle
        if any(row.label is not None or row.height != 1 for row in self.rows.values()):
            return
        width = sum(column.get_render_width(self) for column in columns)
        header_height = self.header_height if self.show_header else 0
        self.virtual_size = Size(width, self.row_count + header_height)
