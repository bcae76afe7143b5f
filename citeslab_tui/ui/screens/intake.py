"""Quick intake (fiche de premier accueil): Ctrl+N from anywhere.

Page 1 asks what a first contact needs, page 2 the rest (F6 switches). While the
name, phone or birth date are typed, people already known who may be the same
show at the bottom; Ctrl+E opens the existing file instead. Ctrl+S saves the
person, the first interview, the sensitization stage and the queue entry in one
durable save, then opens the person's file; when known people still look the same at
that moment, one dialog asks first (open the existing file - the default - or create
anyway). Commune and QPV are chosen from the reference (widgets/picker.py). The form in progress is kept in a
draft file (`services.drafts`) about a second after each change, and offered
back the next time the intake opens (after a crash, a power cut...).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Checkbox, Input, Label, OptionList, Select
from textual.widgets.option_list import Option

from citeslab_tui.domain import text
from citeslab_tui.domain.errors import CitesLabError, ValidationError
from citeslab_tui.resources import style_file
from citeslab_tui.services import drafts, people, search
from citeslab_tui.ui.base import AppScreen
from citeslab_tui.ui.dialogs.person_form import PersonForm
from citeslab_tui.ui.widgets.footer import KeysFooter
from citeslab_tui.ui.widgets.picker import PickerInput, ReferencePicker

if TYPE_CHECKING:
    from citeslab_tui.ui.app import CitesLabApp

DRAFT_DELAY = 1.0  # seconds of calm before the draft is written
DUPLICATES_DELAY = 0.2  # seconds of calm before the people already known are looked up
DUPLICATE_KEYS = ("family_name", "first_name", "usage_name", "phone", "birth")


def split_arrival_name(name: str) -> dict[str, str]:
    """The name typed at arrival, as the hint shows it ("DIALLO Aïcha"): words in capitals
    are the family name, the rest the first name. "Yasmine" stays a first name."""
    words = name.split()
    family = [w for w in words if any(c.isalpha() for c in w) and w == w.upper() and len(w) > 1]
    if not family or len(family) == len(words):
        return {"first_name": name.strip()} if not family else {"family_name": name.strip()}
    first = [w for w in words if w not in family]
    return {"family_name": " ".join(family), "first_name": " ".join(first)}


class IntakeScreen(AppScreen[None]):
    """A newcomer's first-contact sheet; `queue_entry_id` links the arrival being seen."""

    HELP_TITLE = "Nouvel accueil"
    CSS_PATH = [str(style_file("intake.tcss")), str(style_file("forms.tcss"))]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Enregistrer", id="intake_save", priority=True),
        Binding("escape", "leave", "Annuler", id="intake_leave"),
        Binding("f6", "toggle_page", "Autre page", id="intake_page"),
        Binding("ctrl+e", "open_existing", "Déjà connu", id="intake_existing", priority=True),
        Binding(
            "f7",
            "show_notice",
            "Notice",
            id="intake_notice",
            tooltip="Afficher la notice d'information à lire ou remettre à la personne",
        ),
    ]

    def __init__(self, queue_entry_id: str | None = None, first_name: str = "") -> None:
        super().__init__()
        self.queue_entry_id = queue_entry_id
        self.first_name = first_name
        self.duplicates: list[search.Duplicate] = []
        self._draft_timer: Timer | None = None
        self._duplicates_timer: Timer | None = None
        self._loading = True  # set_values in progress: not a user change
        self._pending: dict[str, Any] | None = None  # the draft to write next
        self.saved = False

    def compose(self) -> ComposeResult:
        ws = self.ws
        today = self.today
        site = ws.settings.last_site or next(iter(ws.site_names()), "")
        yield Label(
            f"Nouvel accueil — {text.format_date(today)} · {site or 'site ?'} · {ws.repo.staff}",
            id="intake-title",
            markup=False,
        )
        yield PersonForm(
            ws,
            with_site=True,
            values={**split_arrival_name(self.first_name), "site": site},
            widget_id="intake-form",
            today=today,
        )
        with Vertical(id="intake-duplicates"):
            yield Label("Déjà connu ? Ctrl+E ouvre la fiche sélectionnée :", id="intake-dup-title")
            yield OptionList(id="intake-dup-list", compact=True)
        yield KeysFooter()

    @property
    def form(self) -> PersonForm:
        return self.query_one(PersonForm)

    def on_mount(self) -> None:
        self.data_dir = self.ws.data_dir  # the draft can still be written after quitting
        self.query_one("#intake-duplicates").display = False
        self.query_one("#intake-dup-list", OptionList).can_focus = True
        self.form.field("notice_given").focus()
        self.call_after_refresh(self._ready)
        self._build_index()

    def _ready(self) -> None:
        self._loading = False
        draft = drafts.load_draft(self.ws.data_dir)
        if draft:
            self.offer_draft(draft)

    # --- draft ---------------------------------------------------------------------------

    def offer_draft(self, draft: dict[str, Any]) -> None:
        from citeslab_tui.ui.dialogs.confirm import ConfirmDialog

        values = draft.get("values") or {}
        who = " ".join(
            str(values.get(k) or "") for k in ("first_name", "family_name") if values.get(k)
        )
        saved_at = str(draft.get("saved_at") or "")
        when = ""
        try:
            when = " du " + text.format_datetime(datetime.fromisoformat(saved_at).astimezone())
        except ValueError:
            pass
        question = f"Un accueil non enregistré{when} a été retrouvé"
        question += f" ({who})." if who else "."
        question += " Le reprendre ?"

        def answer(resume: bool | None) -> None:
            if resume:
                self.resume_draft(draft)
            else:
                drafts.delete_draft(self.ws.data_dir)

        self.app.push_screen(
            ConfirmDialog(question, yes="Reprendre", no="Effacer", safe=True), answer
        )

    def resume_draft(self, draft: dict[str, Any]) -> None:
        self._loading = True
        self.form.set_values(draft.get("values") or {})
        if draft.get("queue_entry_id") and not self.queue_entry_id:
            self.queue_entry_id = draft["queue_entry_id"]
        self.call_after_refresh(self._resumed)

    def _resumed(self) -> None:
        self._loading = False
        self.update_duplicates()
        self.notify("Accueil repris.", timeout=3)

    def draft_data(self) -> dict[str, Any]:
        return {
            "values": self.form.values(),
            "queue_entry_id": self.queue_entry_id,
            "saved_at": self.now().astimezone(UTC).isoformat(),
        }

    def write_draft(self) -> None:
        """Keep the form in progress on disk (owner-only file in the data folder)."""
        self._draft_timer = None
        if self.saved:
            return
        if self.query(PersonForm):  # still on screen (not quitting): the latest values
            self._pending = self.draft_data() if self.form.has_typed_data() else None
        try:
            if self._pending is not None:
                drafts.save_draft(self.data_dir, self._pending)
            else:  # everything typed was erased: nothing to resume
                drafts.delete_draft(self.data_dir)
        except CitesLabError as exc:
            self.notify(exc.message, title="Brouillon non enregistré", severity="warning")

    def on_unmount(self) -> None:
        """Quitting (Ctrl+Q) within a second of the last change: keep that change too."""
        if self._draft_timer is not None and not self.saved:
            self._draft_timer.stop()
            self.write_draft()

    def _changed(self, key: str | None) -> None:
        if self._loading or self.saved:
            return
        if key:
            self.form.set_error(key, "")
        # what the draft will hold (kept here: on quitting, the form is already gone)
        self._pending = self.draft_data() if self.form.has_typed_data() else None
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(DRAFT_DELAY, self.write_draft)
        if key in DUPLICATE_KEYS:  # once typing pauses: no search on every key typed
            if self._duplicates_timer is not None:
                self._duplicates_timer.stop()
            self._duplicates_timer = self.set_timer(DUPLICATES_DELAY, self.update_duplicates)

    @staticmethod
    def _key(widget: Any) -> str | None:
        if isinstance(widget, PickerInput):
            widget = widget.parent
        wid = getattr(widget, "id", None) or ""
        return wid[2:] if wid.startswith("f-") else None

    def on_input_changed(self, event: Input.Changed) -> None:
        self._changed(self._key(event.input))

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self._changed(self._key(event.checkbox))

    def on_select_changed(self, event: Select.Changed) -> None:
        self._changed(self._key(event.select))

    def on_reference_picker_changed(self, event: ReferencePicker.Changed) -> None:
        self._changed(self._key(event.picker))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def on_input_blurred(self, event: Input.Blurred) -> None:
        """Check the field being left (only it): its reason shows at once, nothing is lost."""
        key = self._key(event.input)
        if key is None or not event.value.strip():
            return
        reason = people.field_error(key, self.form.values(), self.ws.reference, today=self.today)
        self.form.set_error(key, reason)

    # --- duplicates ------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="search-index")
    def _build_index(self) -> None:
        search.index_for(self.ws.repo)
        self.app.call_from_thread(self.update_duplicates)

    def update_duplicates(self) -> None:
        if not self.is_attached:
            return
        index = search.index_if_built(self.ws.repo)
        if index is None:
            return
        index.refresh(self.ws.repo)
        values = self.form.values()
        try:
            _year, born = people.parse_birth(values.get("birth", ""), self.today)
        except ValidationError:
            born = None
        phone = values.get("phone", "")
        try:
            phone = text.parse_phone(phone) if phone.strip() else None
        except ValidationError:
            phone = None
        found = index.likely_duplicates(
            values.get("family_name", "") or values.get("usage_name", ""),
            values.get("first_name", ""),
            phone,
            born,
            limit=5,
        )
        self.duplicates = found
        box = self.query_one("#intake-duplicates")
        options = self.query_one("#intake-dup-list", OptionList)
        options.clear_options()
        for dup in found:
            line = f"{dup.hit.summary()} — {', '.join(dup.reasons)}"
            options.add_option(Option(Text(text.clean_text(line, 300)), id=dup.person_id))
        if found:
            options.highlighted = 0
        box.display = bool(found)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open_existing()

    def action_show_notice(self) -> None:
        from citeslab_tui.ui.dialogs.privacy_notice import NoticeDialog

        self.app.push_screen(NoticeDialog())

    def action_open_existing(self) -> None:
        if not self.duplicates:
            self.notify("Aucune personne déjà connue ne ressemble à cette saisie.", timeout=3)
            return
        options = self.query_one("#intake-dup-list", OptionList)
        index = options.highlighted or 0
        person_id = self.duplicates[min(index, len(self.duplicates) - 1)].person_id
        from citeslab_tui.ui.dialogs.confirm import ConfirmDialog

        def answer(yes: bool | None) -> None:
            if yes:
                self.open_existing(person_id)

        if self.form.has_typed_data():
            self.app.push_screen(
                ConfirmDialog(
                    "Ouvrir la fiche existante ? Cette saisie sera abandonnée.",
                    yes="Ouvrir la fiche",
                    no="Rester",
                    safe=False,
                ),
                answer,
            )
        else:
            self.open_existing(person_id)

    def open_existing(self, person_id: str) -> None:
        from citeslab_tui.ui.screens.person import PersonScreen

        entry_id = self.queue_entry_id
        if entry_id:
            linked = self.run_service(
                lambda: people.link_queue_entry(
                    self.ws, entry_id, person_id, now=self.now().astimezone(UTC)
                ),
                title="Enregistrement impossible",
            )
            if linked is None:
                return
        self._discard()
        self._replace_with(PersonScreen(person_id))

    # --- save / leave ------------------------------------------------------------------------

    def action_toggle_page(self) -> None:
        self.form.toggle_page()

    def action_save(self) -> None:
        """Check the form; when known people look the same, ask first (one dialog:
        open the existing file, the default, or create anyway); then save."""
        from citeslab_tui.ui.dialogs.duplicate_save import DuplicateSaveDialog

        values = self.form.values()
        values.pop("site", None)
        try:
            people.person_from_form(values, self.ws.reference, today=self.today)
        except people.FormErrors as exc:
            self.form.show_errors(exc.errors)
            self.notify(exc.message, title="Non enregistré", severity="error", timeout=6)
            return
        except CitesLabError:
            pass  # reported by the save itself
        if search.index_if_built(self.ws.repo) is None:
            search.index_for(self.ws.repo)  # the worker has not finished: build it now
        self.update_duplicates()
        if not self.duplicates:
            self._save()
            return

        def answer(choice: tuple[str, str | None] | None) -> None:
            if choice is None:
                return  # back to the form, everything typed kept
            kind, person_id = choice
            if kind == "open" and person_id:
                self.open_existing(person_id)
            elif kind == "create":
                self._save()

        self.app.push_screen(DuplicateSaveDialog(list(self.duplicates)), answer)

    def _save(self) -> None:
        from citeslab_tui.ui.screens.person import PersonScreen

        values = self.form.values()
        site = values.pop("site", "") or None
        result = self.run_service(
            lambda: people.create_person_with_intake(
                self.ws,
                values,
                site=site,
                today=self.today,
                now=self.now().astimezone(UTC),
                queue_entry_id=self.queue_entry_id,
            ),
            title="Enregistrement impossible",
            refused=self._refused,
        )
        if result is None:  # nothing saved, everything typed kept
            return
        self._discard()
        self.app.notify("Enregistré.", timeout=4)
        self._replace_with(PersonScreen(result.person.id))

    def _refused(self, exc: CitesLabError) -> None:
        if isinstance(exc, people.FormErrors):
            self.form.show_errors(exc.errors)
            self.notify(exc.message, title="Non enregistré", severity="error", timeout=6)
        else:
            self.app.show_message("Enregistrement impossible", exc.message)

    def _replace_with(self, screen: Screen[Any]) -> None:
        """Close the intake (the opener's callback runs, e.g. the queue refreshes), then
        show `screen` in its place."""
        app = self.app
        self.dismiss()
        app.push_screen(screen)

    def _discard(self) -> None:
        self.saved = True
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        drafts.delete_draft(self.data_dir)

    def action_leave(self) -> None:
        if not self.form.has_typed_data():
            self._discard()
            self.dismiss()
            return
        from citeslab_tui.ui.dialogs.confirm import ConfirmDialog

        def answer(yes: bool | None) -> None:
            if yes:
                self._discard()
                self.dismiss()

        self.app.push_screen(
            ConfirmDialog(
                "Abandonner cet accueil ? Les informations saisies seront perdues.",
                yes="Abandonner",
                no="Continuer la saisie",
                safe=False,
            ),
            answer,
        )


def offer_draft_at_start(app: CitesLabApp) -> bool:
    """At app start: if an intake was left unsaved (crash, power cut), open the intake,
    which offers to resume it. Returns True if it did. For app.py (data_loaded)."""
    ws = app.workspace
    if ws is None or drafts.load_draft(ws.data_dir) is None:
        return False
    app.push_screen(IntakeScreen())
    return True
