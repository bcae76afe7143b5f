"""A drop-down list (Select) that answers the letters typed while it is closed.

Textual's Select ignores a printable key until its list is open: the letters a
hurried user typed after a Tab landed on a list were lost without a sign. Here a
letter chooses the first entry whose name starts with the letters typed so far
(accents and case ignored; letters typed within a second add up: "mo" gives
"Monsieur"); a letter that matches nothing rings the bell. Space, Entrée, ↓ ↑ still
open the list.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from rich.console import RenderableType
from rich.text import Text
from textual import events
from textual.widgets import Select

from citeslab_tui.domain.text import fold

TYPED_RESET = 1.0  # seconds after which the letters typed start again


class LetterSelect(Select[Any]):
    """A Select whose closed list takes typed letters (see the module doc)."""

    def __init__(self, options: Iterable[tuple[RenderableType, Any]], **kwargs: Any) -> None:
        choices = list(options)
        super().__init__(choices, **kwargs)
        self.choices = choices
        self._typed = ""
        self._typed_at = 0.0

    def set_options(self, options: Iterable[tuple[RenderableType, Any]]) -> None:
        self.choices = list(options)
        super().set_options(self.choices)

    @staticmethod
    def _label(prompt: RenderableType) -> str:
        return prompt.plain if isinstance(prompt, Text) else str(prompt)

    def on_key(self, event: events.Key) -> None:
        character = event.character
        if self.expanded or not event.is_printable or not character or character == " ":
            return
        event.stop()
        event.prevent_default()
        now = time.monotonic()
        if now - self._typed_at > TYPED_RESET:
            self._typed = ""
        self._typed_at = now
        self._typed += character
        typed = fold(self._typed)
        for prompt, value in self.choices:
            if fold(self._label(prompt)).startswith(typed):
                self.value = value
                return
        self.app.bell()
