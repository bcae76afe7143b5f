"""The Textual app: small on purpose. It shows the permanence screen at once, opens
the workspace in a worker thread, and owns the global keys (shown in every footer).

The main screens (F2-F5) are installed screens (SCREENS), each built when first
shown; the intake and the person's file open over them, modal dialogs live in
`ui/dialogs/`. Every
module of a screen or dialog is imported only when first shown (start-up speed on
weak laptops). Screens learn about the data through two public signals of the app:
`data_ready` (a reactive: the data folder is open and set up) and
`records_changed_signal` (published after any save, see `publish_records_changed`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import date, datetime
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, work
from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.reactive import var
from textual.screen import Screen
from textual.signal import Signal

from citeslab_tui.resources import style_file
from citeslab_tui.ui.base import AppScreen
from citeslab_tui.ui.keyorder import KeysInOrder
from citeslab_tui.ui.keys import GLOBAL_BINDINGS, bindings_of, key_display

if TYPE_CHECKING:
    from citeslab_tui.services.tasks import TaskBoard
    from citeslab_tui.services.workspace import Workspace

# Keys acted on at once even while the data folder opens (the rest wait for it).
EARLY_KEYS_NOT_KEPT = frozenset({"ctrl+q", "ctrl+c", "ctrl+o"})

CHECK_HINT = (
    "Relancez l'application ; si le problème persiste, « citeslab check » vérifie la base "
    "et « citeslab restore » repart d'une sauvegarde."
)


def permanence_screen() -> Screen[None]:
    from citeslab_tui.ui.screens.permanence import PermanenceScreen

    return PermanenceScreen()


def tasks_screen() -> Screen[None]:
    from citeslab_tui.ui.screens.tasks import TasksScreen

    return TasksScreen()


def bilan_screen() -> Screen[None]:
    from citeslab_tui.ui.screens.bilan import BilanScreen

    return BilanScreen()


def sync_screen() -> Screen[None]:
    from citeslab_tui.ui.screens.sync import SyncScreen

    return SyncScreen()


def local_now() -> datetime:
    return datetime.now().astimezone()


def key_commands() -> Any:
    from citeslab_tui.ui.widgets.commands import KeyCommands

    return KeyCommands


class CitesLabApp(KeysInOrder):
    """CitésLab: today's permanence, intake, person's file, tasks, bilan, sync."""

    TITLE = "CitésLab"
    # The first screen's style is read with the app's: styled from the first paint,
    # without the whole-app restyle Textual does when a screen brings new CSS.
    CSS_PATH = [str(style_file("base.tcss")), str(style_file("permanence.tcss"))]
    ENABLE_COMMAND_PALETTE = True
    COMMANDS: ClassVar[set[Any]] = {key_commands}
    COMMAND_PALETTE_BINDING = "ctrl+p"
    BINDINGS: ClassVar[list[BindingType]] = GLOBAL_BINDINGS
    # The main screens (F2-F5): installed for the app's lifetime, each built when first
    # shown. The first one is the base of the screen stack; F3-F5 push the others over it
    # (not one Textual mode each: in Textual 8.2.8 each of a mode's first two visits
    # restyles the whole app, ~20 ms of CPU on the first F3 of bench_tasks.py).
    SCREENS: ClassVar[dict[str, Callable[[], Screen[Any]]]] = {
        "permanence": permanence_screen,
        "tasks": tasks_screen,
        "bilan": bilan_screen,
        "sync": sync_screen,
    }
    START_SCREEN: ClassVar[str] = "permanence"

    data_ready: var[bool] = var(False)
    """True once the data folder is open and set up (screens watch it to fill)."""

    def __init__(
        self,
        data_dir: str | None = None,
        *,
        now: Callable[[], datetime] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.data_dir_option = data_dir
        self.workspace: Workspace | None = None
        self.now: Callable[[], datetime] = now or local_now
        """The clock (local time zone); tests and the docs pictures freeze it."""
        self.last_key_at = time.monotonic()
        self.quitting = False
        self.records_changed_signal: Signal[int] = Signal(self, "records-changed")
        """Published (with the repository's local sequence) after a save changed records."""
        self.published_lseq = 0
        self.early_keys: list[events.Key] | None = []
        """Keys typed before the data folder is open, replayed once it is (None after)."""
        self.replay_pending = False

    def today(self) -> date:
        return self.now().date()

    # --- start-up ------------------------------------------------------------------

    def get_default_screen(self) -> Screen[Any]:
        """The first screen, at the base of the stack: the installed START_SCREEN."""
        return self.get_screen(self.START_SCREEN)

    def on_mount(self) -> None:
        self.set_interval(15, self.hide_if_idle)

    def on_ready(self, event: events.Ready) -> None:
        """The first screen is painted: only now load the data (the loading thread
        would otherwise compete with the first paint for the interpreter)."""
        self.open_workspace()

    @work(thread=True, exclusive=True, group="workspace")
    def open_workspace(self) -> None:
        from citeslab_tui.domain.errors import CitesLabError
        from citeslab_tui.logs import setup_logging
        from citeslab_tui.services.workspace import Workspace
        from citeslab_tui.store.errors import DatabaseCorrupt, DatabaseLocked
        from citeslab_tui.store.paths import resolve_data_dir

        setup_logging(self.data_dir_option)
        try:
            ws = Workspace.open(resolve_data_dir(self.data_dir_option))
        except (DatabaseLocked, DatabaseCorrupt) as exc:  # their message says what to do
            self.call_from_thread(self.show_fatal, exc.message)
            return
        except CitesLabError as exc:
            self.call_from_thread(self.show_fatal, exc.message, CHECK_HINT)
            return
        except Exception as exc:  # never a traceback: French message, details in the log
            from citeslab_tui.logs import log_unexpected

            log_unexpected(exc)
            self.call_from_thread(
                self.show_fatal,
                "Les données n'ont pas pu être ouvertes (erreur inattendue). "
                "Le détail technique est dans le journal (dossier logs).",
                CHECK_HINT,
            )
            return
        self.call_from_thread(self.workspace_ready, ws)

    def show_fatal(self, message: str, hint: str = "") -> None:
        from citeslab_tui.ui.dialogs.message import FatalScreen

        self.early_keys = None  # nothing they could do: dropped

        self.push_screen(FatalScreen(message, hint))

    def show_message(self, title: str, text: str) -> None:
        """A French message in a dialog (closed with Entrée or Échap)."""
        from citeslab_tui.ui.dialogs.message import MessageDialog

        self.push_screen(MessageDialog(title, text))

    def workspace_ready(self, ws: Workspace) -> None:
        if self.quitting or not self.is_running:  # quit before the data arrived
            ws.close()
            return
        self.workspace = ws
        self.published_lseq = ws.repo.lseq
        if ws.repo.recovered_torn_write:
            self.notify(
                "La dernière modification, interrompue (coupure ou arrêt brutal), a été "
                "ignorée ; les données enregistrées avant sont intactes.",
                title="Données vérifiées",
                severity="warning",
                timeout=15,
            )
        if not ws.settings.configured:
            from citeslab_tui.ui.screens.setup import SetupScreen

            self.push_screen(SetupScreen(), lambda _done: self.data_loaded())
        else:
            self.data_loaded()
        self.replay_pending = True  # keys typed from now on queue up behind them
        self.call_after_refresh(self.replay_early_keys)  # once what was pushed is shown

    def data_loaded(self) -> None:
        """The data is open and set up: the screens fill, then the work that can wait."""
        self.data_ready = True  # the permanence screen fills now (it watches this)
        ws = self.workspace
        if ws is None:
            return
        from citeslab_tui.ui.screens.intake import offer_draft_at_start

        self.warm_up_search()
        self.warm_up_tasks()
        self.check_reference()
        from citeslab_tui.domain.hlc import clock_problem

        clock = clock_problem(ws.repo.clock.last)  # the system clock itself
        if clock:  # a wrong clock never blocks anything, but the user should fix it
            self.notify(clock, title="Date et heure", severity="warning", timeout=20)
        if offer_draft_at_start(self):  # an intake left unsaved by a crash or power cut
            return
        from citeslab_tui.services.privacy import retention_reminder  # at most monthly
        from citeslab_tui.store.errors import DatabaseCorrupt

        try:
            reminder = retention_reminder(ws, self.today())
        except DatabaseCorrupt as exc:  # the people, read for the first time, are damaged
            self.data_damaged(exc.message)
            return
        if reminder:
            self.notify(reminder, title="Données personnelles", severity="warning", timeout=20)

    def publish_records_changed(self) -> None:
        """Tell the screens that records changed, if a save happened since the last
        time (cheap: one comparison). Called after every service call of the UI."""
        ws = self.workspace
        if ws is None or ws.repo.lseq == self.published_lseq:
            return
        self.published_lseq = ws.repo.lseq
        self.records_changed_signal.publish(self.published_lseq)

    @work(thread=True, exclusive=True, group="reference")
    def check_reference(self) -> None:
        """Load the reference tables now (the pickers need them) and say, in French,
        which office file of the reference folder was refused (the shipped tables are
        used instead)."""
        ws = self.workspace
        if ws is None:
            return
        for problem in ws.reference.check():
            self.call_from_thread(
                self.notify, problem, title="Tables de référence", severity="warning", timeout=20
            )

    def warm_up_tasks(self) -> None:
        """Sort the tasks by view and compute the suggestions ahead of the first F3."""
        from citeslab_tui.services import tasks

        if self.workspace is not None:
            self.warm_up_board(tasks.board_for(self.workspace), self.today())

    def data_damaged(self, message: str) -> None:
        """A kind read after the open turned out damaged (its bytes verified at the open
        no longer parse): the data is not used further, the user is told what to do."""
        self.show_fatal(message, CHECK_HINT)

    @work(thread=True, exclusive=True, group="tasks")
    def warm_up_board(self, board: TaskBoard, today: date) -> None:
        from citeslab_tui.store.errors import DatabaseCorrupt

        try:
            board.warm_up(today)
        except DatabaseCorrupt as exc:
            self.call_from_thread(self.data_damaged, exc.message)
        except Exception as exc:  # optional: the tasks screen computes them when shown
            from citeslab_tui.logs import log_unexpected

            log_unexpected(exc)

    @work(thread=True, exclusive=True, group="search")
    def warm_up_search(self) -> None:
        """Build the person search index ahead of the first Ctrl+F, then the index by
        person id ahead of the first person's file (off the UI thread)."""
        from citeslab_tui.services import people, search
        from citeslab_tui.store.errors import DatabaseCorrupt

        ws = self.workspace
        if ws is None:
            return
        try:
            search.warm_up(ws.repo)
            people.warm_up_files(ws)
        except DatabaseCorrupt as exc:
            self.call_from_thread(self.data_damaged, exc.message)
        except Exception as exc:  # optional: the first Ctrl+F builds what is missing
            from citeslab_tui.logs import log_unexpected

            log_unexpected(exc)

    # --- quitting --------------------------------------------------------------------

    def close_workspace(self) -> None:
        """Release the data folder (every save is already durable). Idempotent."""
        ws, self.workspace = self.workspace, None
        if ws is not None:
            ws.close()

    async def action_quit(self) -> None:
        self.quitting = True
        self.close_workspace()
        self.exit(0)

    def on_unmount(self) -> None:
        self.quitting = True
        self.close_workspace()  # whatever the way out

    # --- navigation ------------------------------------------------------------------

    async def action_show(self, name: str) -> None:
        """F2-F5: show a main screen (a name of SCREENS). What was opened over the current
        one (a person's file, an intake...) is closed first: each shows as itself."""
        if self.workspace is None:
            return
        target = self.get_screen(name)
        while len(self.screen_stack) > 1 and self.screen is not target:
            await self.pop_screen()
        if self.screen is not target:
            await self.push_screen(target)

    async def action_intake(self) -> None:
        """Ctrl+N: a new intake over the current screen."""
        if self.workspace is None:
            return
        from citeslab_tui.ui.screens.intake import IntakeScreen

        await self.push_screen(IntakeScreen())

    async def action_find(self) -> None:
        """Ctrl+F: find a person (the dialog opens the file chosen)."""
        if self.workspace is None:
            return
        from citeslab_tui.ui.dialogs.search import SearchDialog

        await self.push_screen(SearchDialog())

    async def action_quick_task(self) -> None:
        """Ctrl+T: a quick task, for the person whose file is open if any."""
        if self.workspace is None:
            return
        from citeslab_tui.ui.dialogs.quick_task import QuickTaskDialog
        from citeslab_tui.ui.screens.person import PersonScreen

        screen = self.screen
        person_id = screen.person_id if isinstance(screen, PersonScreen) else None
        await self.push_screen(QuickTaskDialog(person_id))

    def action_help(self) -> None:
        from citeslab_tui.ui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.pop_screen()  # F1 again closes the help
        else:
            self.push_screen(HelpScreen(self.screen))

    # --- privacy -----------------------------------------------------------------------

    def action_hide(self) -> None:
        from citeslab_tui.ui.screens.hidden import HiddenScreen

        if not isinstance(self.screen, HiddenScreen):
            self.push_screen(HiddenScreen())

    def hide_if_idle(self, now: float | None = None) -> None:
        """Hide the screen after settings.idle_hide_minutes without a key (0 = never)."""
        if self.workspace is None:
            return
        minutes = self.workspace.settings.idle_hide_minutes
        now = time.monotonic() if now is None else now
        if minutes and now - self.last_key_at >= minutes * 60:
            self.action_hide()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Screens may restrict the global keys (privacy cover, first set-up, errors)."""
        screen = self.screen
        allowed = screen.ALLOWED_GLOBAL_ACTIONS if isinstance(screen, AppScreen) else None
        if allowed is not None and action not in allowed:
            return False  # hidden from the footer and inactive
        return True

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            self.last_key_at = time.monotonic()
            if event.key == "ctrl+j":  # Entrée typed before the terminal was set up
                event = events.Key("enter", "\r")
            if (
                self.early_keys is not None
                and (self.workspace is None or self.replay_pending)
                and event.key not in EARLY_KEYS_NOT_KEPT
            ):
                # typed in the first moments, while the data folder opens: kept for later
                self.early_keys.append(event)
                return
            if not self.hold_key(event):  # held: after the key being handled (keyorder.py)
                await self.handle_key(event)
            return
        await super().on_event(event)

    def replay_early_keys(self) -> None:
        """The data folder is open (the set-up screen or the data shown): the keys typed
        while it opened are handled next, in order, before any key typed after."""
        keys, self.early_keys = self.early_keys or [], None
        self.replay_pending = False
        for key in keys:
            self.post_message(events.Key(key.key, key.character))

    def action_help_quit(self) -> None:
        """Ctrl+C, the reflex to quit: says in French which key quits (Textual's own
        message is in English)."""
        self.notify("Pour quitter l'application : Ctrl+Q.", title="Quitter ?", markup=False)

    def action_command_palette(self) -> None:
        """Ctrl+P: the palette, in French."""
        from textual.command import CommandPalette

        if self.use_command_palette and not isinstance(self.screen, CommandPalette):
            self.push_screen(
                CommandPalette(id="--command-palette", placeholder="Rechercher une commande…")
            )

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The command palette (Ctrl+P) lists every key of the screen and of the app, in French."""

        from textual.actions import parse as parse_action

        seen: set[str] = {"command_palette"}
        for node in (screen, self):
            for binding in bindings_of(type(node)):
                if binding.action in seen:
                    continue
                seen.add(binding.action)
                _dest, name, params = parse_action(binding.action)
                if not node.check_action(name, params):
                    continue  # e.g. the office-only "return" key on a laptop
                title = binding.tooltip or binding.description
                yield SystemCommand(
                    title,
                    f"Touche : {key_display(binding)}",
                    partial(node.run_action, binding.action),
                )

    def get_key_display(self, binding: Binding) -> str:
        return key_display(binding, short=True)
