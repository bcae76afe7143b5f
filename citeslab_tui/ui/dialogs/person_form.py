"""Shared pieces of the person forms: the two-page identity form (quick intake, edit)
and an accent-insensitive completion.

Field order follows the intake sheet (DOMAIN.md); page 1 holds what a first contact
needs, page 2 the rest. Raw values go to `services.people` which validates them and
answers per field in French (`FormErrors`); the form shows each reason under its
field and keeps everything typed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.suggester import Suggester
from textual.widget import Widget
from textual.widgets import Checkbox, ContentSwitcher, Input, Label, Select

from citeslab_tui.domain.models import Approach, Civility
from citeslab_tui.domain.text import fold
from citeslab_tui.services import people
from citeslab_tui.services.people import FORM_FIELDS
from citeslab_tui.services.workspace import Workspace
from citeslab_tui.ui.widgets.choice import LetterSelect
from citeslab_tui.ui.widgets.picker import ReferencePicker


class FoldSuggester(Suggester):
    """Completes with the first choice whose folded form starts with the folded input
    ("herou" -> "Hérouville-Saint-Clair"); Tab or → accepts it (SuggestInput)."""

    def __init__(self, choices: Iterable[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.choices = [(fold(c), c) for c in choices if c]

    async def get_suggestion(self, value: str) -> str | None:
        key = fold(value)
        if not key:
            return None
        for folded, choice in self.choices:
            if folded.startswith(key) and choice != value:
                return choice
        return None


# The minimal intake types its way down page 1 (docs/guide.md): the notice, the names and
# the commune first (Entrée goes to the next field), every optional field after them.
class SuggestInput(Input):
    """An Input with a suggester: Tab takes the suggestion shown (as → does at the end
    of the text), then goes to the next field; with no suggestion Tab just goes on."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "tab",
            "accept_and_next",
            "Compléter",
            id="suggest_accept",
            show=False,
            tooltip="Prendre la suggestion affichée en grisé, puis passer au champ suivant",
        ),
    ]

    def action_accept_and_next(self) -> None:
        if self.value and self.cursor_at_end:
            self.action_cursor_right()  # Textual's own way to take the suggestion
        self.screen.focus_next()


class NoticeCheckbox(Checkbox):
    """ "Notice d'information remise": Espace ticks it and goes on to the family name
    (the minimal intake: the name is typed right after); unticking stays here."""

    def action_toggle_button(self) -> None:
        super().action_toggle_button()
        if self.value:
            self.screen.focus_next()  # now, before the next key typed is handled


PAGE_1 = (
    "notice_given",
    "family_name",
    "first_name",
    "commune",
    "qpv",
    "qpv_checked",
    "civility",
    "birth",
    "phone",
    "email",
    "project_idea",
    "approach",
)
PAGE_2 = (
    "site",
    "usage_name",
    "situation",
    "training_level",
    "sector",
    "heard_from",
    "next_step",
    "notes",
)
CHECKBOXES = ("notice_given", "qpv_checked")
PICKERS = ("commune", "qpv")  # chosen from the reference, never free text
SELECTS = ("civility", "approach", "situation", "training_level", "heard_from")
ALWAYS_CHOSEN = ("civility", "approach")  # lists with no blank choice (a default instead)
# each field's title and help text: the model's (services/people/form.py)
LABELS = {key: field.label for key, field in FORM_FIELDS.items()}
PLACEHOLDERS = {key: field.help for key, field in FORM_FIELDS.items() if field.help}


