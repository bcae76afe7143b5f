"""Every key of the app, read from the real BINDINGS (footer, help screen, palette, guide).

`GLOBAL_BINDINGS` are the app's own keys (shown on every screen); each screen declares
its keys in its `BINDINGS`. `all_bindings()` -> [(screen_title, key_display,
description, id)] for the global keys and every screen of `documented_screens()`, so
documentation can never disagree with the code.

This module imports no other module of the app at import time (the app, the help
screen and the docs tool import it; it imports the screens only inside
`documented_screens`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.binding import Binding, BindingType

# Key rows: (screen title, key as shown, description, binding id)
Row = tuple[str, str, str, str]

GLOBAL_TITLE = "Partout"
GLOBAL_BINDINGS: list[BindingType] = [
    # priority: F1 also works inside dialogs (modal screens hide non-priority app keys)
    Binding("f1", "help", "Aide", id="help", priority=True, tooltip="Aide : toutes les touches"),
    Binding(
        "f2",
        "show('permanence')",
        "Permanence",
        id="go_permanence",
        tooltip="Permanence du jour",
    ),
    Binding("f3", "show('tasks')", "Tâches", id="go_tasks", tooltip="Tâches de suivi"),
    Binding("f4", "show('bilan')", "Bilan", id="go_bilan", tooltip="Bilan d'activité"),
    Binding("f5", "show('sync')", "Synchro", id="go_sync", tooltip="Synchronisation"),
    Binding(
        "ctrl+n",
        "intake",
        "Accueil",
        id="intake",
        tooltip="Nouvel accueil (fiche de premier accueil)",
    ),
    Binding("ctrl+f", "find", "Rechercher", id="find", tooltip="Rechercher une personne"),
    Binding(
        "ctrl+t",
        "quick_task",
        "Tâche rapide",
        id="quick_task",
        tooltip="Noter une tâche rapide",
    ),
    Binding(
        "ctrl+o",
        "hide",
        "Masquer",
        id="hide",
        priority=True,
        tooltip="Masquer l'écran (confidentialité)",
    ),
    Binding(
        "ctrl+p",
        "command_palette",
        "Commandes",
        id="command_palette",
        priority=True,
        tooltip="Palette de commandes",
    ),
    Binding("ctrl+q", "quit", "Quitter", id="quit", priority=True, tooltip="Quitter"),
]

_NAMES = {
    "escape": "Échap",
    "enter": "Entrée",
    "tab": "Tab",
    "shift+tab": "Maj+Tab",
    "space": "Espace",
    "delete": "Suppr",
    "backspace": "Retour arrière",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "pageup": "Page préc.",
    "pagedown": "Page suiv.",
    "home": "Début",
    "end": "Fin",
}
_MODIFIERS = {"ctrl": "Ctrl", "shift": "Maj", "alt": "Alt"}


def key_display(binding: Binding, *, short: bool = False) -> str:
    """French display of a key: "Ctrl+↑", "Échap", "F1" ("^↑" when short, for the footer)."""
    if binding.key_display:
        return binding.key_display
    parts = binding.key.split("+")
    key = parts[-1]
    modifiers = parts[:-1]
    if key in _NAMES:
        shown = _NAMES[key]
    elif key.startswith("f") and key[1:].isdigit():
        shown = key.upper()
    elif len(key) == 1:
        shown = key.upper() if modifiers else key
    else:
        shown = key.capitalize()
    if short and modifiers == ["ctrl"]:
        return f"^{shown}"
    words = [_MODIFIERS.get(m, m.capitalize()) for m in modifiers]
    return "+".join([*words, shown])


def described(bindings: Iterable[BindingType]) -> list[Binding]:
    """The bindings, one per (key, action), expanded, without those shown nowhere."""
    found: list[Binding] = []
    seen: set[tuple[str, str]] = set()
    for binding in Binding.make_bindings(bindings):
        if (binding.key, binding.action) in seen or not binding.description:
            continue
        seen.add((binding.key, binding.action))
        found.append(binding)
    return found


def bindings_of(owner: Any) -> list[Binding]:
    """The bindings declared by a class (and its own-project bases), expanded, with an id."""
    declared: list[BindingType] = []
    for cls in reversed(getattr(owner, "__mro__", (type(owner),))):
        if cls.__module__.startswith("citeslab_tui"):
            declared += cls.__dict__.get("BINDINGS", [])
    return described(declared)


def screen_title(cls: Any) -> str:
    """The French title of a screen's keys in F1 (never a class name)."""
    return (
        getattr(cls, "HELP_TITLE", None)
        or getattr(cls, "TITLE_TEXT", None)  # the dialogs of dialogs/record.py
        or "Cette fenêtre"
    )


def binding_rows(bindings: Iterable[Binding], title: str, *, long: bool = False) -> list[Row]:
    """Rows of a list of bindings; `long` uses the binding's tooltip (longer French text)."""
    return [
        (title, key_display(b), (long and b.tooltip) or b.description, b.id or "") for b in bindings
    ]


def rows_for(cls: Any, title: str | None = None, *, long: bool = False) -> list[Row]:
    """Rows of one class (a screen, a dialog, a widget with keys)."""
    return binding_rows(bindings_of(cls), title or screen_title(cls), long=long)


def global_rows(*, long: bool = False) -> list[Row]:
    """Rows of the keys available everywhere."""
    return binding_rows(described(GLOBAL_BINDINGS), GLOBAL_TITLE, long=long)


def documented_screens() -> list[type[Any]]:
    """The screens whose keys the guide lists, in its order: the main screens (F2-F5),
    then those opened over them (intake, person's file) and the commune and QPV lists."""
    from citeslab_tui.ui.screens.bilan import BilanScreen
    from citeslab_tui.ui.screens.intake import IntakeScreen
    from citeslab_tui.ui.screens.permanence import PermanenceScreen
    from citeslab_tui.ui.screens.person import PersonScreen
    from citeslab_tui.ui.screens.sync import SyncScreen
    from citeslab_tui.ui.screens.tasks import TasksScreen
    from citeslab_tui.ui.widgets.picker import PickerInput

    return [
        PermanenceScreen,
        TasksScreen,
        BilanScreen,
        SyncScreen,
        IntakeScreen,
        PersonScreen,
        PickerInput,
    ]


def all_bindings() -> list[Row]:
    """[(screen_title, key_display, description, id)] for the app and every screen."""
    rows = global_rows()
    for cls in documented_screens():
        rows += rows_for(cls)
    return rows
