"""`citeslab sync ...`: export, import, return, conflicts, duplicates."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from citeslab_tui.commands.common import open_configured
from citeslab_tui.domain.errors import CitesLabError

if TYPE_CHECKING:  # services are imported by the commands that use them (start-up speed)
    pass


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sync",
        help="synchronisation par fichier (clé USB, dossier partagé)",
        description="Synchronisation par copie de fichiers entre les portables et le bureau.\n\n"
        "Exemples :\n"
        "  citeslab sync export /media/cle          (portable, le soir)\n"
        "  citeslab sync import /media/cle          (bureau : tous les fichiers du dossier)\n"
        "  citeslab sync return /media/cle          (bureau : fichier retour pour les portables)\n"
        "  citeslab sync import /media/cle/citeslab-bureau-….cslb   (portable, le matin)",
    )
    ssub = p.add_subparsers(dest="sync_command", title="commandes", metavar="COMMANDE")
    p.set_defaults(handler=lambda args: _usage(p))

    e = ssub.add_parser(
        "export",
        help="écrire les changements non encore envoyés dans DOSSIER",
        description="Écrit les changements de ce poste (chiffrés pour le bureau) dans DOSSIER, "
        "relit la copie et la vérifie.\n\nExemple :\n  citeslab sync export /media/cle",
    )
    e.add_argument("folder", metavar="DOSSIER", help="dossier de destination (clé USB, partage)")
    e.add_argument("--full", action="store_true", help="tout envoyer (après une perte de fichier)")
    e.add_argument(
        "--unencrypted",
        action="store_true",
        help="ne pas chiffrer (déconseillé : données personnelles)",
    )
    e.set_defaults(handler=cmd_export)

    i = ssub.add_parser(
        "import",
        help="importer des fichiers de synchronisation (fichiers ou dossiers)",
        description="Vérifie chaque fichier puis fusionne les bons en une seule écriture.\n\n"
        "Exemple :\n  citeslab sync import /media/cle",
    )
    i.add_argument(
        "paths", nargs="+", metavar="CHEMIN", help="fichiers .cslb ou dossiers qui en contiennent"
    )
    i.add_argument(
        "--allow-unsigned",
        action="store_true",
        help="accepter aussi les fichiers non signés ou d'un poste non inscrit "
        "(provenance vérifiée autrement : import de secours)",
    )
    i.add_argument(
        "--allow-unencrypted",
        action="store_true",
        help="accepter aussi les fichiers écrits en clair (--unencrypted)",
    )
    i.set_defaults(handler=cmd_import)

    r = ssub.add_parser(
        "return",
        help="(bureau) écrire les fichiers retour pour les portables",
        description="Écrit un fichier retour par portable inscrit, chiffré pour lui : ce que "
        "le bureau a changé depuis le dernier retour que ce portable a confirmé (dans son "
        "dernier envoi), ou tout l'état fusionné si le bureau ne sait pas ce qu'il a.\n\n"
        "Exemples :\n  citeslab sync return /media/cle\n"
        "  citeslab sync return --full /media/cle     (tout, pour chaque portable)",
    )
    r.add_argument("folder", metavar="DOSSIER", help="dossier de destination (clé USB, partage)")
    r.add_argument("--full", action="store_true", help="tout l'état fusionné pour chaque portable")
    r.add_argument("--unencrypted", action="store_true", help="ne pas chiffrer (déconseillé)")
    r.set_defaults(handler=cmd_return)

    c = ssub.add_parser(
        "conflicts",
        help="lister ou résoudre les modifications simultanées",
        description="Sans option : liste les conflits numérotés. Avec --keep N V : garde la "
        "valeur V (0 = celle affichée) du conflit N.\n\nExemple :\n  citeslab sync conflicts --keep 1 2",
    )
    c.add_argument("--keep", nargs=2, type=int, metavar=("N", "V"), help="résoudre un conflit")
    c.set_defaults(handler=cmd_conflicts)

    d = ssub.add_parser(
        "duplicates",
        help="lister les doublons possibles, fusionner ou marquer différents",
        description="Sans option : liste les doublons possibles numérotés.\n\nExemples :\n"
        "  citeslab sync duplicates --merge 1       (garde la première personne)\n"
        "  citeslab sync duplicates --different 2",
    )
    g = d.add_mutually_exclusive_group()
    g.add_argument("--merge", type=int, metavar="N", help="fusionner la paire N (garde la 1re)")
    g.add_argument("--different", type=int, metavar="N", help="la paire N : personnes différentes")
    d.add_argument("--keep-second", action="store_true", help="avec --merge : garder la 2de")
    d.set_defaults(handler=cmd_duplicates)

    s = ssub.add_parser(
        "status",
        help="ce qui partira au prochain envoi, fichiers reçus",
        description="Ce qui partira au prochain envoi ; au bureau, ce qui a été reçu de chaque "
        "poste et les fichiers manquants.\n\nExemple :\n  citeslab sync status",
    )
    s.set_defaults(handler=cmd_status)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def cmd_export(args: argparse.Namespace) -> int:
    from citeslab_tui.services import sync

    with open_configured(args) as ws:
        warning = sync.own_clock_warning(ws.repo)
        result = sync.export_bundle(
            ws.repo, Path(args.folder), full=args.full, unencrypted=args.unencrypted
        )
    print(result.message)
    if warning:
        print(warning)
    return 0


def cmd_return(args: argparse.Namespace) -> int:
    from citeslab_tui.services import sync

    with open_configured(args) as ws:
        result = sync.write_return(
            ws.repo, Path(args.folder), unencrypted=args.unencrypted, full=args.full
        )
    for line in result.lines():
        print(line)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from citeslab_tui.services import sync

    with open_configured(args) as ws:
        report = sync.import_bundles(
            ws.repo,
            [Path(p) for p in args.paths],
            allow_unsigned=args.allow_unsigned,
            allow_unencrypted=args.allow_unencrypted,
        )
    for line in report.lines():
        print(line)
    if not report.files:
        print("Aucun fichier à importer.")
    return 1 if report.refused else 0


def cmd_conflicts(args: argparse.Namespace) -> int:
    from citeslab_tui.services import sync

    with open_configured(args) as ws:
        items = sync.list_conflicts(ws)
        if args.keep:
            n, choice = args.keep
            if not 1 <= n <= len(items):
                raise CitesLabError(f"Conflit n° {n} inconnu (1 à {len(items)}).")
            item = items[n - 1]
            sync.resolve_conflict(ws.repo, item.kind, item.record_id, item.field, choice)
            print(f"Conflit résolu : {item.field_label} = {item.shown()[choice]}.")
            return 0
    if not items:
        print("Aucun conflit à examiner.")
    for n, item in enumerate(items, start=1):
        print(f"{n}. {item.label} — {item.field_label} :")
        for v, text in enumerate(item.shown()):
            mark = " (affichée)" if v == 0 else ""
            print(f"     {v}) {text}{mark}")
    return 0


def cmd_duplicates(args: argparse.Namespace) -> int:
    from citeslab_tui.services import sync

    with open_configured(args) as ws:
        pairs = sync.list_duplicates(ws.repo)
        chosen = args.merge or args.different
        if chosen is not None:
            if not 1 <= chosen <= len(pairs):
                raise CitesLabError(f"Paire n° {chosen} inconnue (1 à {len(pairs)}).")
            pair = pairs[chosen - 1]
            if args.different:
                sync.mark_different(ws.repo, pair.a, pair.b)
                print("Noté : ce sont deux personnes différentes.")
            else:
                keep, other = (pair.b, pair.a) if args.keep_second else (pair.a, pair.b)
                label = pair.label_b if args.keep_second else pair.label_a
                moved = sync.merge_persons(ws.repo, keep, other)
                print(
                    f"Fusionné : {label} (historique des deux conservé, "
                    f"{moved} enregistrement(s) rattaché(s))."
                )
            return 0
    if not pairs:
        print("Aucun doublon possible à examiner.")
    for n, pair in enumerate(pairs, start=1):
        print(f"{n}. {pair.label_a}\n   {pair.label_b}\n   même {', '.join(pair.reasons)}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from citeslab_tui.services import sync

    with open_configured(args) as ws:
        pending = sync.pending_changes(ws.repo)
        print(f"Prochain envoi : {sync.describe_counts(pending, empty='rien de nouveau')}.")
        warning = sync.own_clock_warning(ws.repo)
        if warning:
            print(warning)
        for line in sync.received_summary(ws.repo):
            print(line)
    return 0