class PersonForm(Vertical):
    """The identity form on two pages (F6 switches). `values()` gives raw values."""

    def __init__(
        self,
        ws: Workspace,
        *,
        with_site: bool = False,
        with_notes: bool = False,
        values: dict[str, Any] | None = None,
        widget_id: str | None = None,
        today: date,
    ) -> None:
        super().__init__(id=widget_id)
        self.ws = ws
        self.today = today  # the QPV map offered is the one in force
        self.page_1 = PAGE_1
        self.page_2 = tuple(
            k for k in PAGE_2 if (k != "site" or with_site) and (k != "notes" or with_notes)
        )
        self.initial = values or {}
        self.page = 1

    # --- building --------------------------------------------------------------------

    def _options(self, key: str) -> list[tuple[str, str]]:
        ref = self.ws.reference
        if key == "civility":
            return [(c.label, c.value) for c in Civility]
        if key == "approach":
            return [(a.label, a.value) for a in Approach]
        names = list(ref.names(FORM_FIELDS[key].table))
        current = self.initial.get(key) or ""
        if current and current not in names:
            names.append(current)
        return [(name, name) for name in names]

    def _picker(self, key: str, value: str) -> ReferencePicker:
        places = self.ws.reference.places
        if key == "commune":
            return ReferencePicker(
                choices=lambda typed: people.commune_offers(places, typed),
                resolve=lambda typed: people.commune_exact(places, typed),
                label_of=lambda token: people.commune_label(places, token),
                value=value,
                placeholder=PLACEHOLDERS[key],
                id=f"f-{key}",
            )

        def commune() -> str:
            try:
                return self.value("commune")
            except Exception:  # noqa: BLE001 - not composed yet: no commune chosen
                return str(self.initial.get("commune") or "")

        return ReferencePicker(
            choices=lambda typed: people.qpv_offers(places, commune(), typed, self.today),
            resolve=lambda typed: people.qpv_exact(places, commune(), typed, self.today),
            label_of=lambda token: people.qpv_label(places, token, self.today),
            value=value,
            placeholder=PLACEHOLDERS[key],
            id=f"f-{key}",
        )

    def on_reference_picker_changed(self, event: ReferencePicker.Changed) -> None:
        if event.picker.id == "f-commune" and self.query("#f-qpv"):
            self.query_one("#f-qpv", ReferencePicker).refresh_choices()

    def _suggestions(self, key: str) -> list[str]:
        ref = self.ws.reference
        if key == "sector":
            return ref.names("sectors")
        if key == "site":
            return self.ws.site_names()
        return []

    def _field(self, key: str) -> Widget:
        wid = f"f-{key}"
        value = self.initial.get(key)
        if key == "notice_given":
            return NoticeCheckbox("oui", bool(value), id=wid, compact=True)
        if key in CHECKBOXES:
            return Checkbox("oui", bool(value), id=wid, compact=True)
        if key in PICKERS:
            return self._picker(key, str(value or ""))
        if key in SELECTS:
            default = (
                Civility.UNSPECIFIED.value
                if key == "civility"
                else Approach.UNKNOWN.value
                if key == "approach"
                else None
            )
            chosen = value or default
            return LetterSelect(
                self._options(key),
                prompt="(choisir)",
                value=chosen if chosen else Select.NULL,
                allow_blank=key not in ALWAYS_CHOSEN,
                id=wid,
                compact=True,
            )
        suggestions = self._suggestions(key)
        return (SuggestInput if suggestions else Input)(
            str(value or ""),
            placeholder=PLACEHOLDERS.get(key, ""),
            suggester=FoldSuggester(suggestions) if suggestions else None,
            id=wid,
            compact=True,
            select_on_focus=False,
        )

    def _rows(self, keys: tuple[str, ...]) -> ComposeResult:
        for key in keys:
            with Horizontal(classes="form-row"):
                yield Label(LABELS[key], classes="form-label")
                yield self._field(key)
            yield Label("", id=f"e-{key}", classes="form-error", markup=False)

    def compose(self) -> ComposeResult:
        yield Label(self._page_title(), id="form-page-title")
        with ContentSwitcher(initial="form-page-1"):
            with VerticalScroll(id="form-page-1"):
                yield from self._rows(self.page_1)
            with VerticalScroll(id="form-page-2"):
                yield from self._rows(self.page_2)

    def _page_title(self) -> str:
        hint = " · Tab : accepter la suggestion"  # the commune, the QPV, the site...
        if self.page == 1:
            return "Page 1/2 : premier contact — F6 : compléments" + hint
        return "Page 2/2 : compléments — F6 : premier contact" + hint

    # --- pages -------------------------------------------------------------------------

    def show_page(self, page: int, *, focus: bool = True) -> None:
        self.page = page
        self.query_one(ContentSwitcher).current = f"form-page-{page}"
        self.query_one("#form-page-title", Label).update(self._page_title())
        if focus:
            keys = self.page_1 if page == 1 else self.page_2
            self.field(keys[0]).focus()

    def toggle_page(self) -> None:
        self.show_page(2 if self.page == 1 else 1)

    def page_of(self, key: str) -> int:
        return 1 if key in self.page_1 else 2

    # --- values ------------------------------------------------------------------------

    @property
    def keys(self) -> tuple[str, ...]:
        return self.page_1 + self.page_2

    def field(self, key: str) -> Widget:
        return self.query_one(f"#f-{key}")

    def value(self, key: str) -> Any:
        widget = self.field(key)
        if isinstance(widget, Checkbox):
            return widget.value
        if isinstance(widget, Select):
            return "" if widget.value is Select.NULL else str(widget.value)
        if isinstance(widget, ReferencePicker):
            return widget.value
        assert isinstance(widget, Input)
        return widget.value

    def values(self) -> dict[str, Any]:
        return {key: self.value(key) for key in self.keys}

    def set_values(self, values: dict[str, Any]) -> None:
        for key, value in values.items():
            if key not in self.keys:
                continue
            widget = self.field(key)
            if isinstance(widget, Checkbox):
                widget.value = bool(value)
            elif isinstance(widget, Select):
                options = {v for _label, v in self._options(key)}
                if value in options:
                    widget.value = value
                elif not value and key not in ALWAYS_CHOSEN:
                    widget.clear()
            elif isinstance(widget, ReferencePicker):
                widget.set_value(str(value or ""))
            elif isinstance(widget, Input):
                widget.value = str(value or "")

    def has_typed_data(self) -> bool:
        """Anything typed that would be lost (defaults of the selects do not count)."""
        for key in self.keys:
            value = self.value(key)
            if key in ("civility", "approach", "site"):
                continue
            if value:
                return True
        return self.value("civility") not in ("", Civility.UNSPECIFIED.value)

    # --- errors -------------------------------------------------------------------------

    def show_errors(self, errors: dict[str, str]) -> str | None:
        """Show each reason under its field; return the first invalid field (form order)."""
        for key in self.keys:
            self.set_error(key, errors.get(key, ""))
        first = next((k for k in self.keys if k in errors), None)
        if first is not None:
            self.show_page(self.page_of(first), focus=False)
            self.field(first).focus()
        return first

    def set_error(self, key: str, message: str) -> None:
        try:
            label = self.query_one(f"#e-{key}", Label)
        except Exception:
            return
        label.update(message)
        label.set_class(bool(message), "-shown")

    def error(self, key: str) -> str:
        label = self.query_one(f"#e-{key}", Label)
        return str(label.content) if label.has_class("-shown") else ""
