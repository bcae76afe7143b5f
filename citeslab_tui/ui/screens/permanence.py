"""Today's permanence (start screen): the queue of arrivals at the current site.

The frame shows at once; the queue fills when the app's `data_ready` turns true (the
data folder is open and set up). Every change goes through `services.queue` (one
durable save each). The clock is the app's `now()` (injectable in tests); waiting
times refresh every 30 seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Label

from citeslab_tui.ui.base import AppScreen
from citeslab_tui.ui.widgets.footer import KeysFooter
from citeslab_tui.ui.widgets.tables import FixedTable

if TYPE_CHECKING:
    from citeslab_tui.services import queue as queue_service
    from citeslab_tui.services.queue import QueueRow

DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
# (column key, title, width): 79 columns with the scrollbar, for 80x24 terminals
COLUMNS = (
    ("arrival", "Arrivée", 8),
    ("name", "Nom", 17),
    ("reason", "Motif", 16),
    ("rdv", "RDV", 10),
    ("status", "Statut", 21),
    ("wait", "Attente", 7),
)
STATUS_STYLES = {
    "waiting": "bold",
    "in_interview": "bold reverse",
    "seen": "dim",
    "left": "dim italic",
    "redirected": "dim",
}


SCREEN_ACTIONS = frozenset(
    {
        "add_arrival",
        "start_interview",
        "mark",
        "redirect",
        "appointment_arrived",
        "move",
        "change_site",
        "close_session",
    }
)


def day_title(day: date, site: str) -> str:
    site_part = site or "site non choisi (touche s)"
    return f"Permanence du {DAYS[day.weekday()]} {day:%d/%m/%Y} — {site_part}"


def fit(value: str, width: int) -> str:
    """Cut a cell to its column (the table would otherwise hide the end silently)."""
    return value if len(value) < width else value[: width - 2] + "…"


class PermanenceScreen(AppScreen[None]):
    """Arrivals of the day at one site, and the appointments expected there."""

    HELP_TITLE = "Permanence du jour"
    # its style, permanence.tcss, is read with the app's (the first screen: see app.py)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add_arrival", "Arrivée", id="perm_arrival", tooltip="Ajouter une arrivée"),
        Binding(
            "e",
            "start_interview",
            "Entretien",
            id="perm_interview",
            tooltip="Commencer l'entretien (fiche de la personne ou nouvel accueil)",
        ),
        Binding("r", "mark('seen')", "Reçu", id="perm_seen", tooltip="Marquer reçu"),
        Binding(
            "p", "mark('left')", "Parti", id="perm_left", tooltip="Marquer parti sans être reçu"
        ),
        Binding(
            "o",
            "redirect",
            "Réorienté",
            id="perm_redirected",
            tooltip="Réorienté vers un partenaire (orientation notée sur sa fiche)",
        ),
        Binding(
            "v",
            "appointment_arrived",
            "RDV arrivé",
            id="perm_appointment",
            tooltip="La personne attendue en rendez-vous est arrivée",
        ),
        Binding("ctrl+up", "move(-1)", "Monter", id="perm_up", tooltip="Monter dans la file"),
        Binding(
            "ctrl+down", "move(1)", "Descendre", id="perm_down", tooltip="Descendre dans la file"
        ),
        Binding("s", "change_site", "Site", id="perm_site", tooltip="Changer de site"),
        Binding(
            "c",
            "close_session",
            "Clôturer",
            id="perm_close",
            tooltip="Clôturer la permanence (rappels pour les personnes non reçues)",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.site = ""
        self.day: date | None = None
        self.rows: dict[str, Any] = {}  # row key -> services.queue.QueueRow
        self.entries: dict[str, Any] = {}  # entry id -> QueueEntry (for the live wait)

    # --- frame ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Label("Permanence du jour — ouverture des données…", id="perm-title", markup=False)
        table = FixedTable(id="queue", cursor_type="row", cell_padding=0)
        for key, title, width in COLUMNS:
            table.add_column(Text(title), key=key, width=width)  # no markup parse
        yield table
        yield Label("", id="perm-status", markup=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.set_interval(30, self.tick)
        self.watch(self.app, "data_ready", self.data_ready_changed)

    def data_ready_changed(self, ready: bool) -> None:
        if ready:
            self.load()
            self.refresh_bindings()  # the keys acting on the queue are available now

    def on_screen_resume(self) -> None:
        if self.has_data and self.site:
            self.refresh_rows()

    def load(self) -> None:
        """The data is open: show the site's queue."""
        from citeslab_tui.services import queue

        self.site = queue.current_site(self.ws)
        self.refresh_rows()
        self.query_one(DataTable).focus()

    # --- showing -----------------------------------------------------------------

    def table(self) -> FixedTable:
        return self.query_one("#queue", FixedTable)

    def widths(self, rows: Sequence[QueueRow] = ()) -> dict[str, int]:
        """Column widths: the reason, appointment and status columns as wide as what they
        show today (at most their COLUMNS width); the name column takes the rest of the
        screen (one column for the scrollbar), never less than its COLUMNS width."""
        widths = {key: width for key, _title, width in COLUMNS}
        titles = {key: title for key, title, _width in COLUMNS}
        shown = {
            "reason": [r.reason for r in rows],
            "rdv": [r.appointment for r in rows],
            "status": [r.status for r in rows],
        }
        for key, values in shown.items():
            longest = max([len(titles[key]), *(len(v) for v in values)])
            widths[key] = min(widths[key], longest + 1)
        screen_width = self.size.width or self.app.size.width or 80
        rest = screen_width - 1 - sum(w for k, w in widths.items() if k != "name")
        widths["name"] = max(widths["name"], min(rest, widths["name"] + 40))
        return widths

    def on_resize(self) -> None:
        if self.has_data and self.day is not None:
            self.refresh_rows()

    def refresh_rows(self, select: str | None = None) -> None:
        from citeslab_tui.services import queue

        if not self.has_data:
            return
        now = self.now()
        self.day = now.date()
        self.query_one("#perm-title", Label).update(day_title(self.day, self.site))
        table = self.table()
        current = select or self.selected_key()
        day, site = self.day, self.site
        # through run_service: a kind read for the first time may turn out damaged
        found = self.run_service(
            lambda: (queue.queue_rows(self.ws, day, site, now), queue.entries(self.ws, day, site))
        )
        if found is None:
            return
        rows, entries = found
        self.rows = {row.key: row for row in rows}
        self.entries = {e.id: e for e in entries}
        table.clear()
        widths = self.widths(rows)
        for key, column in table.columns.items():
            column.width = widths[str(key.value)]
        for row in rows:
            style = "italic" if row.expected else STATUS_STYLES.get(row.status_value, "")
            if row.late:
                style = "bold red"
            values = (row.arrival, row.name, row.reason, row.appointment, row.status, row.wait)
            cells = [
                Text(fit(value, widths[key]), style=style if key in ("name", "status") else "")
                for value, (key, _title, _width) in zip(values, COLUMNS, strict=True)
            ]
            table.add_row(*cells, key=row.key)
        table.size_now()  # fixed widths: sized at once, painted once
        if current in self.rows:
            table.move_cursor(row=table.get_row_index(current))
        waiting = sum(1 for r in rows if r.status_value == "waiting")
        expected = sum(1 for r in rows if r.expected)
        if not rows:
            status = "Personne pour l'instant. a : ajouter une arrivée."
        else:
            status = f"{waiting} en attente"
            if expected:
                status += f" · {expected} rendez-vous attendu{'s' if expected > 1 else ''}"
            late = sum(1 for r in rows if r.late)
            if late:
                status += f" dont {late} en retard"
        self.query_one("#perm-status", Label).update(status)

    def tick(self) -> None:
        """Every 30 s: only the waiting times of people still waiting change."""
        from citeslab_tui.services import queue

        if not self.has_data or self.day is None:
            return
        if self.today != self.day:
            self.refresh_rows()  # midnight passed
            return
        table = self.table()
        now = self.now()
        if any(
            r.expected and not r.late and r.due_at and r.due_at < now for r in self.rows.values()
        ):
            self.refresh_rows()  # an appointment's time just passed: shown late
            return
        for entry_id, entry in self.entries.items():
            if entry.status.value == "waiting" and entry_id in self.rows:
                wait = queue.format_wait(queue.waiting_time(entry, now))
                table.update_cell(entry_id, "wait", Text(wait))

    def selected_key(self) -> str | None:
        table = self.table()
        if table.row_count == 0:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        except Exception:
            return None
        return key.value

    def selected_row(self) -> Any | None:
        key = self.selected_key()
        return self.rows.get(key) if key else None

    # --- acting --------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in SCREEN_ACTIONS and not self.has_data:
            return None  # shown dimmed until the data is open
        return True

    def need_entry(self) -> Any | None:
        """The selected arrival (not an expected appointment), or a French hint."""
        row = self.selected_row()
        if row is None:
            self.app.notify("Aucune ligne sélectionnée.", severity="warning", timeout=3)
            return None
        if row.expected:
            self.app.notify(
                "Rendez-vous pas encore arrivé : appuyez d'abord sur v (RDV arrivé).",
                severity="warning",
                timeout=4,
            )
            return None
        return row

    @work(exclusive=True, group="perm-dialog")
    async def action_add_arrival(self) -> None:
        from citeslab_tui.services import queue
        from citeslab_tui.ui.dialogs.arrival import ArrivalDialog

        result = await self.app.push_screen_wait(ArrivalDialog())
        if result is None:
            return
        entry = self.run_service(
            lambda: queue.add_arrival(
                self.ws,
                day=self.today,
                site=self.site,
                now=self.now(),
                name=result.name,
                person_id=result.person_id,
                reason=result.reason,
            ),
            success="Arrivée enregistrée.",
        )
        if entry is not None:
            self.refresh_rows(select=entry.id)

    def action_start_interview(self) -> None:
        from citeslab_tui.services import queue

        row = self.need_entry()
        if row is None:
            return
        if row.status_value != "in_interview":
            entry = self.run_service(
                lambda: queue.start_interview(self.ws, row.key, now=self.now())
            )
            if entry is None:
                return
            self.refresh_rows(select=row.key)
        else:
            entry = self.entries.get(row.key)
        self.open_interview(row.key, row.person_id, entry.display_name if entry else "")

    def open_interview(self, entry_id: str, person_id: str | None, first_name: str) -> None:
        from citeslab_tui.ui.screens.intake import IntakeScreen
        from citeslab_tui.ui.screens.person import PersonScreen

        screen: Screen[None]
        if person_id:
            screen = PersonScreen(person_id)
        else:
            screen = IntakeScreen(queue_entry_id=entry_id, first_name=first_name)
        self.app.push_screen(screen, lambda _result: self.refresh_rows())

    def action_mark(self, status: str) -> None:
        from citeslab_tui.domain.models import QueueStatus
        from citeslab_tui.services import queue

        row = self.need_entry()
        if row is None:
            return
        value = QueueStatus(status)
        entry = self.run_service(
            lambda: queue.set_status(self.ws, row.key, value, now=self.now()),
            success=f"{row.name} : {value.label}.",
        )
        if entry is not None:
            self.refresh_rows(select=row.key)

    def action_redirect(self) -> None:
        """`o`: ask for the partner (suggestions from the reference), then record the
        orientation and mark the row "Réorienté" together."""
        from citeslab_tui.services import people
        from citeslab_tui.ui.dialogs.orientation import OrientationDialog

        row = self.need_entry()
        if row is None:
            return
        ws = self.ws
        if not row.person_id:
            self._redirect_without_file(row)
            return
        entry = self.run_service(
            lambda: people.check_redirect(ws, row.key), title="Réorientation impossible"
        )
        if entry is None or entry.person_id is None:
            return
        now = self.now()

        def submit(values: dict[str, Any]) -> object:
            on, notes = values["on"], values["notes"]
            partner = values["partner"]
            return people.redirect_queue_entry(
                ws, row.key, partner, on=on, notes=notes, today=self.today, now=now
            )

        def done(saved: bool | None) -> None:
            if saved:
                self.app.notify(f"{row.name} : Réorienté.", timeout=3, markup=False)
            self.refresh_rows(select=row.key)

        title = f"Réorienter {row.name} vers…"
        self.app.push_screen(OrientationDialog(entry.person_id, submit, title=title), done)

    def _redirect_without_file(self, row: queue_service.QueueRow) -> None:
        """No file: no orientation can be recorded (the bilan counts people); the row
        may still be marked, once the person was told so."""
        from citeslab_tui.ui.dialogs.confirm import ConfirmDialog

        def answer(mark: bool | None) -> None:
            if mark:
                self.action_mark("redirected")

        question = (
            f"« {row.name} » n'a pas de fiche : l'orientation ne peut pas être notée "
            "(le bilan compte les personnes ; pour la noter, faites son accueil avec e, "
            "puis Ctrl+R sur sa fiche). Marquer seulement « Réorienté » ?"
        )
        self.app.push_screen(ConfirmDialog(question, "Marquer réorienté", "Annuler"), answer)

    def action_appointment_arrived(self) -> None:
        from citeslab_tui.services import queue

        row = self.selected_row()
        if row is None or not row.expected:
            self.app.notify(
                "Choisissez une ligne « Attendu » (rendez-vous du jour).",
                severity="warning",
                timeout=3,
            )
            return
        task_id = row.key.removeprefix("task:")
        entry = self.run_service(
            lambda: queue.arrive_appointment(
                self.ws, task_id, day=self.today, site=self.site, now=self.now()
            ),
            success="Arrivée enregistrée.",
        )
        if entry is not None:
            self.refresh_rows(select=entry.id)

    def action_move(self, step: int) -> None:
        from citeslab_tui.services import queue

        row = self.need_entry()
        if row is None:
            return
        if self.run_service(lambda: queue.move(self.ws, row.key, step)):
            self.refresh_rows(select=row.key)

    @work(exclusive=True, group="perm-dialog")
    async def action_change_site(self) -> None:
        from citeslab_tui.services import queue
        from citeslab_tui.ui.dialogs.site import SiteDialog

        site = await self.app.push_screen_wait(SiteDialog(self.ws.site_names(), self.site))
        if not site or site == self.site:
            return

        def remember() -> str:
            queue.set_site(self.ws, site)
            return site

        if self.run_service(remember, success=f"Site : {site}.") is not None:
            self.site = site
            self.refresh_rows()

    @work(exclusive=True, group="perm-dialog")
    async def action_close_session(self) -> None:
        from citeslab_tui.domain.text import format_date
        from citeslab_tui.services import queue
        from citeslab_tui.ui.dialogs.confirm import ConfirmDialog

        if not await self.app.push_screen_wait(
            ConfirmDialog(
                "Clôturer la permanence ? Les personnes en entretien ou reçues aujourd'hui "
                "seront notées « Reçu », celles encore en attente « Parti sans être reçu ».",
                yes="Clôturer",
                no="Annuler",
            )
        ):
            return
        now = self.now()
        closing = self.run_service(
            lambda: queue.close_session(self.ws, now.date(), self.site, now=now)
        )
        if closing is None:
            return
        self.refresh_rows()
        planned = 0
        for entry in closing.callbacks:
            name = queue.entry_name(self.ws, entry)
            due = format_date(queue.next_working_day(entry.day))
            if await self.app.push_screen_wait(
                ConfirmDialog(
                    f"Pas d'entretien aujourd'hui pour : {name}. Prévoir un rappel le {due} ?",
                    yes="Prévoir le rappel",
                    no="Non",
                )
            ):
                if self.plan_callback(entry.id):
                    planned += 1
        self.app.notify(closing.summary(self.ws, planned), timeout=8, markup=False)

    def plan_callback(self, entry_id: str) -> bool:
        from citeslab_tui.services import queue

        return self.run_service(lambda: queue.plan_callback(self.ws, entry_id)) is not None
