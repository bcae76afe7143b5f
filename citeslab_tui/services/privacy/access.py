"""Right of access: everything the file holds on a person, as French text (for the
person) or JSON (for a script), written owner-only in `<data>/exports/`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from citeslab_tui.domain import display
from citeslab_tui.domain.errors import ValidationError
from citeslab_tui.domain.models import RECORD_TYPES
from citeslab_tui.domain.places import Places
from citeslab_tui.logs import log_event
from citeslab_tui.services.privacy.audit import audit_trail
from citeslab_tui.services.privacy.finding import family_ids, linked_docs, person_doc
from citeslab_tui.services.workspace import Workspace
from citeslab_tui.store.files import write_private

ACCESS_PREFIX = "acces-"
# fields of a linked record that only point at other records: not in the text copy
_LINK_FIELDS = {"person_id", "orientation_id", "task_id", "position"}


def _meta_summary(meta: dict[str, Any]) -> dict[str, Any]:
    return {
        "created_at": meta.get("created_at"),
        "created_by": meta.get("created_by", ""),
        "created_device": meta.get("created_device", ""),
        "updated_at": meta.get("updated_at"),
        "updated_by": meta.get("updated_by", ""),
        "updated_device": meta.get("device", ""),
        "deleted": bool(meta.get("deleted")),
        "erased": bool(meta.get("erased")),
    }


def _content(kind: str, doc: dict[str, Any]) -> dict[str, Any]:
    """Every domain field of the model, as stored (defaults filled in)."""
    return RECORD_TYPES[kind].model_validate(doc).content()


def access_report(ws: Workspace, person_id: str, now: datetime | None = None) -> dict[str, Any]:
    """Everything the file holds on a person (JSON-ready): fields, dated records, who/where."""
    doc = person_doc(ws, person_id)
    now = now or datetime.now(UTC)
    family = family_ids(ws, person_id)
    links = linked_docs(ws, family)
    records = []
    for kind, linked in [item for pid in family for item in links[pid]]:
        date_field = RECORD_TYPES[kind].date_field
        records.append(
            {
                "kind": kind,
                "label": RECORD_TYPES[kind].heading,
                "id": linked["id"],
                "date": linked.get(date_field) if date_field else None,
                "fields": _content(kind, linked),
                "recorded": _meta_summary(linked.get("meta", {})),
            }
        )
    records.sort(key=lambda r: (r["date"] or "", r["kind"], r["id"]))
    return {
        "format": "citeslab-droit-d-acces",
        "version": 1,
        "generated_at": now.isoformat(),
        "generated_by": ws.repo.staff,
        "generated_device": ws.repo.device,
        "structure": ws.settings.structure,
        "person": {
            "id": doc["id"],
            "fields": _content("person", doc),
            "recorded": _meta_summary(doc.get("meta", {})),
        },
        "merged_files": [
            {
                "id": merged["id"],
                "fields": _content("person", merged),
                "recorded": _meta_summary(merged.get("meta", {})),
            }
            for merged in (person_doc(ws, pid) for pid in family[1:])
        ],
        "records": records,
        "audit_trail": [e.as_json() for e in audit_trail(ws, person_id)],
    }


def _recorded_lines(recorded: dict[str, Any], indent: str) -> list[str]:
    lines = [
        f"{indent}Enregistré le {display.show_instant(recorded['created_at'])} par "
        f"{recorded['created_by'] or 'inconnu'} (appareil {recorded['created_device'] or 'inconnu'})"
    ]
    if recorded.get("updated_at") and recorded["updated_at"] != recorded["created_at"]:
        lines.append(
            f"{indent}Dernière modification le {display.show_instant(recorded['updated_at'])} par "
            f"{recorded['updated_by'] or 'inconnu'} "
            f"(appareil {recorded['updated_device'] or 'inconnu'})"
        )
    if recorded.get("deleted"):
        lines.append(f"{indent}Supprimé de la base active (conservé pour la synchronisation).")
    return lines


def access_text(report: dict[str, Any], places: Places) -> str:
    """The access report as French readable text (places: a QPV or a partner shown by
    its name, never by its stored key)."""

    def shown(kind: str, name: str, value: Any) -> str:
        return display.show_value(kind, name, value, places)

    person = report["person"]
    generated = display.parse_instant(report["generated_at"])
    lines = [
        "DROIT D'ACCÈS : DONNÉES ENREGISTRÉES DANS CITÉSLAB",
        f"Structure : {report['structure'] or 'non renseignée'}",
        f"Édité le {display.show_instant(generated)} par {report['generated_by'] or 'inconnu'} "
        f"(appareil {report['generated_device']})",
        "",
        f"PERSONNE (identifiant {person['id']})",
    ]
    for name, value in person["fields"].items():
        lines.append(f"  {display.title('person', name)} : {shown('person', name, value)}")
    lines += _recorded_lines(person["recorded"], "  ")
    for merged in report.get("merged_files", []):
        lines += ["", f"FICHE EN DOUBLE FUSIONNÉE DANS CELLE-CI (identifiant {merged['id']})"]
        for name, value in merged["fields"].items():
            label = display.title("person", name)
            lines.append(f"  {label} : {shown('person', name, value)}")
        lines += _recorded_lines(merged["recorded"], "  ")
    lines += ["", f"ÉVÉNEMENTS DATÉS ET SUIVI ({len(report['records'])})"]
    if not report["records"]:
        lines.append("  Aucun.")
    for record in report["records"]:
        fields = record["fields"]
        lines.append(f"  {display.record_title(record['kind'], fields)}")
        date_field = RECORD_TYPES[record["kind"]].date_field
        for name, value in fields.items():
            if name in _LINK_FIELDS or name == date_field:
                continue
            if value in (None, "") and name != "notes":
                continue
            label = display.title(record["kind"], name)
            lines.append(f"    {label} : {shown(record['kind'], name, value)}")
        lines += _recorded_lines(record["recorded"], "    ")
    lines += ["", "HISTORIQUE DES ENREGISTREMENTS ET MODIFICATIONS"]
    for entry in report["audit_trail"]:
        lines.append(
            f"  {display.show_instant(entry['when'])} · {entry['staff'] or 'inconnu'} · "
            f"appareil {entry['device'] or 'inconnu'} · {entry['record']} · {entry['action']}"
        )
    return "\n".join(lines) + "\n"


def access_json(report: dict[str, Any]) -> str:
    return orjson.dumps(report, option=orjson.OPT_INDENT_2).decode("utf-8") + "\n"


def render_access(
    ws: Workspace, person_id: str, fmt: str = "text", now: datetime | None = None
) -> str:
    """The access copy as text or JSON, dated `now` (the app's clock; default: now)."""
    report = access_report(ws, person_id, now)
    if fmt == "json":
        return access_json(report)
    if fmt == "text":
        return access_text(report, ws.reference.places)
    raise ValidationError("Format inconnu : choisissez « text » ou « json ».")


def write_access_export(
    ws: Workspace,
    person_id: str,
    fmt: str = "text",
    target: Path | None = None,
    now: datetime | None = None,
) -> Path:
    """Write the access export (owner-only file); default in `<data>/exports/`.

    Exports left in the exports folder are deleted when the person is erased.
    """
    content = render_access(ws, person_id, fmt, now)
    if target is None:
        stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
        suffix = "json" if fmt == "json" else "txt"
        target = ws.exports_folder() / f"{ACCESS_PREFIX}{person_id}-{stamp}.{suffix}"
    elif target.is_dir():
        raise ValidationError(f"{target} est un dossier : indiquez un nom de fichier.")
    elif not target.parent.is_dir():
        raise ValidationError(f"Le dossier {target.parent} n'existe pas.")
    write_private(target, content.encode("utf-8"))
    log_event("privacy.access_export", format=fmt)
    return target
