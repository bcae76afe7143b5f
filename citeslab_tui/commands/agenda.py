"""The staff's calendar: `citeslab agenda --output FILE.ics`."""

from __future__ import annotations

import argparse

from citeslab_tui.store.paths import resolve_data_dir


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "agenda",
        help="écrire les rendez-vous et tâches à venir dans un calendrier (.ics)",
        description="Écrit les rendez-vous et les tâches datées à venir d'un membre de "
        "l'équipe dans un fichier iCalendar (.ics) à importer dans Outlook, Thunderbird "
        "ou un téléphone. Heures de Paris ; réimporter le fichier met les événements à "
        "jour sans les doubler.\n"
        "Sans --staff : le membre de l'équipe de ce poste.\n\n"
        "Exemples :\n  citeslab agenda --output agenda.ics\n"
        '  citeslab agenda --output karim.ics --staff "Karim" --initials',
    )
    p.add_argument("--output", metavar="FICHIER", required=True, help="fichier .ics à écrire")
    p.add_argument("--staff", metavar="NOM", help="membre de l'équipe (sinon celui du poste)")
    p.add_argument(
        "--initials",
        action="store_true",
        help="n'écrire que les initiales des personnes (ni nom, ni intitulé de tâche)",
    )
    p.set_defaults(handler=cmd_agenda)


def cmd_agenda(args: argparse.Namespace) -> int:
    from citeslab_tui.services.agenda import write_agenda
    from citeslab_tui.services.workspace import Workspace

    with Workspace.open(resolve_data_dir(args.data_dir), create=False) as ws:
        path, count = write_agenda(ws, args.output, staff=args.staff, initials_only=args.initials)
    print(f"Calendrier écrit : {path} ({count} événement(s) à venir).")
    return 0
