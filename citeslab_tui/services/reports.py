"""The bilan as a use case: compute it for a workspace, write it (text, JSON, CSV,
XLSX), record a collective action.

The figures come from `domain.bilan.compute_bilan`; this module only gathers the
stored documents and formats. French labels everywhere, decimal comma in the
text and CSV forms, real numbers in the XLSX cells.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import orjson

from citeslab_tui.domain import display, text
from citeslab_tui.domain.bilan import (
    BREAKDOWN_KEYS,
    BREAKDOWN_LABELS,
    FIELDS_READ,
    INDICATOR_KEYS,
    INDICATOR_LABELS,
    SHARE_KEYS,
    Bilan,
    Period,
    change_label,
    compute_bilan,
    quality_lines,
    value_label,
    year_earlier,
)
from citeslab_tui.domain.errors import ValidationError
from citeslab_tui.domain.models import CollectiveAction, CollectiveKind
from citeslab_tui.services.workspace import Workspace
from citeslab_tui.store.files import write_private

LOGGER = logging.getLogger("citeslab.reports")
POSITIVE_EXITS_NOTE = "Sorties positives = retour à l'emploi ou entrée en formation."
QUALITY_TITLE = "Qualité des données"


def bilan_for(
    ws: Workspace, period: Period, site: str | None = None, *, compare: bool = False
) -> Bilan:
    """The bilan of `period` (optionally one site) from the workspace's records;
    `compare`: with the same dates one year earlier as its `previous`."""
    bilan = _compute(ws, period, site)
    if compare:
        bilan.previous = _compute(ws, year_earlier(period), site)
    return bilan


def _compute(ws: Workspace, period: Period, site: str | None) -> Bilan:
    repo = ws.repo

    def read(kind: str, *, include_deleted: bool = False) -> Iterator[dict[str, Any]]:
        # the fields the bilan reads, streamed if the kind is not in memory yet
        return repo.docs_fields(kind, FIELDS_READ[kind], include_deleted=include_deleted)

    bilan = compute_bilan(
        period,
        people=read("person", include_deleted=True),
        stages=read("stage"),
        interviews=read("interview"),
        orientations=read("orientation"),
        outcomes=read("outcome"),
        collectives=read("collective"),
        site=site or None,
        places=ws.reference.places,
    )
    bilan.structure = ws.settings.structure
    return bilan


def known_sites(ws: Workspace) -> list[str]:
    """Sites to offer in the filter: the workspace's, then any seen in the records."""
    names = list(ws.site_names())
    seen = {text.fold(n) for n in names}
    for kind, key in (("interview", "site"), ("stage", "site"), ("person", "first_site")):
        for doc in ws.repo.docs_fields(kind, (key,)):
            name = doc.get(key) or ""
            folded = text.fold(name)
            if name and folded not in seen:
                seen.add(folded)
                names.append(name)
    return names


def resolve_site(ws: Workspace, typed: str | None) -> str | None:
    """The site name matching `typed` (case and accents ignored); French error if none."""
    if not typed or not typed.strip():
        return None
    key = text.fold(typed)
    sites = known_sites(ws)
    for name in sites:
        if text.fold(name) == key:
            return name
    raise ValidationError(
        f"Site inconnu : « {typed.strip()[:60]} ». Sites connus : " + ", ".join(sites) + "."
    )


# --- formatting --------------------------------------------------------------------


def percent_fr(value: float | None) -> str:
    return text.format_percent(value)


def _number_fr(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}".replace(".", ",")


def breakdown_rows(bilan: Bilan, key: str) -> list[tuple[str, int, float | None]]:
    """(French label, count, share or None) for one breakdown."""
    values = bilan.breakdowns[key]
    shares = bilan.shares(key) if key in SHARE_KEYS else {}
    rows = []
    for value, count in values.items():
        rows.append((value_label(value), count, shares.get(value)))
    return rows


def site_label(bilan: Bilan) -> str:
    return bilan.site or "tous les sites"


