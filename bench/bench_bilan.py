"""Bilan, exports and register import benchmark.

Usage: .venv/bin/python bench/bench_bilan.py [--people 10000] [--rows 10000]

The demo folder (`citeslab demo --people N --seed 1`) is generated once and cached
under /tmp/citeslab_bench_bilan_<N>. Targets (issue 6): the bilan of one activity
year <= 200 ms, the XLSX export <= 3 s, importing a 10,000-row register <= 10 s.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from citeslab_tui.cli import main as cli_main  # noqa: E402
from citeslab_tui.domain.bilan import activity_year  # noqa: E402
from citeslab_tui.services import exports, importer, reports  # noqa: E402
from citeslab_tui.services.workspace import Workspace  # noqa: E402

TARGETS = {"bilan": 0.200, "xlsx_export": 3.0, "import": 10.0}


def demo_folder(people: int) -> Path:
    folder = Path(f"/tmp/citeslab_bench_bilan_{people}")
    marker = folder / ".complete"
    if not marker.exists():
        print(f"Génération des données de démonstration ({people} personnes)…", flush=True)
        if cli_main(["--data-dir", str(folder), "demo", "--people", str(people), "--seed", "1"]):
            raise SystemExit("demo failed")
        marker.write_text("ok")
    return folder


CPU: dict[str, float] = {}


def timed(fn, repeat: int = 1, key: str = "") -> tuple[float, object]:
    """Median wall time of `repeat` runs (the CPU time of the process is kept in CPU)."""
    times, cpus, result = [], [], None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    if key:
        CPU[key] = statistics.median(cpus)
    return statistics.median(times), result


FIRST = "Awa Aïcha Hugo Karim Léa Issa Chloé Mamadou Inès Théo Fatou Noé".split()
FAMILY = "Diallo Martin Koné Traoré Roux Bernard Sow Cissé Hébert Guérin Lemaire Fofana".split()


def write_register(path: Path, rows: int, seed: int = 7) -> None:
    """A realistic register: every date form, blank rows, duplicates, a few bad rows."""
    rng = random.Random(seed)
    forms = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y"]
    header = [
        "Nom", "Prénom", "Sexe", "Date de naissance", "Téléphone", "Commune", "Quartier",
        "Lieu", "Date de sensibilisation", "Date premier entretien", "Démarche", "Étape",
        "Date détection", "Date émergence", "Issue", "Date issue", "Partenaire", "Notes",
    ]  # fmt: skip
    start = date(2012, 9, 1)
    with path.open("w", encoding="cp1252", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(header)
        for n in range(rows):
            if n % 500 == 499:
                writer.writerow([])
            day = start + timedelta(days=rng.randrange(4000))

            def fmt(d: date) -> str:
                return d.strftime(rng.choice(forms))

            stage = rng.choice(["Sensibilisé", "Détecté", "EMERGENCE"])
            detected = day + timedelta(days=rng.randrange(60))
            emergence = detected + timedelta(days=rng.randrange(90))
            outcome = rng.choice(["", "", "Création", "Emploi", "Formation", "Abandon"])
            writer.writerow(
                [
                    rng.choice(FAMILY) + ("" if n % 50 else ""),
                    rng.choice(FIRST) + f"-{n // 3}",
                    rng.choice(["F", "Femme", "H", "Homme", ""]),
                    fmt(date(rng.randint(1960, 2004), rng.randint(1, 12), rng.randint(1, 28))),
                    f"06 {rng.randrange(100):02d} {rng.randrange(100):02d} "
                    f"{rng.randrange(100):02d} {rng.randrange(100):02d}",
                    rng.choice(["Caen", "Hérouville-Saint-Clair", "Colombelles"]),
                    rng.choice(["Chemin Vert", "guerinière", "hors QPV", ""]),
                    rng.choice(["Caen – Chemin Vert", "Colombelles", ""]),
                    fmt(day),
                    fmt(day + timedelta(days=7)) if rng.random() < 0.8 else "",
                    rng.choice(["Individuelle", "collectif", ""]),
                    stage,
                    fmt(detected) if stage != "Sensibilisé" else "",
                    fmt(emergence) if stage == "EMERGENCE" else "",
                    outcome,
                    fmt(emergence + timedelta(days=100)) if outcome else "",
                    rng.choice(["", "Adie", "France Travail"]),
                    "Suivi; rappel prévu" if rng.random() < 0.1 else "",
                ]
            )
        writer.writerow(["", "Sans nom"] + [""] * 16)  # one rejected row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=10000)
    parser.add_argument("--rows", type=int, default=10000)
    args = parser.parse_args()

    folder = demo_folder(args.people)
    figures: dict[str, float] = {}
    with Workspace.open(folder) as ws, tempfile.TemporaryDirectory() as tmp:
        year = activity_year(date.today(), -1)
        reports.bilan_for(ws, year)  # warm-up
        figures["bilan"], bilan = timed(lambda: reports.bilan_for(ws, year), repeat=7, key="bilan")
        site = ws.site_names()[0]
        figures["bilan_site"], _ = timed(
            lambda: reports.bilan_for(ws, year, site), repeat=7, key="bilan_site"
        )
        figures["report_xlsx"], _ = timed(
            lambda: reports.render_xlsx(bilan), repeat=3, key="report_xlsx"
        )
        figures["xlsx_export"], _ = timed(
            lambda: exports.export(ws, "xlsx", Path(tmp) / "export.xlsx"),
            repeat=3,
            key="xlsx_export",
        )
        figures["csv_export"], _ = timed(
            lambda: exports.export(ws, "csv", Path(tmp) / "export-csv"), repeat=3, key="csv_export"
        )
        size = (Path(tmp) / "export.xlsx").stat().st_size
        print(f"Bilan {year.label} : {bilan.indicators['received']} reçus (données {folder})")

    with tempfile.TemporaryDirectory() as tmp:
        register = Path(tmp) / "registre.csv"
        write_register(register, args.rows)
        with Workspace.open(Path(tmp) / "donnees") as ws:
            ws.configure(structure="Bench", staff=["Céline"], device="bench")
            figures["import_prepare"], plan = timed(
                lambda: importer.prepare(ws, register), key="import_prepare"
            )
            figures["import_write"], written = timed(
                lambda: importer.apply(ws, plan), key="import_write"
            )
            figures["import"] = figures["import_prepare"] + figures["import_write"]
            CPU["import"] = CPU["import_prepare"] + CPU["import_write"]
            figures["reimport_prepare"], again = timed(
                lambda: importer.prepare(ws, register), key="reimport_prepare"
            )
            print(
                f"Registre {args.rows} lignes : {plan.new_people} nouvelles personnes, "
                f"{plan.duplicates} doublons, {plan.rejected} rejetées, {written} "
                f"enregistrements écrits ; réimport : {len(again.records)} à écrire."
            )

    import os

    print()
    print(f"charge de la machine : {os.getloadavg()[0]:.1f} sur {os.cpu_count()} processeurs")
    print(f"{'mesure':<20}{'s (réel)':>10}{'s (CPU)':>10}{'cible':>10}")
    for key, value in figures.items():
        target = TARGETS.get(key)
        line = f"{key:<20}{value:>10.3f}{CPU.get(key, 0):>10.3f}"
        if target:
            line += f"{target:>10.3f}" + ("  OK" if value <= target else "  TROP LENT")
        print(line)
    print(f"taille du classeur d'export : {size / 2**20:.1f} Mio")


if __name__ == "__main__":
    main()
