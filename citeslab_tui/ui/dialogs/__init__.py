"""Dialogs.

Every dialog that shows a `Select` lives here, so this is where the one English key
description Textual puts in the footer (the open list's "Dismiss menu") becomes French.
"""

from textual.binding import Binding
from textual.widgets._select import SelectOverlay


def _french_select_overlay() -> None:
    SelectOverlay.BINDINGS = [Binding("escape", "dismiss", "Fermer", id="select_dismiss_menu")]
    SelectOverlay._merged_bindings = SelectOverlay._merge_bindings()


_french_select_overlay()
