"""`citeslab keys ...`: identities and keys of the sync bundles (thin over services.keys)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from citeslab_tui.commands.common import open_configured
from citeslab_tui.domain.errors import CitesLabError
from citeslab_tui.store.paths import resolve_data_dir

if TYPE_CHECKING:  # services are imported by the commands that use them (start-up speed)
    from citeslab_tui.domain.models import Settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "keys",
        help="identité de ce poste, bureau et portables de confiance",
        description="Identités et clés des fichiers de synchronisation.\n\nExemples :\n"
        "  citeslab keys export /media/cle/identite-portable-1.txt   (sur un portable)\n"
        "  citeslab keys enroll /media/cle/identite-portable-1.txt   (au bureau)\n"
        "  citeslab keys trust /media/cle/identite-bureau.txt        (sur un portable)\n"
        "  citeslab keys revoke portable-1                           (au bureau)\n"
        "  citeslab keys show",
    )
    ks = p.add_subparsers(dest="keys_command", title="commandes", metavar="COMMANDE")
    p.set_defaults(handler=lambda args: (p.print_help(), 2)[1])

    i = ks.add_parser(
        "init",
        help="créer les clés de ce poste (ou une clé de séquestre)",
        description="Crée les clés de ce poste (une seule fois). Dans un dossier non préparé "
        "(clé de séquestre), --export écrit sa clé publique de chiffrement.\n\nExemples :\n"
        "  citeslab keys init\n"
        "  citeslab --data-dir sequestre keys init --export sequestre.pub",
    )
    i.add_argument(
        "--export", metavar="FICHIER", help="écrire aussi l'identité (ou la clé publique) ici"
    )
    i.set_defaults(handler=cmd_init)

    e = ks.add_parser(
        "export",
        help="écrire l'identité de ce poste (clés publiques) dans FICHIER",
        description="Écrit l'identité publique de ce poste (identifiant, structure, clé de "
        "chiffrement, clé de signature) : à remettre au bureau (portable) ou aux portables "
        "(bureau). Rien de secret.\n\nExemple :\n"
        "  citeslab keys export /media/cle/identite-portable-1.txt",
    )
    e.add_argument("file", metavar="FICHIER", help="fichier à écrire (ou dossier)")
    e.set_defaults(handler=cmd_export)

    n = ks.add_parser(
        "enroll",
        help="(bureau) inscrire un portable après comparaison de son empreinte",
        description="Affiche l'empreinte du portable, à comparer au téléphone avec "
        "« citeslab keys show » sur le portable, puis l'inscrit : ses envois seront "
        "acceptés et les fichiers retour chiffrés pour lui.\n\nExemple :\n"
        "  citeslab keys enroll /media/cle/identite-portable-1.txt",
    )
    n.add_argument("file", metavar="FICHIER", help="fichier d'identité écrit sur le portable")
    n.add_argument("--yes", action="store_true", help="ne pas demander de confirmation")
    n.set_defaults(handler=cmd_enroll)

    t = ks.add_parser(
        "trust",
        help="(portable) installer l'identité du bureau, ou une clé de séquestre",
        description="Installe l'identité du bureau sur ce portable, après comparaison de son "
        "empreinte au téléphone (ou ajoute une clé de séquestre avec --escrow).\n\nExemples :\n"
        "  citeslab keys trust /media/cle/identite-bureau.txt\n"
        "  citeslab keys trust sequestre.pub --escrow",
    )
    t.add_argument(
        "file",
        metavar="FICHIER",
        help="fichier d'identité du bureau (ou, avec --escrow, la clé « age1… »)",
    )
    t.add_argument(
        "--escrow", action="store_true", help="clé de séquestre : ajoutée aux destinataires"
    )
    t.add_argument("--yes", action="store_true", help="ne pas demander de confirmation")
    t.set_defaults(handler=cmd_trust)

    r = ks.add_parser(
        "revoke",
        help="(bureau) retirer un portable perdu ou volé",
        description="Retire un portable : ses fichiers sont refusés dès maintenant et les "
        "fichiers retour ne sont plus chiffrés pour lui.\n\nExemple :\n"
        "  citeslab keys revoke portable-1",
    )
    r.add_argument("device", metavar="POSTE", help="nom ou identifiant du portable")
    r.set_defaults(handler=cmd_revoke)

    s = ks.add_parser(
        "show",
        help="afficher l'identité de ce poste et les postes de confiance",
        description="Affiche l'identité et l'empreinte de ce poste, le bureau (portable) ou "
        "les portables inscrits (bureau), et les clés de séquestre.\n\nExemple :\n"
        "  citeslab keys show",
    )
    s.set_defaults(handler=cmd_show)


@dataclass(frozen=True)
class _KeyFolder:
    """A data folder and its settings: `keys show` without opening the database."""

    data_dir: Path
    settings: Settings


def _confirm(question: str, yes: bool, what: str) -> None:
    if yes:
        return
    try:
        answer = input(f"{question} [o/N] ")
    except EOFError:
        answer = ""
    if answer.strip().lower() not in ("o", "oui"):
        raise CitesLabError(
            f"{what} : rien n'a changé (après avoir comparé l'empreinte, relancez avec "
            "--yes si la question ne peut pas être posée)."
        )


def cmd_init(args: argparse.Namespace) -> int:
    from citeslab_tui.bundles import keys
    from citeslab_tui.store.files import ensure_private_dir
    from citeslab_tui.store.settings import load_settings

    folder = resolve_data_dir(args.data_dir)
    if load_settings(folder).configured:
        from citeslab_tui.services import keys as identities

        with open_configured(args) as ws:
            created = not keys.has_identity(folder)
            identity = identities.local_identity(ws)
            if args.export:
                identities.export_identity(ws, Path(args.export))
        print("Clés créées." if created else "Ce poste a déjà ses clés (inchangées).")
        print(f"Empreinte de ce poste : {identity.fingerprint}")
        if args.export:
            print(f"Identité écrite dans {args.export}.")
        return 0
    # a bare folder: an escrow key pair (docs/office.md)
    from citeslab_tui.store.lock import DataDirLock

    folder = ensure_private_dir(folder)
    lock = DataDirLock(folder)
    lock.acquire()
    try:
        public, created = keys.ensure_identity(folder)
    finally:
        lock.release()
    if created:
        print("Paire de clés créée (clé secrète dans ce dossier, lisible par vous seul).")
    else:
        print("Ce dossier a déjà une paire de clés (inchangée).")
    print(f"Clé publique : {public}")
    if args.export:
        target = Path(args.export)
        from citeslab_tui.store.files import write_public

        write_public(target, f"# clé publique CitésLab (age)\n{public}\n".encode())
        print(f"Clé publique écrite dans {target} : installez-la sur chaque poste avec")
        print(f"  citeslab keys trust {target} --escrow")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from citeslab_tui.services import keys as identities

    with open_configured(args) as ws:
        identity = identities.export_identity(ws, Path(args.file))
        role = ws.settings.role
    print(f"Identité de ce poste écrite dans {args.file}.")
    print(f"Empreinte : {identity.fingerprint}")
    if role == "office":
        print("Sur chaque portable : citeslab keys trust FICHIER (empreinte à comparer).")
    else:
        print("Au bureau : citeslab keys enroll FICHIER (empreinte à comparer au téléphone).")
    return 0


def cmd_enroll(args: argparse.Namespace) -> int:
    from citeslab_tui.services import keys as identities

    identity = identities.read_identity(Path(args.file))
    with open_configured(args) as ws:
        note = identities.check_enrol(ws, identity)
        print(f"Portable : {identity.label}")
        print(f"Empreinte : {identity.fingerprint}")
        print(
            "Comparez-la au téléphone avec « citeslab keys show » lancé sur ce portable : "
            "les six groupes de chiffres doivent être identiques."
        )
        if note:
            print(note)
        _confirm("Les empreintes sont-elles identiques ?", args.yes, "Inscription annulée")
        identities.enroll(ws, identity)
    print(
        f"Portable inscrit : {identity.label}. Ses envois seront acceptés et les prochains "
        "fichiers retour chiffrés pour lui."
    )
    return 0


def cmd_trust(args: argparse.Namespace) -> int:
    from citeslab_tui.bundles import keys
    from citeslab_tui.services import keys as identities

    if args.escrow:
        folder = resolve_data_dir(args.data_dir)
        if args.file.strip().startswith("age1") and not Path(args.file).exists():
            public = keys.check_recipient(args.file.strip())  # the key itself, copied
        else:
            public = keys.read_public_file(Path(args.file))
        with open_configured(args) as ws:
            keys.add_escrow(folder, public)
            keys.ensure_identity(ws.data_dir)
        print(f"Clé de séquestre ajoutée : {public}")
        return 0
    if Path(args.file).exists():
        identity = identities.read_identity(Path(args.file))
    else:
        identity = identities.identity_from(args.file)  # or the JSON line, pasted
    with open_configured(args) as ws:
        note = identities.check_office(ws, identity)
        print(f"Bureau : {identity.label}, structure {identity.structure or identity.structure_id}")
        print(f"Empreinte : {identity.fingerprint}")
        print(
            "Comparez-la au téléphone avec « citeslab keys show » lancé au bureau : "
            "les six groupes de chiffres doivent être identiques."
        )
        if note:
            print(note)
        _confirm("Les empreintes sont-elles identiques ?", args.yes, "Installation annulée")
        identities.install_office(ws, identity)
        me = identities.local_identity(ws)
    print(f"Identité du bureau installée : {identity.label}.")
    print(
        f"Donnez maintenant l'identité de ce portable au bureau : citeslab keys export FICHIER "
        f"(empreinte de ce portable : {me.fingerprint})."
    )
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    from citeslab_tui.services import keys as identities

    with open_configured(args) as ws:
        identity = identities.revoke(ws, args.device)
    print(
        f"Portable retiré : {identity.label}. Ses fichiers sont refusés dès maintenant et les "
        "prochains fichiers retour ne seront plus chiffrés pour lui. Les fichiers retour déjà "
        "écrits restent lisibles avec sa clé : effacez-les des clés USB."
    )
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from citeslab_tui.bundles import keys
    from citeslab_tui.services import keys as identities
    from citeslab_tui.store.settings import load_settings

    folder = resolve_data_dir(args.data_dir)
    if not load_settings(folder).configured:  # a bare folder (escrow)
        print(
            f"Clé publique : {keys.public_key(folder)}"
            if keys.has_identity(folder)
            else "Pas de clé (citeslab keys init)."
        )
        return 0
    if (keys.keys_dir(folder) / keys.SIGNING).exists() and keys.has_identity(folder):
        # read-only: works while the app is open on this folder
        lines = identities.key_summary(_KeyFolder(folder, load_settings(folder)))
    else:  # the keys are made first: under the folder's lock
        with open_configured(args) as ws:
            lines = identities.key_summary(ws)
    for line in lines:
        print(line)
    return 0
