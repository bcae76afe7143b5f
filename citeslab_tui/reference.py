"""Reference tables (communes, QPV and their maps, partners, sites, sectors, ...).

Shipped in `data/<table>.csv`, each row with a `statut` saying how it was verified
(data/README.md tells where each table comes from). The office can change them in its
data folder, in `<data folder>/reference/`:

- `<table>.csv`, same columns as the shipped file (`,` or `;`, UTF-8 or Windows-1252):
  its rows replace the shipped rows with the same key (first column) and add the
  others; a row whose `statut` is `supprime` hides the shipped row;
- `correspondances.csv`, columns `table`, `valeur`, `reference`: another spelling of a
  reference entry, for any table (an alias: "Pole emploi" -> "France Travail"). The
  register import uses the same file for the values it could not match (a value as
  typed in the old register -> the entry it means), so a value mapped there is matched
  on the next import.

A file with an error is refused whole, with its line number, in French
(`Reference.problems`); the shipped tables are used instead, so the app still starts.
`Reference.places` turns the tables into the domain's `Places` (domain/places.py), where
the one matching rule lives.
"""

from __future__ import annotations

import csv
import io
import re
import threading
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from citeslab_tui.domain import places as P
from citeslab_tui.domain.errors import CitesLabError
from citeslab_tui.domain.text import clean_text, fold, match_key
from citeslab_tui.resources import data_file

TABLES = (
    "communes",
    "qpv",
    "qpv_maps",
    "partners",
    "sites",
    "sectors",
    "situations",
    "training_levels",
    "sources",
)
OVERRIDE_DIR = "reference"
ALIAS_FILE = "correspondances.csv"
ALIAS_COLUMNS = ("table", "valeur", "reference")
ALIAS_SEPARATOR = "|"
OUTSIDE_QPV = P.OUTSIDE_QPV
# names the office may write in the `table` column of correspondances.csv
TABLE_NAMES = {
    "communes": "communes",
    "commune": "communes",
    "qpv": "qpv",
    "quartier": "qpv",
    "quartiers": "qpv",
    "partners": "partners",
    "partenaire": "partners",
    "partenaires": "partners",
    "sites": "sites",
    "site": "sites",
    "lieu": "sites",
    "lieux": "sites",
    "sectors": "sectors",
    "secteur": "sectors",
    "secteurs": "sectors",
    "situations": "situations",
    "situation": "situations",
    "training levels": "training_levels",
    "niveau de formation": "training_levels",
    "niveaux de formation": "training_levels",
    "sources": "sources",
    "connu par": "sources",
}
TABLE_LABELS = {
    "communes": "communes",
    "qpv": "quartiers (QPV)",
    "partners": "partenaires",
    "sites": "sites",
    "sectors": "secteurs",
    "situations": "situations",
    "training_levels": "niveaux de formation",
    "sources": "connu par",
}


