"""The register's columns: the header row found by name (case, accents, spaces and
punctuation ignored, the usual variants of each name), and each column's label as the
register names it (in warnings about a cell)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from citeslab_tui.domain import text

HEADER_SEARCH_ROWS = 20

# column key -> accepted header spellings (compared through text.match_key)
COLUMNS: dict[str, tuple[str, ...]] = {
    "family_name": ("nom", "nom de famille", "nom de naissance", "noms"),
    "first_name": ("prenom", "prenoms"),
    "sex": ("sexe", "genre", "h f", "f h"),
    "civility": ("civilite", "civ", "titre"),
    "birth_date": ("date de naissance", "naissance", "ne le", "ne e le", "date naissance"),
    "phone": ("telephone", "tel", "portable", "numero de telephone", "mobile", "tel portable"),
    "email": ("email", "e mail", "mail", "courriel", "adresse email", "adresse e mail"),
    "commune": ("commune", "ville", "commune de residence", "lieu de residence"),
    "qpv": ("quartier", "qpv", "quartier prioritaire", "quartier qpv"),
    "site": ("lieu", "site", "lieu de permanence", "permanence", "lieu d accueil"),
    "sensitized_on": ("date de sensibilisation", "date sensibilisation", "sensibilisation le"),
    "interview_on": (
        "date premier entretien",
        "date du premier entretien",
        "premier entretien",
        "date de premier entretien",
        "date entretien",
    ),
    "approach": ("demarche", "type de demarche"),
    "stage": ("etape", "stade"),
    "detected_on": ("date detection", "date de detection"),
    "emergence_on": ("date emergence", "date d emergence", "date entree emergence"),
    "outcome": ("issue", "sortie"),
    "outcome_on": ("date issue", "date d issue", "date de sortie", "date sortie"),
    "partner": ("partenaire", "orientation", "oriente vers", "partenaire d orientation"),
    "orientation_on": ("date orientation", "date d orientation"),
    "notes": ("notes", "note", "commentaire", "commentaires", "observations", "remarques"),
}
COLUMN_LABELS = {
    "family_name": "Nom",
    "first_name": "Prénom",
    "sex": "Sexe",
    "civility": "Civilité",
    "birth_date": "Date de naissance",
    "phone": "Téléphone",
    "email": "Email",
    "commune": "Commune",
    "qpv": "Quartier",
    "site": "Lieu",
    "sensitized_on": "Date de sensibilisation",
    "interview_on": "Date premier entretien",
    "approach": "Démarche",
    "stage": "Étape",
    "detected_on": "Date détection",
    "emergence_on": "Date émergence",
    "outcome": "Issue",
    "outcome_on": "Date issue",
    "partner": "Partenaire",
    "orientation_on": "Date orientation",
    "notes": "Notes",
}
DATE_COLUMNS = (
    "birth_date",
    "sensitized_on",
    "interview_on",
    "detected_on",
    "emergence_on",
    "outcome_on",
    "orientation_on",
)
_match_key = lru_cache(maxsize=1024)(text.match_key)  # header cells repeat little
_HEADER_INDEX = {text.match_key(a): key for key, aliases in COLUMNS.items() for a in aliases}


def header_key(cell: str) -> str | None:
    """The column key of a header cell, or None when the column is unknown."""
    return _HEADER_INDEX.get(_match_key(cell or ""))


def is_blank(cells: Sequence[str]) -> bool:
    return not any((c or "").strip() for c in cells)


def find_header(
    rows: Sequence[tuple[int, Sequence[str]]],
) -> tuple[int, dict[str, int], list[str]] | None:
    """(index in `rows`, columns, unknown column names) of the header, or None."""
    for index, (_line, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        keys = [header_key(c) if (c or "").strip() else None for c in cells]
        if "family_name" not in keys or "first_name" not in keys:
            continue
        columns: dict[str, int] = {}
        unknown: list[str] = []
        for position, (name, key) in enumerate(zip(cells, keys, strict=False)):
            if not (name or "").strip():
                continue
            if key is None:
                unknown.append(text.clean_text(name, 200)[:60])
            elif key not in columns:
                columns[key] = position
        return index, columns, unknown
    return None
