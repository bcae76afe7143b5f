"""Reference tables (communes, QPV, partners, sites, sectors, ...).

Shipped in `data/<table>.csv` with a `statut` column saying how each row was
verified. Each table can be extended or overridden by the user: a file
`<data folder>/reference/<table>.csv` with the same columns; its rows replace
the shipped rows with the same key (first column) and add the others. A row
whose `statut` is `supprime` hides the shipped row.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path

from citeslab_tui.domain.errors import CitesLabError
from citeslab_tui.domain.text import fold
from citeslab_tui.resources import data_file

TABLES = (
    "communes",
    "qpv",
    "partners",
    "sites",
    "sectors",
    "situations",
    "training_levels",
    "sources",
)
OVERRIDE_DIR = "reference"
QPV_2024 = date(2024, 1, 1)
OUTSIDE_QPV = "hors QPV"


def _read(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return [
                {k.strip(): (v or "").strip() for k, v in row.items() if k}
                for row in csv.DictReader(handle)
            ]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise CitesLabError(
            f"Table de référence illisible : {path} ({exc.__class__.__name__})."
        ) from None


def key_column(name: str) -> str:
    """The key of a table: the first column of its shipped file."""
    with data_file(f"{name}.csv").open(encoding="utf-8-sig", newline="") as handle:
        return next(csv.reader(handle))[0].strip()


def load_table(name: str, data_dir: Path | None = None) -> list[dict[str, str]]:
    """Shipped rows, replaced or extended by `<data_dir>/reference/<name>.csv`."""
    rows = _read(data_file(f"{name}.csv"))
    key = key_column(name)
    if data_dir is not None:
        override = data_dir / OVERRIDE_DIR / f"{name}.csv"
        if override.exists():
            extra = _read(override)
            if extra and key not in extra[0]:
                raise CitesLabError(
                    f"La table de référence {override} doit avoir une colonne « {key} » "
                    "(comme data/" + name + ".csv)."
                )
            merged = {fold(r[key]): r for r in rows}
            for row in extra:
                if row.get(key):
                    merged[fold(row[key])] = {"statut": "", **row}
            rows = list(merged.values())
    return [r for r in rows if r.get(key) and fold(r.get("statut", "")) != "supprime"]


@dataclass
class Reference:
    """All reference tables of one data folder, loaded once."""

    data_dir: Path | None = None
    _cache: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    _keys: dict[str, str] = field(default_factory=dict)

    def table(self, name: str) -> list[dict[str, str]]:
        if name not in self._cache:
            self._cache[name] = load_table(name, self.data_dir)
        return self._cache[name]

    def names(self, name: str) -> list[str]:
        """Key column of a table (its first column): the values offered for completion."""
        if name not in self._keys:
            self._keys[name] = key_column(name)
        key = self._keys[name]
        return [row[key] for row in self.table(name)]

    @cached_property
    def communes_by_insee(self) -> dict[str, dict[str, str]]:
        return {row["insee"]: row for row in self.table("communes")}

    def commune_name(self, insee: str | None) -> str:
        row = self.communes_by_insee.get(insee or "")
        return row["commune"] if row else ""

    def find_commune(self, typed: str) -> dict[str, str] | None:
        key = fold(typed)
        for row in self.table("communes"):
            if fold(row["commune"]) == key or row["insee"] == typed.strip():
                return row
        return None

    def qpv_names(self, on: date | None = None) -> list[str]:
        """Neighbourhoods of the QPV map valid on a date (2015 map before 2024)."""
        on = on or date.today()
        column = "qpv_2024" if on >= QPV_2024 else "qpv_2015"
        return [r["nom"] for r in self.table("qpv") if fold(r.get(column, "")) != "non"]

    def match_qpv(self, typed: str) -> str | None:
        """The reference name of a neighbourhood typed any way, or None."""
        key = fold(typed)
        if not key:
            return None
        if key in ("hors qpv", "hors quartier", "non qpv"):
            return OUTSIDE_QPV
        for row in self.table("qpv"):
            name = row["nom"]
            if fold(name) == key or fold(name.split("(")[0]) == key:
                return name
        return None
