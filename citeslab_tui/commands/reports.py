"""The office's commands: report (the bilan), export, import (the legacy register)."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from citeslab_tui.domain.errors import CitesLabError
from citeslab_tui.store.paths import resolve_data_dir

if TYPE_CHECKING:
    from citeslab_tui.domain.bilan import Bilan, Period

EXIT_USAGE = 2


def _date(value: str) -> date:
    from citeslab_tui.domain.text import parse_date

    try:
        return parse_date(value)
    except CitesLabError as exc:
        raise argparse.ArgumentTypeError(
            f"{exc.message} (AAAA-MM-JJ ou jj/mm/aaaa attendu)"
        ) from None


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="bilan d'activité d'une période (texte, JSON, CSV ou Excel)",
        description="Calcule le bilan d'une période (dates incluses), pour un site ou tous.\n"
        "Sans --from/--to : l'année d'activité en cours (1er septembre – 31 août).\n\n"
        "Exemples :\n"
        "  citeslab report --from 2013-09-01 --to 2014-08-31\n"
        "  citeslab report --from 01/09/2013 --to 31/08/2014 --format json\n"
        '  citeslab report --from 2024-09-01 --to 2025-08-31 --site "Colombelles" '
        "--format xlsx --output bilan.xlsx\n"
        "  citeslab report --compare --format pdf --output bilan.pdf\n"
        "  citeslab report merge caen.json lisieux.json --format xlsx --output region.xlsx",
    )
    p.add_argument("--from", dest="start", type=_date, metavar="DATE", help="premier jour")
    p.add_argument("--to", dest="end", type=_date, metavar="DATE", help="dernier jour (inclus)")
    p.add_argument("--site", metavar="NOM", help="un seul site de permanence")
    p.add_argument(
        "--format",
        choices=("text", "json", "csv", "xlsx", "pdf"),
        default="text",
        help="format (xlsx et pdf : un fichier, dans exports/ sans --output)",
    )
    p.add_argument("--output", metavar="FICHIER", help="fichier à écrire (sinon la sortie)")
    p.add_argument(
        "--compare",
        action="store_true",
        help="chaque indicateur à côté de celui des mêmes dates un an plus tôt, avec l'évolution",
    )
    p.set_defaults(handler=cmd_report)
    steps = p.add_subparsers(dest="report_command", metavar="[merge]", required=False)
    m = steps.add_parser(
        "merge",
        help="additionner les bilans JSON de plusieurs structures (même période)",
        description="Additionne les bilans JSON (citeslab report --format json) de "
        "plusieurs structures pour la même période : un bilan régional ou national.\n"
        "Vérifie que les périodes et les versions de format sont les mêmes et liste les\n"
        "structures. Sans --output : le bilan additionné en JSON sur la sortie.\n\n"
        "Exemples :\n  citeslab report merge caen.json lisieux.json > region.json\n"
        "  citeslab report merge *.json --format xlsx --output region.xlsx",
    )
    m.add_argument("files", nargs="+", metavar="FICHIER.json", help="bilans JSON à additionner")
    m.add_argument(
        "--format",
        dest="merge_format",
        choices=("text", "json", "xlsx", "pdf"),
        default=None,
        help="format (json par défaut ; xlsx et pdf demandent --output)",
    )
    m.add_argument("--output", dest="merge_output", metavar="FICHIER", help="fichier à écrire")
    m.set_defaults(handler=cmd_report_merge)

    p = sub.add_parser(
        "export",
        help="exporter personnes, entretiens, étapes, orientations, issues et tâches",
        description="Exporte les données pour le bureau (fichiers réservés à l'utilisateur).\n"
        "CSV : un dossier avec un fichier par table (UTF-8 avec BOM, séparateur « ; »).\n"
        "XLSX : un classeur, une feuille par table. JSON : un seul fichier.\n"
        "Sans --output : dans le sous-dossier exports du dossier des données.\n\n"
        "Exemples :\n  citeslab export --format xlsx --output export.xlsx\n"
        "  citeslab export --format csv --output export-csv",
    )
    p.add_argument("--format", choices=("csv", "xlsx", "json"), default="xlsx", help="format")
    p.add_argument("--output", metavar="CHEMIN", help="fichier (ou dossier pour CSV)")
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser(
        "import",
        help="importer le registre historique (CSV ou XLSX)",
        description="Importe le registre tenu depuis 2012 (une ligne par personne).\n"
        "Affiche un résumé puis demande confirmation ; rien n'est écrit sans accord.\n"
        "Chaque personne est gardée : une valeur illisible est laissée vide et signalée\n"
        "(ligne et colonne). Réimporter le même fichier n'ajoute rien.\n"
        "Les communes, quartiers, lieux et partenaires sans correspondance sont listés ;\n"
        "rattachez-les dans reference/correspondances.csv du dossier des données\n"
        "(--write-mapping y ajoute ceux du fichier), puis réimportez.\n\n"
        "Exemples :\n  citeslab import registre.csv --dry-run\n"
        "  citeslab import registre.csv --dry-run --date-order jj/mm\n"
        "  citeslab import registre.xlsx --dry-run --write-mapping\n"
        "  citeslab import registre.xlsx --yes",
    )
    p.add_argument("file", metavar="FICHIER", help="registre (.csv ou .xlsx)")
    p.add_argument("--dry-run", action="store_true", help="afficher le résumé sans rien écrire")
    p.add_argument("--yes", action="store_true", help="ne pas demander de confirmation")
    p.add_argument(
        "--date-order",
        choices=("jj/mm", "mm/jj"),
        help="ordre des dates du fichier (demandé quand le fichier ne permet pas de le savoir)",
    )
    p.add_argument(
        "--write-mapping",
        action="store_true",
        help="ajouter les valeurs sans correspondance à reference/correspondances.csv "
        "(colonne reference à compléter ; la base n'est pas modifiée)",
    )
    p.set_defaults(handler=cmd_import)


def _period(args: argparse.Namespace) -> Period | None:  # None: the error is printed
    """--from/--to; a missing bound is taken from the activity year of the other one."""
    from citeslab_tui.domain.bilan import Period, activity_year

    anchor = activity_year(args.start or args.end or date.today())
    start = args.start or anchor.start
    end = args.end or anchor.end
    try:
        return Period(start, end)
    except CitesLabError as exc:
        print(f"citeslab report : erreur : {exc.message}", file=sys.stderr)
        return None


def cmd_report(args: argparse.Namespace) -> int:
    from citeslab_tui.services import reports
    from citeslab_tui.services.workspace import Workspace

    period = _period(args)
    if period is None:
        return EXIT_USAGE
    with Workspace.open(resolve_data_dir(args.data_dir), create=False) as ws:
        for problem in ws.reference.check():
            print(f"Attention : {problem}", file=sys.stderr)
        site = reports.resolve_site(ws, args.site)
        bilan = reports.bilan_for(ws, period, site, compare=args.compare)
        reports.refuse_empty(bilan)
        if args.format in ("xlsx", "pdf") and not args.output:
            folder = ws.exports_dir
            args.output = str(folder / f"{reports.report_basename(bilan)}.{args.format}")
    return _emit(bilan, args.format, args.output)


def _emit(bilan: Bilan, fmt: str, output: str | None) -> int:
    """Write the report to `output`, else to standard output."""
    from citeslab_tui.services import reports

    data = reports.render(bilan, fmt)
    if output:
        from citeslab_tui.store.files import write_private

        path = write_private(Path(output).expanduser(), data, make_folder=True)
        print(f"Bilan écrit : {path}")
    elif fmt == "text":
        print(data.decode("utf-8"), end="")  # the console's own encoding
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


def cmd_report_merge(args: argparse.Namespace) -> int:
    from citeslab_tui.services import reports

    fmt = args.merge_format or "json"
    if fmt in ("xlsx", "pdf") and not args.merge_output:
        print(
            f"citeslab report merge : erreur : le format {fmt} s'écrit dans un fichier : "
            "indiquez --output FICHIER.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    bilan = reports.merge_files(args.files)
    return _emit(bilan, fmt, args.merge_output)


def cmd_export(args: argparse.Namespace) -> int:
    from citeslab_tui.services import exports
    from citeslab_tui.services.workspace import Workspace

    with Workspace.open(resolve_data_dir(args.data_dir), create=False) as ws:
        paths = exports.export(ws, args.format, args.output)
    print("Export écrit (réservé à votre compte) :")
    for path in paths:
        print(f"  {path}")
    return 0


def _confirm(question: str) -> bool:
    try:
        answer = input(f"{question} [o/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("o", "oui", "y", "yes")


def cmd_import(args: argparse.Namespace) -> int:
    from citeslab_tui.domain.register import DATE_ORDER_OPTIONS, DateOrderNeeded
    from citeslab_tui.services import importer
    from citeslab_tui.services.workspace import Workspace

    with Workspace.open(resolve_data_dir(args.data_dir)) as ws:
        try:
            plan = importer.prepare(
                ws, args.file, date_order=DATE_ORDER_OPTIONS.get(args.date_order or "")
            )
        except DateOrderNeeded as exc:
            print(f"citeslab import : {exc.message}", file=sys.stderr)
            return EXIT_USAGE
        print("\n".join(plan.summary_lines()))
        if args.write_mapping:
            path, added = importer.write_mapping_template(ws, plan)
            print(
                f"Correspondances à compléter : {added} valeur(s) ajoutée(s) à {path} "
                "(colonne reference vide : écrivez-y l'entrée de la table, puis réimportez)."
            )
        if args.dry_run:
            print("Essai à blanc : rien n'a été écrit.")
            return 0
        if plan.nothing_to_write:
            print("Rien à ajouter : la base est déjà à jour.")
            return 0
        question = (
            f"Importer {plan.new_people} nouvelles personnes et {plan.events} événements "
            f"({len(plan.records)} enregistrements) ?"
        )
        if not args.yes and not _confirm(question):
            print("Import annulé : rien n'a été écrit.")
            return 0
        written = importer.apply(ws, plan)
    print(f"Import terminé : {written} enregistrements écrits.")
    return 0
