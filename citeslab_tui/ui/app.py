"""The Textual app: small on purpose. It shows the permanence screen at once, opens
the workspace in a worker thread, and owns the global keys (shown in every footer).

Screens live in `ui/screens/`, modal dialogs in `ui/dialogs/`; each is imported
only when first shown (start-up speed on weak laptops).

Hidden for benchmarks: CITESLAB_EXIT_ON_READY=1 exits when the first screen is
ready, =loaded once the data filled it; both print the seconds elapsed since
CITESLAB_T0 (a time.perf_counter() value of the launcher) or since this module was
imported, and, for =loaded, the peak RSS in MiB.
"""

from __future__ import annotations

import importlib
import os
import sys
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, ClassVar

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from citeslab_tui.resources import shipped_dir

IMPORTED_AT = time.perf_counter()
EXIT_ON_READY = "CITESLAB_EXIT_ON_READY"
CHECK_HINT = (
    "Relancez l'application ; si le problème persiste, « citeslab check » vérifie la base "
    "et « citeslab restore » repart d'une sauvegarde."
)

# Screen name -> "module:Class" under citeslab_tui.ui; loaded on first use.
SCREENS_BY_NAME: dict[str, str] = {
    "permanence": "screens.permanence:PermanenceScreen",
    "tasks": "screens.tasks:TasksScreen",
    "bilan": "screens.bilan:BilanScreen",
    "sync": "screens.sync:SyncScreen",
}


def load_class(target: str) -> Any:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(f"citeslab_tui.ui.{module}"), name)


def local_now() -> datetime:
    return datetime.now().astimezone()


def _elapsed() -> float:
    t0 = os.environ.get("CITESLAB_T0")
    try:
        start = float(t0) if t0 else IMPORTED_AT
    except ValueError:
        start = IMPORTED_AT
    return time.perf_counter() - start


def _key_commands() -> Any:
    from citeslab_tui.ui.widgets.commands import KeyCommands

    return KeyCommands


def _report(line: str) -> None:
    """Benchmark figures on the real stdout (Textual captures sys.stdout while running)."""
    stream = sys.__stdout__
    if stream is not None:
        stream.write(line + "\n")
        stream.flush()


