"""Derive data/communes.csv from the official geographic code (COG) published by Etalab.

Source: the npm package `@etalab/decoupage-administratif` (COG of INSEE, EPCI list of
the DGCL, La Poste postcodes; Licence Ouverte). Get it without installing anything:

    npm pack @etalab/decoupage-administratif          # writes etalab-decoupage-administratif-X.Y.Z.tgz
    python scripts/derive_communes.py etalab-decoupage-administratif-X.Y.Z.tgz

(an already extracted `package/` folder works too). The script writes
`data/communes.csv`: every current commune of the Calvados (department 14) with its
INSEE code, its postcodes, whether it belongs to the Communauté urbaine Caen la Mer
(SIREN 200065597) and, as aliases, the names of the former communes merged into it
(communes déléguées / associées), so an old register that still says "Lasson" finds
"Rots". The package name and version are written in every row's `source`.

Standard library only; run by hand when a new COG year is published, then commit the
CSV with the version in the commit message.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import tarfile
from pathlib import Path

PACKAGE = "@etalab/decoupage-administratif"
DEPARTMENT = "14"
CAEN_LA_MER = "200065597"
COLUMNS = ("insee", "commune", "codes_postaux", "caen_la_mer", "alias", "statut", "source")
OUTPUT = Path(__file__).resolve().parents[1] / "data" / "communes.csv"


def read_package(path: Path) -> tuple[str, list[dict], list[dict]]:
    """(version, communes.json, epci.json) from a .tgz made by `npm pack` or a folder."""

    def load(read: object, name: str) -> object:
        return json.loads(read(name))  # type: ignore[operator]

    if path.is_dir():
        root = path / "package" if (path / "package").is_dir() else path

        def read(name: str) -> bytes:
            return (root / name).read_bytes()

    else:
        archive = tarfile.open(path, "r:gz")

        def read(name: str) -> bytes:
            member = archive.extractfile(f"package/{name}")
            if member is None:
                raise SystemExit(f"{name} absent de {path}")
            return member.read()

    meta = load(read, "package.json")
    if meta.get("name") != PACKAGE:  # type: ignore[union-attr]
        raise SystemExit(f"{path} n'est pas le paquet {PACKAGE}")
    communes = load(read, "data/communes.json")
    epci = load(read, "data/epci.json")
    return str(meta["version"]), communes, epci  # type: ignore[index,return-value]


def derive(version: str, communes: list[dict], epci: list[dict]) -> list[dict[str, str]]:
    """The rows of data/communes.csv, sorted by INSEE code."""
    members = next((e for e in epci if e.get("code") == CAEN_LA_MER), None)
    if members is None:
        raise SystemExit(f"EPCI {CAEN_LA_MER} (Caen la Mer) absent du paquet")
    in_caen_la_mer = {m["code"] for m in members["membres"]}
    source = f"{PACKAGE} {version} (COG INSEE, EPCI DGCL, codes postaux La Poste)"
    current = {
        c["code"]: c
        for c in communes
        if c.get("departement") == DEPARTMENT and c.get("type") == "commune-actuelle"
    }
    former: dict[str, list[str]] = {}
    for c in communes:
        if c.get("departement") != DEPARTMENT or c.get("type") == "commune-actuelle":
            continue
        parent = current.get(c.get("chefLieu", ""))
        if parent is not None and c["nom"] != parent["nom"]:
            former.setdefault(parent["code"], []).append(c["nom"])
    missing = in_caen_la_mer - set(current)
    if missing:
        raise SystemExit(f"membres de Caen la Mer introuvables : {sorted(missing)}")
    rows = []
    for code in sorted(current):
        c = current[code]
        rows.append(
            {
                "insee": code,
                "commune": c["nom"],
                "codes_postaux": " ".join(sorted(c.get("codesPostaux", []))),
                "caen_la_mer": "oui" if code in in_caen_la_mer else "non",
                "alias": "|".join(sorted(set(former.get(code, [])))),
                "statut": "verifie",
                "source": source,
            }
        )
    return rows


def write_csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("package", type=Path, help="archive .tgz de `npm pack` ou dossier")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="CSV à écrire")
    args = parser.parse_args(argv)
    version, communes, epci = read_package(args.package)
    rows = derive(version, communes, epci)
    args.output.write_text(write_csv(rows), encoding="utf-8")
    members = sum(r["caen_la_mer"] == "oui" for r in rows)
    print(f"{args.output}: {len(rows)} communes du Calvados, dont {members} de Caen la Mer")
    return 0


if __name__ == "__main__":
    sys.exit(main())
