"""A DataTable for long lists shown a page at a time: fixed column widths, one-line rows.

Textual's DataTable measures every cell it is given (to size "auto" columns and
rows) when it next goes idle, and only then knows its scrollable size, so the first
paint of new rows is followed by a second one. With fixed widths and heights there
is nothing to measure: `FixedTable` computes its size at once, without measuring.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from textual.geometry import Size
from textual.widgets import DataTable

if TYPE_CHECKING:
    from textual.widgets.data_table import RowKey


class FixedTable(DataTable[Any]):
    """DataTable whose columns all have a width and whose rows are one line high."""

    def _fixed(self) -> bool:
        return not any(column.auto_width for column in self.columns.values()) and not (
            self._labelled_row_exists
        )

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        if not self._fixed() or any(
            (row := self.rows.get(key)) is not None and (row.auto_height or row.label is not None)
            for key in new_rows
        ):
            super()._update_dimensions(new_rows)
            return
        width = sum(column.get_render_width(self) for column in self.columns.values())
        header_height = self.header_height if self.show_header else 0
        self.virtual_size = Size(
            width + self._row_label_column_width, self._total_row_height + header_height
        )

    def size_now(self) -> None:
        """Set the scrollable size now (rather than when idle): one paint, not two."""
        if self._fixed():
            self._update_dimensions(self._new_rows)
