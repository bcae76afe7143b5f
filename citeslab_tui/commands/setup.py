"""Set-up and maintenance: init, settings, demo, check, restore."""

from __future__ import annotations

import argparse
import os
from datetime import datetime
from pathlib import Path

from citeslab_tui.domain.errors import CitesLabError
from citeslab_tui.store.paths import resolve_data_dir


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "init",
        help="préparer un poste (structure, chefs de projet, appareil, sites)",
        description="Prépare un poste sans ouvrir l'application.\n\nExemple :\n"
        '  citeslab init --structure "Mife du Calvados" --staff "Céline Perriot" '
        '--device "portable-1" --site "Caen – Chemin Vert"',
    )
    p.add_argument("--structure", required=True, metavar="NOM", help="structure porteuse")
    p.add_argument(
        "--staff", required=True, action="append", metavar="NOM", help="chef de projet (répétable)"
    )
    p.add_argument("--device", required=True, metavar="NOM", help="nom de cet appareil")
    p.add_argument(
        "--site", action="append", default=[], metavar="NOM", help="site de permanence (répétable)"
    )
    p.add_argument("--office", action="store_true", help="ce poste est celui du bureau central")
    p.add_argument(
        "--structure-id",
        metavar="ID",
        help="(bureau de remplacement ou de secours) garder l'identifiant de la structure, "
        "affiché par « citeslab keys show » sur un portable",
    )
    p.set_defaults(handler=cmd_init)

    p = sub.add_parser(
        "settings",
        help="afficher ou modifier les réglages de ce poste",
        description="Affiche les réglages du poste ; avec une option, la modifie d'abord.\n\n"
        "Exemples :\n  citeslab settings\n"
        "  citeslab settings --idle-minutes 3 --backups 30\n"
        '  citeslab settings --current-staff "Karim Benali"',
    )
    p.add_argument(
        "--idle-minutes",
        type=int,
        metavar="N",
        help="masquer l'écran après N minutes sans frappe (0 : jamais)",
    )
    p.add_argument(
        "--backups", type=int, metavar="N", help="nombre de sauvegardes quotidiennes gardées"
    )
    p.add_argument(
        "--retention-months",
        type=int,
        metavar="N",
        help="anonymiser les dossiers sans contact depuis N mois (au moins 1)",
    )
    p.add_argument(
        "--current-staff", metavar="NOM", help="chef de projet qui utilise ce poste (déjà déclaré)"
    )
    p.set_defaults(handler=cmd_settings)

    p = sub.add_parser(
        "demo",
        help="remplir un dossier avec des données de démonstration",
        description="Crée des données fictives réalistes et reproductibles.\n\n"
        "Exemple :\n  citeslab --data-dir /tmp/demo demo --people 500 --seed 1",
    )
    p.add_argument("--people", type=int, default=200, metavar="N", help="nombre de personnes")
    p.add_argument(
        "--seed", type=int, default=1, metavar="S", help="graine (même graine, mêmes données)"
    )
    p.set_defaults(handler=cmd_demo)

    p = sub.add_parser(
        "check",
        help="vérifier la base de données (sans rien modifier)",
        description="Vérifie la base : code de sortie 0 si elle est saine, 1 sinon.\n\n"
        "Exemple :\n  citeslab check",
    )
    p.set_defaults(handler=cmd_check)

    p = sub.add_parser(
        "restore",
        help="restaurer une sauvegarde (la base actuelle est mise de côté, jamais effacée)",
        description="Restaure une sauvegarde quotidienne. Sans date : liste les sauvegardes.\n\n"
        "Exemple :\n  citeslab restore 2026-11-25",
    )
    p.add_argument("day", nargs="?", metavar="AAAA-MM-JJ", help="date de la sauvegarde")
    p.set_defaults(handler=cmd_restore)


