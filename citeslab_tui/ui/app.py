"""The Textual app: small on purpose. It opens the workspace in a worker thread,
pushes the start screen, and owns the global keys (shown in every footer).

Screens live in `ui/screens/`, modal dialogs in `ui/dialogs/`; each is imported
only when first shown (start-up speed on weak laptops).
"""

from __future__ import annotations

import importlib
from typing import Any, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from citeslab_tui.resources import shipped_dir

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


class CitesLabApp(App[int]):
    """CitésLab: today's permanence, intake, person's file, tasks, bilan, sync."""

    TITLE = "CitésLab"
    CSS_PATH = [str(shipped_dir("styles") / "base.tcss")]
    ENABLE_COMMAND_PALETTE = True
    COMMAND_PALETTE_BINDING = "ctrl+p"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Aide", id="help"),
        Binding("f2", "open('permanence')", "Permanence", id="go_permanence"),
        Binding("f3", "open('tasks')", "Tâches", id="go_tasks"),
        Binding("f4", "open('bilan')", "Bilan", id="go_bilan"),
        Binding("f5", "open('sync')", "Synchro", id="go_sync"),
        Binding("ctrl+n", "push('screens.intake:IntakeScreen')", "Nouvel accueil", id="intake"),
        Binding("ctrl+f", "push('dialogs.search:SearchDialog')", "Rechercher", id="find"),
        Binding(
            "ctrl+t", "push('dialogs.quick_task:QuickTaskDialog')", "Tâche rapide", id="quick_task"
        ),
        Binding("ctrl+o", "hide", "Masquer l'écran", id="hide"),
        Binding("ctrl+q", "quit", "Quitter", id="quit", priority=True),
    ]

    def __init__(self, data_dir: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_dir_option = data_dir
        self.workspace: Any = None  # services.workspace.Workspace once opened

    async def action_open(self, name: str) -> None:
        """Switch to one of the main screens (one instance each)."""
        if self.workspace is None:
            return
        if name not in self._installed_screens:
            self.install_screen(load_class(SCREENS_BY_NAME[name])(), name)
        if self.screen.id == name:
            return
        await self.switch_screen(name)

    async def action_push(self, target: str) -> None:
        """Open a screen or dialog by "module:Class" (imported on first use)."""
        if self.workspace is None:
            return
        await self.push_screen(load_class(target)())

    def screen_instance(self, name: str) -> Screen[Any]:
        return self.get_screen(name)