def render_text(bilan: Bilan) -> str:
    """The French text report (decimal comma, labels aligned)."""
    width = max(len(label) for label in INDICATOR_LABELS.values()) + 2
    lines = [
        f"Bilan CitésLab {bilan.period.label} — {site_label(bilan)}",
        "",
    ]
    if "structures" in bilan.extra:
        structures = bilan.extra["structures"]
        lines.insert(1, f"{len(structures)} structures additionnées : " + ", ".join(structures))
    previous = bilan.previous
    if previous is not None:
        lines.insert(1, f"Comparé à la même période un an plus tôt ({previous.period.label})")
        lines.append(f"{'':<{width}}{'Nombre':>7}{'Un an plus tôt':>16}  Évolution")
    for key in INDICATOR_KEYS:
        label = ("  " if key.startswith("positive_exits_") else "") + INDICATOR_LABELS[key]
        line = f"{label:<{width}}{text.format_int(bilan.indicators[key]):>7}"
        if previous is not None:
            line += f"{text.format_int(previous.indicators[key]):>16}  {change_label(bilan, key)}"
        lines.append(line)
        if key == "sensitized" and "structures" not in bilan.extra:
            lines.append(
                f"  dont {text.format_int(bilan.sensitized_people)} personne(s) et "
                f"{text.format_int(bilan.sensitized_heads)} participant(s) à "
                f"{text.format_int(bilan.collective_actions)} action(s) collective(s)"
            )
    lines.append(POSITIVE_EXITS_NOTE)
    for key in BREAKDOWN_KEYS:
        lines += ["", BREAKDOWN_LABELS[key]]
        rows = breakdown_rows(bilan, key)
        label_width = min(max([len(r[0]) for r in rows] + [10]), 48) + 2
        for label, count, share in rows:
            if len(label) > 48:
                label = label[:47] + "…"
            line = f"  {label:<{label_width}}{text.format_int(count):>7}"
            if key in SHARE_KEYS and share is not None:
                line += f"{percent_fr(share):>10}"
            lines.append(line)
    lines += ["", QUALITY_TITLE]
    lines += [f"  - {line}" for line in quality_lines(bilan)]
    return "\n".join(lines) + "\n"


def render_json(bilan: Bilan) -> bytes:
    return orjson.dumps(bilan.to_json(), option=orjson.OPT_INDENT_2) + b"\n"


def render_csv(bilan: Bilan) -> bytes:
    """One CSV (UTF-8 with BOM, `;`, decimal comma) for the funder's template. A text
    cell that would be a formula is neutralised (`text.csv_cell`): names of sites,
    partners, communes are typed by staff."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")

    def row(*cells: str | int) -> None:
        writer.writerow([text.csv_cell(c) if isinstance(c, str) else c for c in cells])

    row("Rubrique", "Libellé", "Nombre", "Part (%)")
    row("Période", bilan.period.label, "", "")
    row("Site", site_label(bilan), "", "")
    for key in INDICATOR_KEYS:
        row("Indicateurs", INDICATOR_LABELS[key], bilan.indicators[key], "")
    if bilan.previous is not None:
        row("Un an plus tôt", bilan.previous.period.label, "", "")
        for key in INDICATOR_KEYS:
            row("Un an plus tôt", INDICATOR_LABELS[key], bilan.previous.indicators[key], "")
    for key in BREAKDOWN_KEYS:
        for label, count, share in breakdown_rows(bilan, key):
            row(BREAKDOWN_LABELS[key], label, count, _number_fr(share))
    for line in quality_lines(bilan):
        row(QUALITY_TITLE, line, "", "")
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def render_xlsx(bilan: Bilan) -> bytes:
    """The workbook (services/bilan_xlsx.py): indicators and funnel chart, breakdowns,
    data quality."""
    from citeslab_tui.services import bilan_xlsx

    return bilan_xlsx.render_xlsx(bilan)


def render_pdf(bilan: Bilan) -> bytes:
    """The one-page PDF (services/bilan_pdf.py)."""
    from citeslab_tui.services import bilan_pdf

    return bilan_pdf.render_pdf(bilan)


FORMATS = ("text", "json", "csv", "xlsx", "pdf")


def refuse_empty(bilan: Bilan) -> None:
    """A bilan with nothing recorded in its period is refused in French (wrong dates,
    wrong site, or a folder without data): never a report of zeros sent by mistake."""
    if bilan.empty:
        where = f" au site « {bilan.site} »" if bilan.site else ""
        raise ValidationError(
            f"Aucune activité enregistrée {bilan.period.label}{where} : aucun bilan "
            "écrit (vérifiez les dates, le site ou le dossier des données)."
        )


def render(bilan: Bilan, fmt: str) -> bytes:
    """The report's bytes in one of FORMATS (text in UTF-8)."""
    if fmt == "text":
        return render_text(bilan).encode("utf-8")
    renderers = {"json": render_json, "csv": render_csv, "xlsx": render_xlsx, "pdf": render_pdf}
    if fmt not in renderers:
        raise ValidationError(f"Format inconnu « {fmt} » : " + ", ".join(FORMATS) + ".")
    return renderers[fmt](bilan)


