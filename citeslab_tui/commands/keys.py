"""`citeslab keys ...`: encryption keys of the sync bundles (age format)."""

from __future__ import annotations

import argparse
from pathlib import Path

from citeslab_tui.store.paths import resolve_data_dir


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "keys",
        help="clés de chiffrement des fichiers de synchronisation",
        description="Clés de chiffrement (format age).\n\nExemples :\n"
        "  citeslab keys init                      (bureau : crée la paire de clés, affiche la publique)\n"
        "  citeslab keys trust /media/cle/bureau.pub   (portable : installe la clé du bureau)\n"
        "  citeslab keys trust sequestre.pub --escrow  (clé de secours supplémentaire)\n"
        "  citeslab keys show",
    )
    ks = p.add_subparsers(dest="keys_command", title="commandes", metavar="COMMANDE")
    p.set_defaults(handler=lambda args: (p.print_help(), 2)[1])

    i = ks.add_parser(
        "init",
        help="créer la paire de clés de ce poste et afficher la publique",
        description="Crée la paire de clés de ce poste (une seule fois) et affiche la clé "
        "publique.\n\nExemple :\n  citeslab keys init --export /media/cle/bureau.pub",
    )
    i.add_argument(
        "--export", metavar="FICHIER", help="écrire aussi la clé publique dans FICHIER (à copier)"
    )
    i.set_defaults(handler=cmd_init)

    t = ks.add_parser(
        "trust",
        help="installer la clé publique du bureau (ou de séquestre)",
        description="Installe la clé publique du bureau sur ce portable (ou ajoute une clé de "
        "séquestre).\n\nExemples :\n  citeslab keys trust /media/cle/bureau.pub\n"
        "  citeslab keys trust age1…(la clé affichée par « keys init » au bureau)\n"
        "  citeslab keys trust sequestre.pub --escrow",
    )
    t.add_argument(
        "file",
        metavar="FICHIER",
        help="fichier contenant la clé publique « age1… », ou la clé elle-même",
    )
    t.add_argument(
        "--escrow", action="store_true", help="clé de séquestre : ajoutée aux destinataires"
    )
    t.set_defaults(handler=cmd_trust)

    s = ks.add_parser(
        "show",
        help="afficher les clés publiques connues",
        description="Affiche la clé publique de ce poste, celle du bureau et les clés de "
        "séquestre.\n\nExemple :\n  citeslab keys show",
    )
    s.set_defaults(handler=cmd_show)


def cmd_init(args: argparse.Namespace) -> int:
    from citeslab_tui.store.files import ensure_private_dir
    from citeslab_tui.store.lock import DataDirLock
    from citeslab_tui.sync import keys

    folder = ensure_private_dir(resolve_data_dir(args.data_dir))
    lock = DataDirLock(folder)
    lock.acquire()
    try:
        public, created = keys.ensure_identity(folder)
    finally:
        lock.release()
    if created:
        print(
            "Paire de clés créée (clé secrète dans le dossier des données, lisible par vous seul)."
        )
        print("Sauvegardez ce dossier : sans la clé secrète, les fichiers reçus sont illisibles.")
    else:
        print("Ce poste a déjà une paire de clés (inchangée).")
    print(f"Clé publique : {public}")
    if args.export:
        target = Path(args.export)
        try:
            target.write_text(f"# clé publique CitésLab (age)\n{public}\n", encoding="utf-8")
        except OSError as exc:
            from citeslab_tui.domain.errors import CitesLabError
            from citeslab_tui.store.files import describe_os_error

            raise CitesLabError(
                describe_os_error(exc, f"Écriture de {target} impossible")
            ) from None
        print(f"Clé publique écrite dans {target} : installez-la sur chaque portable avec")
        print(f"  citeslab keys trust {target}")
    return 0


def cmd_trust(args: argparse.Namespace) -> int:
    from citeslab_tui.store.files import ensure_private_dir
    from citeslab_tui.store.lock import DataDirLock
    from citeslab_tui.sync import keys

    folder = ensure_private_dir(resolve_data_dir(args.data_dir))
    if args.file.strip().startswith("age1") and not Path(args.file).exists():
        public = keys.check_recipient(args.file.strip())  # the key itself, copied from a screen
    else:
        public = keys.read_public_file(Path(args.file))
    lock = DataDirLock(folder)
    lock.acquire()
    try:
        keys.trust(folder, public, escrow=args.escrow)
        own, _ = keys.ensure_identity(folder)
    finally:
        lock.release()
    what = "de séquestre ajoutée" if args.escrow else "du bureau installée"
    print(f"Clé {what} : {public}")
    print(f"Clé publique de ce poste (envoyée avec ses fichiers) : {own}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from citeslab_tui.sync import keys

    folder = resolve_data_dir(args.data_dir)
    print(
        f"Ce poste : {keys.public_key(folder)}"
        if keys.has_identity(folder)
        else "Ce poste : pas de clé (citeslab keys init)."
    )
    print(f"Bureau : {keys.office_key(folder) or 'non installée (citeslab keys trust FICHIER)'}")
    for key in keys.escrow_keys(folder):
        print(f"Séquestre : {key}")
    return 0