def cmd_init(args: argparse.Namespace) -> int:
    from citeslab_tui.services.workspace import Workspace

    with Workspace.open(resolve_data_dir(args.data_dir)) as ws:
        settings = ws.configure(
            structure=args.structure,
            staff=args.staff,
            device=args.device,
            sites=args.site,
            role="office" if args.office else "laptop",
            structure_id=args.structure_id,
        )
        print(
            f"Poste prêt : {settings.device_name} ({settings.device_id}), "
            f"structure « {settings.structure} », dossier {ws.data_dir}."
        )
    return 0


SETTING_OPTIONS = {
    "idle_minutes": ("idle_hide_minutes", "Le délai de masquage doit être entre 0 et 240 minutes."),
    "backups": ("backups_keep", "Le nombre de sauvegardes doit être entre 1 et 365."),
    "retention_months": (
        "retention_months",
        "La durée de conservation doit être entre 1 et 240 mois (refusé : moins d'un mois).",
    ),
}


def _change_settings(args: argparse.Namespace, folder: Path) -> None:
    """Apply the options given to `citeslab settings` (lock held, atomic write)."""
    import pydantic

    from citeslab_tui.domain.models import Settings
    from citeslab_tui.domain.text import fold
    from citeslab_tui.services.workspace import Workspace

    with Workspace.open(folder) as ws:
        if not ws.settings.configured:
            raise CitesLabError("Ce poste n'est pas encore préparé : lancez « citeslab init ».")
        values = ws.settings.model_dump()
        for option, (field, message) in SETTING_OPTIONS.items():
            value = getattr(args, option)
            if value is not None:
                try:
                    Settings.model_validate({**values, field: value})
                except pydantic.ValidationError:
                    raise CitesLabError(message) from None
                values[field] = value
        if args.current_staff is not None:
            known = {fold(name): name for name in ws.settings.staff}
            name = known.get(fold(args.current_staff))
            if name is None:
                raise CitesLabError(
                    "Chef de projet inconnu sur ce poste. Déclarés : "
                    + ", ".join(ws.settings.staff)
                    + " (citeslab init --staff … pour en ajouter)."
                )
            values["current_staff"] = name
        ws.repo.save_settings(Settings.model_validate(values))
        print("Réglages enregistrés.")


