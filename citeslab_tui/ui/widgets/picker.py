"""A field chosen from a reference table (commune, QPV): type to filter, choose in a list.

The list under the field shows the entries whose name or an alias contains what is
typed, anywhere, accents and case ignored (`Matcher.search`, domain/places.py). Keys:
↓ ↑ move in the list, Tab or → accept the highlighted entry (Tab then goes to the next
field), Échap closes the list. A text typed in full that names exactly one entry needs
no key at all (Entrée goes on with it). Anything else is not a value: `value` then
gives the text as typed and the service refuses it in French ("free text is never
saved in these fields").

`value` is a token, what the form hands to services/people.py: an INSEE code or
`autre:<name>` for a commune, a QPV key, "hors QPV" or "" for a QPV; an older stored
value that the reference does not know is kept as it is until changed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

MAX_CHOICES = 30


class Choice(Protocol):
    """One entry of the list, as the services offer it (services/people/pickers.py: Offer)."""

    @property
    def token(self) -> str: ...  # the value stored when chosen

    @property
    def label(self) -> str: ...  # shown in the field once chosen

    @property
    def detail(self) -> str: ...  # shown after the label in the list only

    @property
    def default(self) -> bool: ...  # may be highlighted first (False: only chosen deliberately)


class PickerInput(Input):
    """The text part of a picker; its keys drive the list."""

    HELP_TITLE = "Commune et QPV (listes de l'accueil et de la fiche)"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "tab",
            "accept_and_next",
            "Choisir",
            id="picker_accept",
            tooltip="Choisir la ligne en surbrillance de la liste, puis passer au champ suivant",
        ),
        Binding(
            "down",
            "move(1)",
            "Liste",
            id="picker_down",
            tooltip="Ouvrir la liste, ou descendre d'une ligne",
        ),
        Binding(
            "up",
            "move(-1)",
            "Remonter",
            id="picker_up",
            show=False,
            tooltip="Remonter d'une ligne dans la liste",
        ),
        Binding(
            "right",
            "cursor_right",
            "Choisir",
            id="picker_right",
            show=False,
            tooltip="En fin de texte : choisir la ligne en surbrillance (sans changer de champ)",
        ),
    ]

    @property
    def picker(self) -> ReferencePicker:
        parent = self.parent
        assert isinstance(parent, ReferencePicker)
        return parent

    def action_accept_and_next(self) -> None:
        self.picker.accept_highlighted(only_if_unresolved=True)
        self.screen.focus_next()

    def action_move(self, step: int) -> None:
        self.picker.move(step)

    def action_cursor_right(self, select: bool = False) -> None:
        if not select and self.cursor_at_end and self.picker.accept_highlighted():
            return
        super().action_cursor_right(select)

    def on_key(self, event: events.Key) -> None:
        """Échap closes the open list; with no list open, Échap goes on to the screen
        (a key handler, not a binding: the footer keeps showing the screen's Échap)."""
        if event.key == "escape" and self.picker.is_open:
            event.stop()
            event.prevent_default()
            self.picker.close()


class ReferencePicker(Vertical):
    """An Input with a filtered list of reference entries under it (see module doc)."""

    @dataclass
    class Changed(Message):
        """The value (token) changed: typed, chosen or set."""

        picker: ReferencePicker
        value: str

        @property
        def control(self) -> ReferencePicker:
            return self.picker

    def __init__(
        self,
        *,
        choices: Callable[[str], Sequence[Choice]],
        resolve: Callable[[str], Choice | None],
        label_of: Callable[[str], str],
        value: str = "",
        placeholder: str = "",
        id: str | None = None,  # noqa: A002 - Textual's name
    ) -> None:
        """`choices(text)`: the entries to list for a typed text; `resolve(text)`: the
        entry a text names exactly (or None); `label_of(token)`: what a stored value shows."""
        super().__init__(id=id)
        self._choices_of = choices
        self._resolve = resolve
        self._label_of = label_of
        self._token = value
        self._shown = label_of(value) if value else ""
        self._choices: Sequence[Choice] = []
        self._setting = False
        self._moved = False  # ↓ ↑ used since the list opened: Tab takes that line
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        yield PickerInput(
            self._shown,
            placeholder=self.placeholder,
            compact=True,
            select_on_focus=False,
        )
        options = OptionList()
        options.can_focus = False
        yield options

    def focus(self, scroll_visible: bool = True) -> ReferencePicker:
        self.input.focus(scroll_visible)
        return self

    # --- value ---------------------------------------------------------------------------

    @property
    def input(self) -> PickerInput:
        return self.query_one(PickerInput)

    @property
    def text(self) -> str:
        return self.input.value

    @property
    def value(self) -> str:
        """The token: the chosen entry, or the one the text names exactly, else the text."""
        typed = self.input.value
        if typed == self._shown:
            return self._token
        found = self._resolve(typed)
        return found.token if found is not None else typed.strip()

    @value.setter
    def value(self, token: str) -> None:
        self.set_value(token)

    def set_value(self, token: str) -> None:
        """Show a stored value (a draft, the person's file)."""
        self._token = token or ""
        self._shown = self._label_of(self._token) if self._token else ""
        self._setting = True
        self.input.value = self._shown
        self.input.cursor_position = len(self._shown)
        self._setting = False
        self.close()
        self.post_message(self.Changed(self, self._token))

    def refresh_choices(self) -> None:
        """The context changed (the commune of a QPV picker): list again."""
        if self.is_open or self.input.has_focus:
            self._fill(self.input.value if self.input.value != self._shown else "")

    # --- list ----------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    @property
    def options(self) -> OptionList:
        return self.query_one(OptionList)

    def _fill(self, typed: str) -> None:
        self._choices = self._choices_of(typed)[:MAX_CHOICES]
        options = self.options
        options.clear_options()
        for choice in self._choices:
            prompt = Text(choice.label, no_wrap=True, overflow="ellipsis")
            if choice.detail:
                prompt.append(f" · {choice.detail}", style="dim")
            options.add_option(Option(prompt))
        first = next((i for i, c in enumerate(self._choices) if c.default), None)
        options.highlighted = first
        self._moved = False
        self.set_class(bool(self._choices) and self.input.has_focus, "-open")

    def close(self) -> None:
        self.remove_class("-open")

    def move(self, step: int) -> None:
        if not self.is_open:
            self._fill(self.input.value if self.input.value != self._shown else "")
            if self._choices and self.options.highlighted is None:
                self.options.highlighted = 0  # ↓ on a closed list: its first line
            self._moved = bool(self._choices)
            return
        options = self.options
        if not self._choices:
            return
        self._moved = True
        current = options.highlighted
        options.highlighted = (
            0 if current is None else max(0, min(len(self._choices) - 1, current + step))
        )

    def accept_highlighted(self, *, only_if_unresolved: bool = False) -> bool:
        """Choose the highlighted entry; False when there is none (or nothing to do)."""
        typed = self.input.value
        if only_if_unresolved and not self._moved:
            if typed == self._shown or not typed.strip():
                self.close()  # Tab through: what is there stays
                return False
            if self.show_exact():
                return True  # an exact name: shown as the reference spells it
        index = self.options.highlighted if self.is_open else None
        if index is None or index >= len(self._choices):
            self.close()
            return False
        self._choose(self._choices[index])
        return True

    def _choose(self, choice: Choice) -> None:
        self._token, self._shown = choice.token, choice.label
        self._setting = True
        self.input.value = choice.label
        self.input.cursor_position = len(choice.label)
        self._setting = False
        self.close()
        self.post_message(self.Changed(self, self._token))

    def show_exact(self) -> bool:
        """A text typed that names one entry exactly ("caen", "grand parc"): show that
        entry as the reference spells it (what was understood). False if none."""
        typed = self.input.value
        if typed == self._shown or not typed.strip():
            return False
        found = self._resolve(typed)
        if found is None:
            return False
        self._choose(found)
        return True

    # --- events --------------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._setting or (event.value == self._shown and not self.input.has_focus):
            return  # shown, not typed (the field is being built or filled)
        self._fill(event.value)
        self.post_message(self.Changed(self, self.value))

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self.input.cursor_position = len(self.input.value)  # back to editing at the end
        if self.input.value == self._shown and not self._shown:
            self._fill("")  # an empty field lists what there is (when the list is short)

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        self.show_exact()
        self.close()
        self.input.cursor_position = 0  # the start of a long name is what tells it

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.options.highlighted = event.option_index
        self.accept_highlighted()
        self.input.focus()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()


def token_of(widget: Any) -> str:
    """The value of a picker (for code that also handles plain inputs)."""
    return widget.value if isinstance(widget, ReferencePicker) else str(widget.value)
