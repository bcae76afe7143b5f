"""What an import will do, before it is confirmed: counts, warnings, values that matched
nothing, and the records to write; its French summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from citeslab_tui.domain import text
from citeslab_tui.domain.models import Record
from citeslab_tui.domain.register import COLUMN_LABELS, RegisterParse

UNMATCHED_COLUMNS = ("commune", "qpv", "site", "partner")
MAPPING_TABLES = {"commune": "communes", "qpv": "qpv", "site": "sites", "partner": "partners"}


@dataclass
class ImportPlan:
    path: Path
    parse: RegisterParse
    new_people: int = 0
    duplicates: int = 0  # rows merged into an earlier row of the file
    updated: int = 0  # rows that completed a person already in the database
    unchanged: int = 0  # rows already fully present (re-import)
    erased: int = 0  # rows of people erased since a previous import: never re-created
    events: int = 0
    # column key (commune, qpv, site, partner) -> {value as written: rows}
    unmatched: dict[str, dict[str, int]] = field(default_factory=dict)
    warnings: list[tuple[int, str]] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    mapping_file: Path | None = None  # where the office maps unmatched values

    @property
    def unknown_neighbourhoods(self) -> dict[str, int]:
        return self.unmatched.get("qpv", {})

    @property
    def rows_with_warnings(self) -> int:
        return len({line for line, _w in self.warnings})

    @property
    def rows_read(self) -> int:
        return self.parse.rows_read

    @property
    def rejected(self) -> int:
        return len(self.parse.rejections)

    @property
    def nothing_to_write(self) -> bool:
        return not self.records

    def summary_lines(self) -> list[str]:
        """The French summary shown before confirmation (and after a dry run)."""
        parse = self.parse
        lines = [f"Fichier : {self.path.name}"]
        if parse.skipped_lines:
            shown = ", ".join(str(n) for n in parse.skipped_lines[:10])
            lines.append(
                f"En-tête trouvé ligne {parse.header_line} ; ligne(s) ignorée(s) au-dessus "
                f"(titre ?) : {shown}"
            )
        if parse.date_order_reason:
            lines.append(f"Ordre des dates : {parse.date_order_reason}")
        lines += [
            f"Lignes lues : {self.rows_read}",
            f"Nouvelles personnes : {self.new_people}",
            f"Fusionnées comme doublons : {self.duplicates}",
            f"Personnes existantes complétées : {self.updated}",
            f"Déjà présentes (rien à ajouter) : {self.unchanged}",
            f"Personnes effacées à leur demande (non réimportées) : {self.erased}",
            f"Lignes avec des valeurs illisibles (laissées vides) : {self.rows_with_warnings}",
            f"Rejetées : {self.rejected}",
            f"Événements datés à ajouter : {self.events}",
        ]
        if self.parse.unknown_columns:
            lines.append("Colonnes ignorées : " + ", ".join(self.parse.unknown_columns))
        if any(self.unmatched.values()):
            where = f" dans {self.mapping_file}" if self.mapping_file else ""
            lines.append(
                "Valeurs sans correspondance (gardées telles quelles ; à rattacher"
                f"{where}, puis réimporter) :"
            )
            for key in UNMATCHED_COLUMNS:
                values = self.unmatched.get(key)
                if values:
                    ordered = sorted(values.items(), key=lambda kv: (-kv[1], text.fold(kv[0])))
                    shown = ", ".join(f"« {k} » ({n})" for k, n in ordered)
                    lines.append(f"  {COLUMN_LABELS[key]} : {shown}")
        for rejection in self.parse.rejections:
            lines.append(f"  ligne {rejection.line} rejetée : {rejection.reason}")
        for line, warning in self.warnings:
            lines.append(f"  ligne {line} : {warning}")
        return lines
