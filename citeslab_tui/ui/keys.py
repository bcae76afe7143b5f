"""Every key of the app, read from the real BINDINGS (help screen, user guide test).

`all_bindings()` -> [(screen_title, key_display, description, id)] for the app's
global keys, every screen of `app.SCREENS_BY_NAME`, the intake and person's file
screens, so documentation can never disagree with the code.
"""

from __future__ import annotations

from typing import Any

from textual.binding import Binding

# Screens listed besides SCREENS_BY_NAME (pushed, not switched to).
EXTRA_SCREENS: dict[str, str] = {
    "intake": "screens.intake:IntakeScreen",
    "person": "screens.person:PersonScreen",
    "picker": "widgets.picker:PickerInput",  # the commune and QPV lists
}

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


def bindings_of(owner: Any) -> list[Binding]:
    """The bindings declared by a class (and its own-project bases), expanded, with an id."""
    found: list[Binding] = []
    seen: set[tuple[str, str]] = set()
    for cls in reversed(getattr(owner, "__mro__", (type(owner),))):
        if not cls.__module__.startswith("citeslab_tui"):
            continue
        for binding in Binding.make_bindings(cls.__dict__.get("BINDINGS", [])):
            if (binding.key, binding.action) in seen or not binding.description:
                continue
            seen.add((binding.key, binding.action))
            found.append(binding)
    return found


def screen_title(cls: Any) -> str:
    return getattr(cls, "HELP_TITLE", None) or getattr(cls, "TITLE", None) or cls.__name__


def rows_for(
    cls: Any, title: str | None = None, *, long: bool = False
) -> list[tuple[str, str, str, str]]:
    """Rows of one class; `long` uses the binding's tooltip (longer French text) if any."""
    title = title or screen_title(cls)
    return [
        (title, key_display(b), (long and b.tooltip) or b.description, b.id or "")
        for b in bindings_of(cls)
    ]


def all_bindings() -> list[tuple[str, str, str, str]]:
    """[(screen_title, key_display, description, id)] for the app and every screen."""
    from citeslab_tui.ui.app import SCREENS_BY_NAME, CitesLabApp, load_class

    rows = rows_for(CitesLabApp, "Partout")
    for target in [*SCREENS_BY_NAME.values(), *EXTRA_SCREENS.values()]:
        try:
            cls = load_class(target)
        except (ImportError, AttributeError):
            continue  # a screen not written yet
        rows += rows_for(cls)
    return rows