class CitesLabApp(App[int]):
    """CitésLab: today's permanence, intake, person's file, tasks, bilan, sync."""

    TITLE = "CitésLab"
    CSS_PATH = [str(shipped_dir("styles") / "base.tcss")]
    ENABLE_COMMAND_PALETTE = True
    COMMANDS: ClassVar[set[Any]] = {lambda: _key_commands()}
    COMMAND_PALETTE_BINDING = "ctrl+p"
    BINDINGS: ClassVar[list[BindingType]] = [
        # priority: F1 also works inside dialogs (modal screens hide non-priority app keys)
        Binding(
            "f1", "help", "Aide", id="help", priority=True, tooltip="Aide : toutes les touches"
        ),
        Binding(
            "f2",
            "open('permanence')",
            "Permanence",
            id="go_permanence",
            tooltip="Permanence du jour",
        ),
        Binding("f3", "open('tasks')", "Tâches", id="go_tasks", tooltip="Tâches de suivi"),
        Binding("f4", "open('bilan')", "Bilan", id="go_bilan", tooltip="Bilan d'activité"),
        Binding("f5", "open('sync')", "Synchro", id="go_sync", tooltip="Synchronisation"),
        Binding(
            "ctrl+n",
            "push('screens.intake:IntakeScreen')",
            "Accueil",
            id="intake",
            tooltip="Nouvel accueil (fiche de premier accueil)",
        ),
        Binding(
            "ctrl+f",
            "push('dialogs.search:SearchDialog')",
            "Rechercher",
            id="find",
            tooltip="Rechercher une personne",
        ),
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

    def __init__(
        self,
        data_dir: str | None = None,
        *,
        now: Callable[[], datetime] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.data_dir_option = data_dir
        self.workspace: Any = None  # services.workspace.Workspace once opened
        self.now: Callable[[], datetime] = now or local_now
        self.last_key_at = time.monotonic()
        self.exit_on_ready = os.environ.get(EXIT_ON_READY, "")

    # --- start-up ------------------------------------------------------------------

    def get_default_screen(self) -> Screen[Any]:
        from citeslab_tui.ui.screens.permanence import PermanenceScreen

        screen = PermanenceScreen()
        self.install_screen(screen, "permanence")
        return screen

    def on_mount(self) -> None:
        self.set_interval(15, self.hide_if_idle)

    def on_ready(self) -> None:
        """The first screen is painted: only now load the data (the loading thread
        would otherwise compete with the first paint for the interpreter)."""
        if self.exit_on_ready == "1":
            _report(f"{_elapsed():.4f}")
            self.exit(0)
            return
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

        self.push_screen(FatalScreen(message, hint))

    def workspace_ready(self, ws: Any) -> None:
        if self._exit or not self.is_running:  # quit before the data arrived
            ws.close()
            return
        self.workspace = ws
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

    def data_loaded(self) -> None:
        self.get_screen("permanence").load()  # type: ignore[attr-defined]
        if self.exit_on_ready == "loaded":
            import resource

            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            _report(f"{_elapsed():.4f} {peak:.1f}")
            self.exit(0)
            return
        from citeslab_tui.ui.screens.intake import offer_draft_at_start

        self.warm_up_search()
        self.warm_up_tasks()
        self.check_reference()
        from citeslab_tui.domain.hlc import clock_problem

        clock = clock_problem(self.workspace.repo.clock.last)  # the system clock itself
        if clock:  # a wrong clock never blocks anything, but the user should fix it
            self.notify(clock, title="Date et heure", severity="warning", timeout=20)
        if offer_draft_at_start(self):  # an intake left unsaved by a crash or power cut
            return
        from citeslab_tui.services.privacy import retention_reminder  # at most monthly

        reminder = retention_reminder(self.workspace, self.now().date())
        if reminder:
            self.notify(reminder, title="Données personnelles", severity="warning", timeout=20)

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
            self._warm_up_board(tasks.board_for(self.workspace), self.now().date())

    @work(thread=True, exclusive=True, group="tasks")
    def _warm_up_board(self, board: Any, today: Any) -> None:
        try:
            board.warm_up(today)
        except Exception as exc:  # optional: the tasks screen computes them when shown
            from citeslab_tui.logs import log_unexpected

            log_unexpected(exc)

    @work(thread=True, exclusive=True, group="search")
    def warm_up_search(self) -> None:
        """Build the person search index ahead of the first Ctrl+F (off the UI thread)."""
        from citeslab_tui.services import search

        ws = self.workspace
        if ws is None:
            return
        search.warm_up(ws.repo)

    # --- quitting --------------------------------------------------------------------

    def close_workspace(self) -> None:
        """Release the data folder (every save is already durable). Idempotent."""
        ws, self.workspace = self.workspace, None
        if ws is not None:
            ws.close()

    async def action_quit(self) -> None:
        self.close_workspace()
        self.exit(0)

    def on_unmount(self) -> None:
        self.close_workspace()  # whatever the way out

    # --- navigation ------------------------------------------------------------------

    async def action_open(self, name: str) -> None:
        """Switch to one of the main screens (one instance each)."""
        if self.workspace is None:
            return
        if name not in self._installed_screens:
            try:
                self.install_screen(load_class(SCREENS_BY_NAME[name])(), name)
            except (ImportError, AttributeError):
                self.notify("Cet écran n'est pas encore disponible.", severity="warning")
                return
        if self.screen is self.get_screen(name):
            return
        if not self.screen._result_callbacks:
            # The default screen was never pushed, so it has no result callback, and
            # Textual 8.2.8's switch_screen pops one (IndexError on the first F3).
            self.screen._push_result_callback(self.screen, None)
        await self.switch_screen(name)

    async def action_push(self, target: str) -> None:
        """Open a screen or dialog by "module:Class" (imported on first use)."""
        if self.workspace is None:
            return
        try:
            cls = load_class(target)
        except (ImportError, AttributeError):
            self.notify("Cet écran n'est pas encore disponible.", severity="warning")
            return
        await self.push_screen(cls())

    async def action_quick_task(self) -> None:
        """Ctrl+T: a quick task, for the person whose file is open if any."""
        if self.workspace is None:
            return
        from citeslab_tui.ui.dialogs.quick_task import QuickTaskDialog

        await self.push_screen(QuickTaskDialog(getattr(self.screen, "person_id", None)))

    def screen_instance(self, name: str) -> Screen[Any]:
        return self.get_screen(name)

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
        allowed = getattr(self.screen, "ALLOWED_GLOBAL_ACTIONS", None)
        if allowed is not None and action not in allowed:
            return False  # hidden from the footer and inactive
        return True

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            self.last_key_at = time.monotonic()
        await super().on_event(event)

    def action_command_palette(self) -> None:
        """Ctrl+P: the palette, in French."""
        from textual.command import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(
                CommandPalette(id="--command-palette", placeholder="Rechercher une commande…")
            )

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The command palette (Ctrl+P) lists every key of the screen and of the app, in French."""
        from functools import partial

        from textual.actions import parse as parse_action

        from citeslab_tui.ui.keys import bindings_of, key_display

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
        from citeslab_tui.ui.keys import key_display

        return key_display(binding, short=True)
