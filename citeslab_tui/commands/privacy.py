"""Personal data: `citeslab person export|erase`, `citeslab retention`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from citeslab_tui.domain.errors import CitesLabError
from citeslab_tui.store.paths import resolve_data_dir


def register(sub: argparse._SubParsersAction) -> None:
    person = sub.add_parser(
        "person",
        help="droits des personnes : copie de la fiche (accès), effacement",
        description="Droits des personnes sur leurs données.\n\nExemples :\n"
        '  citeslab person export "Diallo Fatou" --format text\n'
        "  citeslab person export 3f2a9c1e --format json --output fiche.json\n"
        "  citeslab person erase 3f2a9c1e",
    )
    actions = person.add_subparsers(dest="person_action", title="actions", metavar="ACTION")
    actions.required = True

    p = actions.add_parser(
        "export",
        help="tout ce que la base contient sur une personne (droit d'accès)",
        description="Écrit tout ce que la base contient sur une personne : chaque champ, chaque "
        "événement daté, qui l'a enregistré et sur quel appareil.\n"
        "Sans --output, le fichier est écrit dans le dossier exports des données "
        "(lisible par vous seul).\n\nExemple :\n"
        '  citeslab person export "Diallo" --format json',
    )
    p.add_argument("who", metavar="ID|RECHERCHE", help="identifiant, ou nom / téléphone / e-mail")
    p.add_argument(
        "--format", choices=("text", "json"), default="text", help="texte lisible ou JSON"
    )
    p.add_argument(
        "--output", metavar="FICHIER", help="fichier à écrire (« - » : afficher à l'écran)"
    )
    p.set_defaults(handler=cmd_person_export)

    p = actions.add_parser(
        "erase",
        help="effacer les données personnelles d'une personne (droit à l'effacement)",
        description="Efface l'identité, les coordonnées et les notes d'une personne et de ses "
        "enregistrements liés. Les statistiques restent. L'effacement part avec la "
        "prochaine synchronisation.\n\nExemple :\n  citeslab person erase 3f2a9c1e",
    )
    p.add_argument("who", metavar="ID|RECHERCHE", help="identifiant, ou nom / téléphone / e-mail")
    p.add_argument("--yes", action="store_true", help="ne pas demander de confirmation")
    p.set_defaults(handler=cmd_person_erase)

    p = sub.add_parser(
        "retention",
        help="personnes sans contact depuis la durée de conservation (et anonymisation)",
        description="Liste les personnes dont le dernier contact est plus ancien que la durée "
        "de conservation (réglage, 24 mois par défaut) ; avec --apply, les anonymise. "
        "Les chiffres des bilans ne changent pas.\n\nExemples :\n"
        "  citeslab retention\n  citeslab retention --apply",
    )
    p.add_argument("--apply", action="store_true", help="anonymiser les personnes listées")
    p.add_argument(
        "--months", type=int, metavar="N", help="durée de conservation en mois (pour cette fois)"
    )
    p.set_defaults(handler=cmd_retention)


def cmd_person_export(args: argparse.Namespace) -> int:
    from citeslab_tui.services import privacy
    from citeslab_tui.services.workspace import Workspace

    with Workspace.open(resolve_data_dir(args.data_dir), create=False) as ws:
        person = privacy.resolve_person(ws, args.who)
        if args.output == "-":
            sys.stdout.write(privacy.render_access(ws, person.id, args.format))
            return 0
        target = Path(args.output).expanduser() if args.output else None
        path = privacy.write_access_export(ws, person.id, args.format, target)
    print(f"Copie de la fiche écrite dans {path} (lisible par vous seul).")
    return 0


def cmd_person_erase(args: argparse.Namespace) -> int:
    from citeslab_tui.services import privacy
    from citeslab_tui.services.workspace import Workspace

    with Workspace.open(resolve_data_dir(args.data_dir), create=False) as ws:
        person = privacy.resolve_person(ws, args.who)
        if not args.yes:
            question = (
                f"Effacer définitivement les données personnelles de {privacy.describe_person(person)} ?\n"
                "Tapez « oui » pour confirmer : "
            )
            try:
                answer = input(question)
            except EOFError:
                answer = ""
            if answer.strip().lower() != "oui":
                raise CitesLabError("Effacement annulé : rien n'a été effacé.")
        result = privacy.erase_person(ws, person.id)
    print(result.message)
    return 0


def cmd_retention(args: argparse.Namespace) -> int:
    from citeslab_tui.domain.text import format_date
    from citeslab_tui.services import privacy
    from citeslab_tui.services.workspace import Workspace

    with Workspace.open(resolve_data_dir(args.data_dir), create=False) as ws:
        months = privacy.check_months(args.months, ws)
        period = privacy.format_period(months)
        due = privacy.retention_due(ws, months=months)
        if not due:
            print(f"Aucune personne sans contact depuis plus de {period}.")
            return 0
        if args.apply:
            result = privacy.apply_retention(ws, months=months)
            print(result.message)
            return 0
        count = len(due)
        print(f"{count} personne{'s' if count > 1 else ''} sans contact depuis plus de {period} :")
        for candidate in due:
            last = format_date(candidate.last_contact) if candidate.last_contact else "inconnu"
            print(f"  - {candidate.description} · dernier contact : {last}")
        print("Pour les anonymiser (les statistiques restent) : citeslab retention --apply")
    return 0
