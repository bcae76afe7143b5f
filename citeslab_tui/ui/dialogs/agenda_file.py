"""The staff's calendar from the tasks screen: the folder asked, then the .ics written
(services/agenda.py) in a thread worker, the outcome told in a message."""

from __future__ import annotations

from pathlib import Path

from citeslab_tui.ui.base import AppScreen, failure_message
from citeslab_tui.ui.dialogs.bilan_folder import BilanFolderDialog


def ask_and_write_agenda(screen: AppScreen[None]) -> None:
    """Ask for a folder, then write `agenda-citeslab-<staff>.ics` of this laptop's staff
    member there (today's and coming appointments and dated tasks)."""
    from citeslab_tui.services.reports import default_folder

    app, ws, today = screen.app, screen.ws, screen.today

    def write(folder: Path) -> None:
        from citeslab_tui.services.agenda import agenda_file_name, write_agenda

        try:
            path, count = write_agenda(ws, folder / agenda_file_name(ws.repo.staff), today=today)
        except Exception as exc:  # refused in French, or unexpected (logged)
            app.call_from_thread(app.show_message, "Calendrier non écrit", failure_message(exc))
            return
        app.call_from_thread(
            app.show_message,
            "Calendrier écrit",
            f"{count} événement(s) à venir dans :\n{path}\n"
            "Importez-le dans votre agenda ; le réimporter met les événements à jour.",
        )

    def chosen(folder: Path | None) -> None:
        if folder is not None:
            screen.run_worker(lambda: write(folder), thread=True, group="tasks_agenda")

    app.push_screen(
        BilanFolderDialog(
            "Écrire mes rendez-vous et tâches à venir (calendrier .ics)", default_folder(ws)
        ),
        chosen,
    )