def merge_files(paths: list[str | Path]) -> Bilan:
    """The roll-up of bilan JSON files (`report merge`); a French error naming the file
    that cannot be read or does not match the others."""
    from citeslab_tui.domain.bilan.rollup import merge_bilans

    documents = []
    for raw in paths:
        path = Path(raw).expanduser()
        try:
            data = path.read_bytes()
        except OSError:
            raise ValidationError(f"{path} : fichier introuvable ou illisible.") from None
        try:
            documents.append((path.name, orjson.loads(data)))
        except orjson.JSONDecodeError:
            raise ValidationError(f"{path.name} : ce n'est pas un fichier JSON lisible.") from None
    return merge_bilans(documents)


# --- files -------------------------------------------------------------------------


def default_folder(ws: Workspace) -> Path:
    """The user's Documents folder when it exists, else `<data folder>/exports`."""
    try:
        from platformdirs import user_documents_dir

        documents = Path(user_documents_dir())
        if documents.is_dir():
            return documents
    except Exception:  # noqa: BLE001 - any platform oddity: fall back to the data folder
        pass
    return ws.exports_dir


def report_basename(bilan: Bilan) -> str:
    name = f"bilan-{bilan.period.start.isoformat()}-{bilan.period.end.isoformat()}"
    if bilan.site:
        slug = "-".join(text.fold(bilan.site).split())[:40]
        name += f"-{slug}"
    return name


def write_report_files(bilan: Bilan, folder: Path) -> list[Path]:
    """Write the report as XLSX, PDF and CSV in `folder`; returns the paths written."""
    refuse_empty(bilan)
    folder = Path(folder).expanduser()
    if folder.exists() and not folder.is_dir():
        raise ValidationError(f"{folder} n'est pas un dossier.")
    base = report_basename(bilan)
    paths = [
        write_private(folder / f"{base}.xlsx", render_xlsx(bilan), make_folder=True),
        write_private(folder / f"{base}.pdf", render_pdf(bilan), make_folder=True),
        write_private(folder / f"{base}.csv", render_csv(bilan), make_folder=True),
    ]
    LOGGER.info("report written: files=%d", len(paths))
    return paths


# --- collective actions -----------------------------------------------------------


def _count(value: Any, label: str) -> int:
    raw = str(value).strip() if value is not None else ""
    if raw == "":
        return 0
    if not raw.isdigit():
        raise ValidationError(f"{label} : un nombre entier positif est attendu.")
    number = int(raw)
    if number > 100000:
        raise ValidationError(f"{label} : nombre trop grand.")
    return number


def record_collective_action(
    ws: Workspace,
    *,
    kind: str | CollectiveKind,
    on: str | date,
    site: str = "",
    title: str = "",
    women: Any = 0,
    men: Any = 0,
    unknown: Any = 0,
) -> CollectiveAction:
    """Validate and save an information meeting / forum / workshop with its head counts."""
    try:
        action_kind = CollectiveKind(kind)
    except ValueError:
        raise ValidationError("Type d'action collective inconnu.") from None
    day = on if isinstance(on, date) else text.parse_date(on)
    if day > date.today():
        raise ValidationError("La date de l'action ne peut pas être dans le futur.")
    counts = (
        _count(women, display.title("collective", "women")),
        _count(men, display.title("collective", "men")),
        _count(unknown, display.title("collective", "unknown")),
    )
    if sum(counts) == 0:
        raise ValidationError("Indiquez au moins un participant.")
    action = CollectiveAction(
        action_kind=action_kind,
        on=day,
        site=text.clean_text(site, 80),
        title=text.clean_text(title, 200),
        women=counts[0],
        men=counts[1],
        unknown=counts[2],
    )
    saved = ws.repo.save(action)[0]
    LOGGER.info("collective action saved: heads=%d", sum(counts))
    assert isinstance(saved, CollectiveAction)
    return saved


def now_stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")
