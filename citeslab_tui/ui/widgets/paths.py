"""A field for a file path typed with completion (the identity file on a USB stick).

As the person types, the first matching name of the folder typed so far is shown
after the cursor (dimmed); Tab or → takes it (a folder gets its "/" so the next name
can follow), Tab on a complete name goes to the next field. Only the names of one
folder are listed, on demand (nothing is read at start), hidden files last.
"""

from __future__ import annotations

import os
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.suggester import Suggester
from textual.widgets import Input

MAX_NAMES = 500  # a stick's root rarely has more; never list a huge folder whole


def complete_path(typed: str) -> str | None:
    """The first name of the typed folder that starts with the typed end (accents kept,
    case ignored); the whole path as typed plus the rest of that name, or None."""
    if not typed or typed.lstrip().startswith("{"):
        return None  # pasted text, not a path
    expanded = os.path.expanduser(typed)
    folder, start = os.path.split(expanded)
    found: list[tuple[bool, str, str, bool]] = []  # hidden last, then by name
    try:
        with os.scandir(folder or ".") as entries:
            for n, entry in enumerate(entries):
                if n >= MAX_NAMES:
                    break
                if not entry.name.casefold().startswith(start.casefold()):
                    continue
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                found.append(
                    (entry.name.startswith("."), entry.name.casefold(), entry.name, is_dir)
                )
    except OSError:
        return None
    if not found:
        return None
    _, _, name, is_dir = min(found)
    if name == start and not is_dir:
        return None  # already complete
    completed = typed[: len(typed) - len(start)] + name + ("/" if is_dir else "")
    return completed if completed != typed else None


class PathSuggester(Suggester):
    """Suggests the completion of a path (no cache: the stick's content changes)."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        return complete_path(value)


class PathInput(Input):
    """An Input with path completion; Tab takes the suggestion shown, if any."""

    HELP_TITLE = "Chemin d'un fichier"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "tab",
            "complete_or_next",
            "Compléter",
            id="path_complete",
            tooltip="Compléter le nom proposé, ou passer au champ suivant",
        ),
    ]

    def __init__(
        self, value: str = "", *, placeholder: str = "", field_id: str | None = None
    ) -> None:
        super().__init__(
            value,
            placeholder=placeholder,
            id=field_id,
            compact=True,
            suggester=PathSuggester(),
            select_on_focus=False,  # a folder given beforehand is completed, not replaced
        )

    def action_complete_or_next(self) -> None:
        suggestion = complete_path(self.value)
        if suggestion and self.cursor_at_end:
            self.value = suggestion
            self.cursor_position = len(self.value)
        else:
            self.screen.focus_next()