class ReferenceFileError(CitesLabError):
    """An office file of the reference folder that cannot be used (French, line number)."""


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def _read(path: Path) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) of a CSV; `,` or `;` (Excel in French) detected on the header."""
    try:
        content = _decode(path.read_bytes())
    except UnicodeDecodeError:
        raise ReferenceFileError(
            f"{path} illisible : ce n'est pas un fichier CSV (texte UTF-8 ou Windows-1252)."
        ) from None
    except OSError as exc:
        raise ReferenceFileError(
            f"{path} illisible ({exc.strerror or 'erreur système'})."
        ) from None
    if "\x00" in content:
        raise ReferenceFileError(f"{path} illisible : ce n'est pas un fichier CSV (binaire).")
    header = content.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.DictReader(io.StringIO(content, newline=""), delimiter=delimiter, strict=True)
    rows = []
    try:
        for row in reader:
            cleaned = {
                (k or "").strip().lstrip("\ufeff"): (v or "").strip()
                for k, v in row.items()
                if k is not None and not isinstance(v, list)
            }
            rows.append((reader.line_num, cleaned))
    except csv.Error:
        raise ReferenceFileError(
            f"{path} : ligne {reader.line_num + 1} illisible (guillemets mal fermés ?)."
        ) from None
    return rows


def _shipped(name: str) -> list[dict[str, str]]:
    try:
        return [row for _line, row in _read(data_file(f"{name}.csv"))]
    except ReferenceFileError as exc:  # a broken installation, not the office's file
        raise CitesLabError(f"Table de référence fournie illisible : {exc.message}") from None


def key_column(name: str) -> str:
    """The key of a table: the first column of its shipped file."""
    with data_file(f"{name}.csv").open(encoding="utf-8-sig", newline="") as handle:
        return next(csv.reader(handle))[0].strip()


def _visible(rows: list[dict[str, str]], key: str) -> list[dict[str, str]]:
    return [r for r in rows if r.get(key) and fold(r.get("statut", "")) != "supprime"]


def load_table(name: str, data_dir: Path | None = None) -> list[dict[str, str]]:
    """Shipped rows, replaced or extended by `<data_dir>/reference/<name>.csv`.

    Raises ReferenceFileError (French, with the line) when the override is unusable."""
    rows = _shipped(name)
    key = key_column(name)
    override = data_dir / OVERRIDE_DIR / f"{name}.csv" if data_dir is not None else None
    if override is None or not override.exists():
        return _visible(rows, key)
    extra = _read(override)
    if extra and key not in extra[0][1]:
        raise ReferenceFileError(
            f"{override} : ligne 1 : il faut une colonne « {key} » (comme data/{name}.csv)."
        )
    merged = {fold(r[key]): r for r in rows}
    for line, row in extra:
        if not row.get(key):
            if any(row.values()):
                raise ReferenceFileError(f"{override} : ligne {line} : colonne « {key} » vide.")
            continue
        try:
            clean_text(row[key], 200)
        except CitesLabError as exc:
            raise ReferenceFileError(f"{override} : ligne {line} : {exc.message}") from None
        problem = _row_problem(name, row)
        if problem:
            raise ReferenceFileError(f"{override} : ligne {line} : {problem}")
        base = merged.get(fold(row[key]), {})
        merged[fold(row[key])] = {**base, "statut": "", **{k: v for k, v in row.items() if k}}
    return _visible(list(merged.values()), key)


_MEMBERSHIP = {"oui", "non", "a confirmer", ""}


def _row_problem(name: str, row: dict[str, str]) -> str:
    """Why an office row of a table the counting relies on cannot be used (French)."""
    if name == "communes" and not re.fullmatch(r"\d[\dAB]\d{3}", row.get("insee", "")):
        return f"code INSEE « {row.get('insee', '')[:10]} » invalide (5 caractères, ex. 14118)."
    if name == "qpv":
        for column, value in row.items():
            if column.startswith("carte_") and fold(value) not in _MEMBERSHIP:
                return (
                    f"colonne « {column} » : « {value[:20]} » (attendu : oui, non ou a_confirmer)."
                )
        for code in _split(row.get("communes", ""), " "):
            if not re.fullmatch(r"\d[\dAB]\d{3}\??", code):
                return f"colonne « communes » : « {code[:10]} » n'est pas un code INSEE."
    if name == "qpv_maps":
        try:
            date.fromisoformat(row.get("debut", ""))
        except ValueError:
            return "colonne « debut » : date AAAA-MM-JJ attendue."
    return ""


def _split(value: str, sep: str = ALIAS_SEPARATOR) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(sep) if part.strip())


@dataclass
class Reference:
    """All reference tables of one data folder, loaded once."""

    data_dir: Path | None = None
    problems: list[str] = field(default_factory=list)  # refused office files (French)
    _cache: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    _keys: dict[str, str] = field(default_factory=dict)
    _matchers: dict[str, P.Matcher[P.Entry]] = field(default_factory=dict)
    _alias_map: dict[str, dict[str, tuple[str, ...]]] | None = None
    _special_words: dict[str, set[str]] = field(default_factory=dict)
    # the app checks the tables in a worker thread while a screen may already read them
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _places: P.Places | None = None

    def table(self, name: str) -> list[dict[str, str]]:
        with self._lock:
            return self._table(name)

    def _table(self, name: str) -> list[dict[str, str]]:
        if name not in self._cache:
            try:
                self._cache[name] = load_table(name, self.data_dir)
            except ReferenceFileError as exc:
                self._refuse(exc.message)
                self._cache[name] = _visible(_shipped(name), key_column(name))
        return self._cache[name]

    def _refuse(self, message: str) -> None:
        text = f"Fichier refusé, les tables fournies sont utilisées : {message}"
        if text not in self.problems:
            self.problems.append(text)

    def key(self, name: str) -> str:
        if name not in self._keys:
            self._keys[name] = key_column(name)
        return self._keys[name]

    def names(self, name: str) -> list[str]:
        """Names of a table's entries (its `nom` column, else its key): what is offered."""
        return [entry.name for entry in self.matcher(name)]

    # --- entries and aliases -------------------------------------------------------------

    def _entries(self, name: str) -> list[P.Entry]:
        key = self.key(name)
        label = "commune" if name == "communes" else "nom"
        entries: list[P.Entry] = []
        for row in self.table(name):
            entries.append(
                P.Entry(
                    key=row[key],
                    name=row.get(label) or row[key],
                    aliases=_split(row.get("alias", ""))
                    + self._aliases().get(name, {}).get(row[key], ()),
                    status=row.get("statut", ""),
                )
            )
        return entries

    def matcher(self, name: str) -> P.EntryLookup:
        """Entries of any table with their aliases (to list them and `find` one)."""
        if name == "communes":
            return self.places.communes
        if name == "qpv":
            return self.places.qpv
        if name == "partners":
            return self.places.partners
        if name == "sites":
            return self.places.sites
        with self._lock:
            if name not in self._matchers:
                self._matchers[name] = P.Matcher(self._entries(name))
            return self._matchers[name]

    def canonical(self, name: str, typed: str) -> str:
        """The reference spelling of a value typed any way (aliases too), else as typed."""
        entry = self.matcher(name).find(typed)
        return entry.name if entry is not None else typed

    def _aliases(self) -> dict[str, dict[str, tuple[str, ...]]]:
        """{table: {entry key: extra spellings}} from the office's correspondances.csv."""
        with self._lock:
            return self._load_aliases()

    def _load_aliases(self) -> dict[str, dict[str, tuple[str, ...]]]:
        if self._alias_map is None:
            self._alias_map = {}  # while reading: the tables without the office's aliases
            try:
                self._alias_map, self._special_words = self._read_aliases()
            except ReferenceFileError as exc:
                self._refuse(exc.message)
                self._alias_map, self._special_words = {}, {}
        return self._alias_map

    def alias_file(self) -> Path | None:
        return self.data_dir / OVERRIDE_DIR / ALIAS_FILE if self.data_dir is not None else None

    def _read_aliases(
        self,
    ) -> tuple[dict[str, dict[str, tuple[str, ...]]], dict[str, set[str]]]:
        path = self.alias_file()
        if path is None or not path.exists():
            return {}, {}
        rows = _read(path)
        if rows and not set(ALIAS_COLUMNS) <= set(rows[0][1]):
            raise ReferenceFileError(
                f"{path} : ligne 1 : colonnes attendues : table ; valeur ; reference."
            )
        # resolve targets against the tables without the office aliases (no cycles)
        shipped = {
            name: P.Matcher(self._entries_without_aliases(name))
            for name in {TABLE_NAMES[k] for k in TABLE_NAMES}
        }
        found: dict[str, dict[str, list[str]]] = {}
        special: dict[str, set[str]] = {"outside": set(), "unknown": set(), "other": set()}
        seen: dict[tuple[str, str], tuple[str, int]] = {}
        for line, row in rows:
            table_typed, value, target = (
                row.get("table", ""),
                row.get("valeur", ""),
                row.get("reference", ""),
            )
            if not target:
                continue  # a line still to complete (the import lists values to map)
            where = f"{path} : ligne {line}"
            table = TABLE_NAMES.get(fold(table_typed))
            if table is None:
                raise ReferenceFileError(
                    f"{where} : table « {table_typed[:40]} » inconnue (tables : "
                    + ", ".join(sorted(set(TABLE_NAMES.values())))
                    + ")."
                )
            if not match_key(value):
                raise ReferenceFileError(f"{where} : colonne « valeur » vide.")
            if len(value) > 200:
                raise ReferenceFileError(f"{where} : valeur trop longue.")
            key = match_key(value)
            kind = None
            if table == "qpv" and match_key(target) in {match_key(w) for w in P.OUTSIDE_WORDS}:
                kind, entry_key = "outside", P.OUTSIDE_QPV
            elif table == "qpv" and (match_key(target) in {match_key(w) for w in P.UNKNOWN_WORDS}):
                kind, entry_key = "unknown", ""
            elif table == "communes" and match_key(target) in {
                match_key(w) for w in P.OTHER_COMMUNE_WORDS
            }:
                kind, entry_key = "other", P.OTHER_COMMUNE
            else:
                entry = shipped[table].find(target)
                if entry is None:
                    raise ReferenceFileError(
                        f"{where} : « {target[:60]} » n'est pas dans la table des "
                        f"{TABLE_LABELS[table]} (écrivez le nom exact d'une entrée)."
                    )
                entry_key = entry.key
                other = shipped[table].find(value)
                if other is not None and other.key != entry.key:
                    raise ReferenceFileError(
                        f"{where} : « {value[:60]} » est déjà le nom de « {other.name} »."
                    )
            previous = seen.get((table, key))
            if previous is not None and previous[0] != entry_key:
                raise ReferenceFileError(
                    f"{where} : « {value[:60]} » est déjà rattaché à une autre entrée "
                    f"(ligne {previous[1]})."
                )
            seen[(table, key)] = (entry_key, line)
            if kind is not None:
                special[kind].add(key)
            else:
                found.setdefault(table, {}).setdefault(entry_key, []).append(value)
        aliases = {t: {k: tuple(v) for k, v in by.items()} for t, by in found.items()}
        return aliases, special

    def _entries_without_aliases(self, name: str) -> list[P.Entry]:
        key = self.key(name)
        label = "commune" if name == "communes" else "nom"
        return [
            P.Entry(
                key=row[key],
                name=row.get(label) or row[key],
                aliases=_split(row.get("alias", "")),
                status=row.get("statut", ""),
            )
            for row in self.table(name)
        ]

    # --- places ---------------------------------------------------------------------------

    @property
    def places(self) -> P.Places:
        """The domain's view of communes, QPV maps, partners and sites (with aliases)."""
        with self._lock:
            if self._places is None:
                self._places = self._build_places()
            return self._places

    def _build_places(self) -> P.Places:
        aliases = self._aliases()
        special = self._special_words
        communes = []
        for row in self.table("communes"):
            postcodes = _split(row.get("codes_postaux") or row.get("code_postal", ""), " ")
            member = fold(row.get("caen_la_mer", "")) == "oui"
            detail = " ".join(postcodes[:2]) + (" · Caen la Mer" if member else "")
            communes.append(
                P.Commune(
                    key=row["insee"],
                    name=row.get("commune") or row["insee"],
                    aliases=_split(row.get("alias", ""))
                    + aliases.get("communes", {}).get(row["insee"], ()),
                    status=row.get("statut", ""),
                    detail=detail,
                    postcodes=postcodes,
                    caen_la_mer=member,
                )
            )
        commune_names = {c.key: c.name for c in communes}
        maps = []
        for row in self.table("qpv_maps"):
            try:
                start = date.fromisoformat(row.get("debut", ""))
            except ValueError:
                self._refuse(f"qpv_maps.csv : carte {row.get('carte')} : date de début illisible.")
                continue
            maps.append(P.QpvMap(row["carte"], start, row.get("texte", ""), row.get("note", "")))
        qpv = []
        for row in self.table("qpv"):
            codes = _split(row.get("communes", ""), " ")
            sure = tuple(c for c in codes if not c.endswith("?"))
            doubtful = tuple(c.rstrip("?") for c in codes if c.endswith("?"))
            qpv.append(
                P.Qpv(
                    key=row["cle"],
                    name=row.get("nom") or row["cle"],
                    aliases=_split(row.get("alias", ""))
                    + aliases.get("qpv", {}).get(row["cle"], ()),
                    status=row.get("statut", ""),
                    detail=", ".join(commune_names.get(c, c) for c in sure + doubtful),
                    communes=sure,
                    doubtful_communes=doubtful,
                    maps=tuple(
                        (m.id, fold(row.get(f"carte_{m.id}", "")).replace(" ", "_") or P.OFF_MAP)
                        for m in maps
                    ),
                    codes=tuple(
                        (m.id, row[f"code_{m.id}"]) for m in maps if row.get(f"code_{m.id}")
                    ),
                )
            )
        return P.Places(
            communes=P.Matcher(communes),
            qpv=P.Matcher(qpv),
            maps=tuple(maps),
            partners=P.Matcher(self._entries("partners")),
            sites=P.Matcher(self._entries("sites")),
            outside_words=frozenset(special.get("outside", ())),
            unknown_words=frozenset(special.get("unknown", ())),
            other_commune_words=frozenset(special.get("other", ())),
        )

    def check(self) -> list[str]:
        """Load every table and the alias file now; the French problems found."""
        for name in TABLES:
            self.table(name)
        self._aliases()
        _ = self.places
        return list(self.problems)

    # --- shortcuts kept for callers that only need a name ---------------------------------

    def commune_name(self, insee: str | None) -> str:
        entry = self.places.communes.get(insee)
        return entry.name if entry else ""

    def find_commune(self, typed: str) -> P.Commune | None:
        return self.places.communes.find(typed)