def cmd_settings(args: argparse.Namespace) -> int:
    from citeslab_tui.store.settings import load_settings

    folder = resolve_data_dir(args.data_dir)
    if any(getattr(args, o) is not None for o in (*SETTING_OPTIONS, "current_staff")):
        _change_settings(args, folder)
    settings = load_settings(folder)
    if not settings.configured:
        print(
            f"Dossier des données : {folder}\n"
            "Ce poste n'est pas encore préparé : lancez « citeslab init » ou l'application."
        )
        return 0
    rows = [
        ("Dossier des données", str(folder)),
        ("Structure porteuse", settings.structure),
        ("Chefs de projet", ", ".join(settings.staff)),
        ("Chef de projet actuel", settings.current_staff),
        ("Appareil", f"{settings.device_name} ({settings.device_id})"),
        ("Rôle", "bureau central" if settings.role == "office" else "portable de terrain"),
        ("Sites", ", ".join(settings.sites) or "(sites de référence)"),
        ("Sauvegardes gardées", f"{settings.backups_keep} jours"),
        ("Masquage automatique", f"{settings.idle_hide_minutes} min"),
        ("Conservation des dossiers", f"{settings.retention_months} mois"),
    ]
    for label, value in rows:
        print(f"{label} : {value}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from citeslab_tui.demo import generate
    from citeslab_tui.services.workspace import Workspace

    if not 0 < args.people <= 1_000_000:
        raise CitesLabError("Le nombre de personnes doit être compris entre 1 et 1 000 000.")
    with Workspace.open(resolve_data_dir(args.data_dir)) as ws:
        if ws.repo.count("person"):
            raise CitesLabError(
                "Ce dossier contient déjà des personnes : les données de démonstration se "
                "créent dans un dossier vide (option --data-dir)."
            )
        if not ws.settings.configured:
            ws.configure(structure="Structure de démonstration", staff=["Céline"], device="demo")
        counts = generate(ws, args.people, args.seed)
    labels = {
        "person": "personnes",
        "interview": "entretiens",
        "stage": "étapes",
        "orientation": "orientations",
        "outcome": "issues",
        "task": "tâches",
        "queue": "arrivées du jour",
        "collective": "actions collectives",
    }
    print(
        "Données de démonstration créées : "
        + ", ".join(f"{counts.get(k, 0)} {label}" for k, label in labels.items())
        + "."
    )
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from citeslab_tui.store import backups
    from citeslab_tui.store.check import verify_folder
    from citeslab_tui.store.errors import DatabaseCorrupt
    from citeslab_tui.store.files import temp_files

    folder = resolve_data_dir(args.data_dir)
    leftovers = temp_files(folder)
    try:
        _tables, docs = verify_folder(folder)
    except DatabaseCorrupt as exc:
        _print_temp_files(folder, leftovers, removed_at_open=False)
        raise DatabaseCorrupt(exc.message + backups.latest_backup_hint(folder)) from None
    print(f"Base saine : {docs} enregistrements ({folder}).")
    _print_temp_files(folder, leftovers, removed_at_open=True)
    return 0


def _print_temp_files(folder: Path, leftovers: list[Path], *, removed_at_open: bool) -> None:
    """List the temporary files a crash left (each may hold a copy of personal data)."""
    if not leftovers:
        return
    when = (
        "supprimés à la prochaine ouverture (application ou commande)"
        if removed_at_open
        else "gardés tant que la base n'est pas réparée (ils peuvent aider à la récupérer)"
    )
    print(
        f"Fichiers temporaires laissés par une interruption ({len(leftovers)}) : "
        f"ils peuvent contenir une copie des données ; {when}."
    )
    for path in leftovers:
        print(f"  {path.relative_to(folder)}")


def cmd_restore(args: argparse.Namespace) -> int:
    from datetime import date

    from citeslab_tui.store import backups
    from citeslab_tui.store.files import describe_os_error, write_private
    from citeslab_tui.store.lock import DataDirLock
    from citeslab_tui.store.snapshot import decode_snapshot
    from citeslab_tui.store.storage import SNAPSHOT_NAME

    folder = resolve_data_dir(args.data_dir)
    available = backups.list_backups(folder)
    if not args.day:
        if not available:
            print("Aucune sauvegarde.")
        for path in available:
            day = date.fromisoformat(path.stem.removeprefix(backups.PREFIX))
            print(f"{day.isoformat()}  (sauvegarde du {day:%d/%m/%Y})")
        return 0
    try:
        day = date.fromisoformat(args.day)
    except ValueError:
        raise CitesLabError(
            f"Date « {args.day[:20]} » illisible : écrivez AAAA-MM-JJ (exemple : 2026-11-25)."
        ) from None
    source = backups.backup_folder(folder) / f"{backups.PREFIX}{day.isoformat()}.json"
    if not source.exists():
        raise CitesLabError(
            f"Pas de sauvegarde du {day:%d/%m/%Y}. Lancez « citeslab restore » pour la liste."
        )
    raw = source.read_bytes()
    decode_snapshot(raw, source.name)  # refuse a damaged backup
    lock = DataDirLock(folder)
    lock.acquire()
    try:
        aside = folder / f"mis-de-cote-{datetime.now():%Y%m%d-%H%M%S}"
        aside.mkdir(mode=0o700)
        for path in [folder / SNAPSHOT_NAME, *sorted(folder.glob("journal-*"))]:
            if path.exists():
                os.replace(path, aside / path.name)
        write_private(folder / SNAPSHOT_NAME, raw)
    except OSError as exc:
        raise CitesLabError(describe_os_error(exc, "Restauration impossible")) from None
    finally:
        lock.release()
    print(
        f"Sauvegarde du {day:%d/%m/%Y} restaurée. L'ancienne base est conservée dans {aside.name}."
    )
    return 0
