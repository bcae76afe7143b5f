"""Personal data: right of access, erasure, retention, audit trail, information notice.

Called by the CLI (`citeslab person export|erase`, `citeslab retention`) and by the
UI (person's file: export, erase; audit trail dialog). No Textual here.

Erasure contract (shared with the sync merge): the person and every record linked
to them (`models.PERSON_LINKED_KINDS` with `person_id` == the person, deleted ones
included) get a new version in which every field of the model's `personal_fields`
is back to its default; the person gets `erased_at`; the documents' meta get
`"erased": true` (absorbing in the merge). All of it is ONE durable save; the store
then folds the journal (whose older lines still held the data) into a fresh snapshot,
at once or, on a full disk, as soon as there is room. What is left
elsewhere (backups, sticks) is described in docs/privacy.md.

Nothing here logs or raises personal data, except the French list of matching
people a staff member asked for (ambiguous search): shown, never logged.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import orjson

from citeslab_tui.domain import display, text
from citeslab_tui.domain.errors import CitesLabError, ValidationError
from citeslab_tui.domain.models import PERSON_LINKED_KINDS, RECORD_TYPES, Gender, Person, Record
from citeslab_tui.domain.places import Places
from citeslab_tui.logs import log_event
from citeslab_tui.resources import data_file
from citeslab_tui.services.workspace import Workspace
from citeslab_tui.store.files import ensure_private_dir, write_private

REASON_REQUEST = "effacement"  # the person asked (right to erasure)
REASON_RETENTION = "conservation"  # retention period over (anonymisation)
NOTICE_FILE = "notice_information.md"
EXPORTS_DIR = "exports"
ACCESS_PREFIX = "acces-"
MAX_LISTED = 20
MIN_MONTHS, MAX_MONTHS = 1, 240

# The field giving a record's date and each field's title: in the models (domain/display.py).
ACTION_LABELS = {
    "create": "Création",
    "edit": "Modification",
    "delete": "Suppression",
    "erase": "Effacement des données personnelles",
}
# Fields of a linked record that only point at other records: not shown in the text export.
_LINK_FIELDS = {"person_id", "orientation_id", "task_id", "position"}
_HEX_ID = re.compile(r"^[0-9a-f]{6,32}$")


class PersonNotFound(CitesLabError):
    """No person matches an id or a search."""


class AmbiguousPerson(CitesLabError):
    """A search matches several people; `matches` lists them (never logged)."""

    def __init__(self, message: str, matches: list[Person]) -> None:
        super().__init__(message)
        self.matches = matches


# --- finding a person -----------------------------------------------------------------


def describe_person(person: Person) -> str:
    """One line to tell people apart: display name · birth year · commune · id."""
    year = person.birth_year or (person.birth_date.year if person.birth_date else None)
    born = {Gender.F: "née", Gender.M: "né"}.get(person.gender, "né(e)")
    parts = [
        person.display_name,
        f"{born} en {year}" if year else "année de naissance inconnue",
        person.commune or "commune inconnue",
        f"identifiant {person.id}",
    ]
    return " · ".join(parts)


def find_people(ws: Workspace, query: str) -> list[Person]:
    """People matching an id (full, or a prefix of 6+ hex digits) or a search.

    A search matches names, phone and e-mail (accents and case ignored; every word
    must appear). Erased and deleted people are found by id only.
    """
    raw = text.clean_text(query or "", 200)
    if not raw:
        raise ValidationError("Indiquez l'identifiant ou le nom de la personne.")
    wanted = raw.lower()
    doc = ws.repo.doc("person", wanted)
    if doc is not None:
        return [Person.model_validate(doc)]
    if _HEX_ID.match(wanted):
        found = [
            Person.model_validate(d)
            for d in ws.repo.docs("person", include_deleted=True)
            if d["id"].startswith(wanted)
        ]
        if found:
            return found
    words = text.fold(raw).split()
    phone = None
    try:
        phone = text.parse_phone(raw)
    except ValidationError:
        pass
    result = []
    for d in ws.repo.docs("person"):
        if d.get("erased_at") or d.get("meta", {}).get("erased"):
            continue
        person = Person.model_validate(d)
        haystack = person.search_text()
        if (phone and person.phone == phone) or all(w in haystack for w in words):
            result.append(person)
    result.sort(key=lambda p: (text.fold(p.display_name), p.id))
    return result


def resolve_person(ws: Workspace, query: str) -> Person:
    """Exactly one person for `query`, else PersonNotFound / AmbiguousPerson (French)."""
    found = find_people(ws, query)
    if not found:
        wanted = query.strip().lower()
        if _HEX_ID.match(wanted):
            raise PersonNotFound(f"Aucune personne n'a l'identifiant {wanted}.")
        raise PersonNotFound(
            "Aucune personne ne correspond à cette recherche (identifiant, nom, téléphone "
            "ou e-mail)."
        )
    if len(found) > 1:
        lines = [f"  - {describe_person(p)}" for p in found[:MAX_LISTED]]
        if len(found) > MAX_LISTED:
            lines.append(f"  … et {len(found) - MAX_LISTED} autres.")
        raise AmbiguousPerson(
            f"{len(found)} personnes correspondent ; rien n'a été fait. "
            "Précisez avec l'identifiant :\n" + "\n".join(lines),
            found,
        )
    return found[0]


def _person_doc(ws: Workspace, person_id: str) -> dict[str, Any]:
    doc = ws.repo.doc("person", person_id)
    if doc is None:
        raise PersonNotFound(f"Aucune personne n'a l'identifiant {person_id[:32]}.")
    return doc


def _merged_children(ws: Workspace) -> dict[str, list[str]]:
    """{person id: ids of duplicates merged into it} (merge tombstones keep their data)."""
    children: dict[str, list[str]] = {}
    for doc in ws.repo.docs("person", include_deleted=True):
        target = doc.get("meta", {}).get("merged_into")
        if target:
            children.setdefault(target, []).append(doc["id"])
    return children


def family_ids(
    ws: Workspace, person_id: str, children: dict[str, list[str]] | None = None
) -> list[str]:
    """The person, then every duplicate merged into them (directly or by a chain)."""
    children = _merged_children(ws) if children is None else children
    result: list[str] = []
    todo = [person_id]
    while todo:
        pid = todo.pop(0)
        if pid not in result:
            result.append(pid)
            todo += children.get(pid, [])
    return result


def linked_docs(ws: Workspace, person_ids: Iterable[str]) -> dict[str, list[tuple[str, dict]]]:
    """{person id: [(kind, doc), ...]} of every linked record, deleted ones included."""
    wanted = set(person_ids)
    result: dict[str, list[tuple[str, dict]]] = {pid: [] for pid in wanted}
    for kind in PERSON_LINKED_KINDS:
        for doc in ws.repo.docs(kind, include_deleted=True):
            pid = doc.get("person_id")
            if pid in wanted:
                result[pid].append((kind, doc))
    return result


# --- formatting ---------------------------------------------------------------------
# One way to show a stored value: domain/display.py (show_value, show_instant).


def _field_names(kind: str, changed: Iterable[str]) -> str:
    return ", ".join(display.title(kind, name) for name in changed)


# --- audit trail ----------------------------------------------------------------------


@dataclass(frozen=True)
class AuditEntry:
    """One write of one record: who, on which device, when, what."""

    when: datetime | None
    staff: str
    device: str
    record: str  # "Entretien du 12/03/2025"
    action: str  # "Création", "Modification : Téléphone, Notes", ...

    def as_json(self) -> dict[str, Any]:
        return {
            "when": self.when.isoformat() if self.when else None,
            "staff": self.staff,
            "device": self.device,
            "record": self.record,
            "action": self.action,
        }


def _doc_trail(kind: str, doc: dict[str, Any]) -> list[AuditEntry]:
    meta = doc.get("meta", {})
    title = display.record_title(kind, doc)
    entries = [
        AuditEntry(
            display.parse_instant(meta.get("created_at")),
            meta.get("created_by", ""),
            meta.get("created_device", ""),
            title,
            ACTION_LABELS["create"],
        )
    ]
    trail = meta.get("trail") or []
    for item in trail:
        try:
            _clock, when, staff, device, changed, action = item
        except (TypeError, ValueError):
            continue
        label = ACTION_LABELS.get(action, ACTION_LABELS["edit"])
        if action == "edit" and changed:
            label = f"{label} : {_field_names(kind, changed)}"
        entries.append(AuditEntry(display.parse_instant(when), staff, device, title, label))
    if not trail and meta.get("updated_at") and meta.get("updated_at") != meta.get("created_at"):
        # Written before the trail existed, or merged from another laptop: last write only.
        label = ACTION_LABELS["erase"] if meta.get("erased") else "Dernière modification"
        entries.append(
            AuditEntry(
                display.parse_instant(meta.get("updated_at")),
                meta.get("updated_by", ""),
                meta.get("device", ""),
                title,
                label,
            )
        )
    return entries


def audit_trail(ws: Workspace, person_id: str) -> list[AuditEntry]:
    """Every recorded write of the person's file and linked records, oldest first."""
    _person_doc(ws, person_id)
    family = family_ids(ws, person_id)
    links = linked_docs(ws, family)
    entries: list[AuditEntry] = []
    for pid in family:
        entries += _doc_trail("person", _person_doc(ws, pid))
        for kind, linked in links[pid]:
            entries += _doc_trail(kind, linked)
    floor = datetime.min.replace(tzinfo=UTC)
    entries.sort(key=lambda e: display.as_local(e.when) if e.when else floor)
    return entries


# --- right of access -----------------------------------------------------------------


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
    doc = _person_doc(ws, person_id)
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
            for merged in (_person_doc(ws, pid) for pid in family[1:])
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


def render_access(ws: Workspace, person_id: str, fmt: str = "text") -> str:
    report = access_report(ws, person_id)
    if fmt == "json":
        return access_json(report)
    if fmt == "text":
        return access_text(report, ws.reference.places)
    raise ValidationError("Format inconnu : choisissez « text » ou « json ».")


def exports_folder(ws: Workspace) -> Path:
    return ensure_private_dir(ws.data_dir / EXPORTS_DIR)


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
    content = render_access(ws, person_id, fmt)
    if target is None:
        stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
        suffix = "json" if fmt == "json" else "txt"
        target = exports_folder(ws) / f"{ACCESS_PREFIX}{person_id}-{stamp}.{suffix}"
    elif target.is_dir():
        raise ValidationError(f"{target} est un dossier : indiquez un nom de fichier.")
    elif not target.parent.is_dir():
        raise ValidationError(f"Le dossier {target.parent} n'existe pas.")
    write_private(target, content.encode("utf-8"))
    log_event("privacy.access_export", format=fmt)
    return target


# --- erasure ---------------------------------------------------------------------------


@dataclass
class ErasureResult:
    people: int = 0  # people whose data was erased by this call
    records: int = 0  # documents written (people + linked records)
    already: int = 0  # people that were already erased (nothing to do)
    reason: str = REASON_REQUEST
    backups_keep: int = 14
    person_ids: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        if self.people == 0:
            if self.already:
                return "Les données de cette personne étaient déjà effacées : rien à faire."
            return "Aucune personne à anonymiser."
        linked = self.records - self.people
        who = (
            "Les données personnelles ont été effacées"
            if self.reason == REASON_REQUEST
            else f"{self.people} personne{'s' if self.people > 1 else ''} "
            f"anonymisée{'s' if self.people > 1 else ''}"
        )
        return (
            f"{who} ({linked} enregistrement{'s' if linked > 1 else ''} lié"
            f"{'s' if linked > 1 else ''} nettoyé{'s' if linked > 1 else ''}). "
            "Les statistiques sont conservées (dates, étapes, issues, civilité, commune, "
            "quartier). L'effacement partira avec la prochaine synchronisation. "
            f"Les sauvegardes plus anciennes seront effacées d'ici {self.backups_keep} jours."
        )


def _blank(kind: str, doc: dict[str, Any], now: datetime) -> Record | None:
    """The erased version of a document, or None if nothing is left to erase."""
    model = RECORD_TYPES[kind]
    record = model.model_validate(doc)
    updates = {
        name: model.model_fields[name].get_default(call_default_factory=True)
        for name in model.personal_fields
    }
    already = bool(doc.get("meta", {}).get("erased")) and all(
        getattr(record, name) == value for name, value in updates.items()
    )
    if isinstance(record, Person):
        already = already and record.erased_at is not None
        updates["erased_at"] = record.erased_at or now
    if already:
        return None
    return record.model_copy(update=updates)


def _remove_access_exports(ws: Workspace, person_ids: Iterable[str]) -> None:
    folder = ws.data_dir / EXPORTS_DIR
    if not folder.is_dir():
        return
    for pid in person_ids:
        for path in folder.glob(f"{ACCESS_PREFIX}{pid}-*"):
            path.unlink(missing_ok=True)


def erase_people(
    ws: Workspace,
    person_ids: Iterable[str],
    *,
    reason: str = REASON_REQUEST,
    now: datetime | None = None,
) -> ErasureResult:
    """Erase the personal data of people and of their linked records: one durable save."""
    now = now or datetime.now(UTC)
    ids = list(dict.fromkeys(person_ids))
    for pid in ids:
        _person_doc(ws, pid)  # unknown id: PersonNotFound before anything is written
    children = _merged_children(ws)
    families = {pid: family_ids(ws, pid, children) for pid in ids}
    links = linked_docs(ws, [member for family in families.values() for member in family])
    result = ErasureResult(reason=reason, backups_keep=ws.settings.backups_keep)
    planned: dict[str, Record] = {}
    for family in families.values():
        blanks: list[Record] = []
        for member in family:
            blanks += [b for b in [_blank("person", _person_doc(ws, member), now)] if b]
            blanks += [b for k, d in links[member] if (b := _blank(k, d, now)) is not None]
        if not blanks:
            result.already += 1
            continue
        planned.update((record.id, record) for record in blanks)
        result.people += 1
        result.person_ids += family
    versions = list(planned.values())
    if versions:
        ws.repo.save(*versions, erased=True)  # durable; the store folds the journal itself
        result.records = len(versions)
        _remove_access_exports(ws, result.person_ids)
    log_event(
        "privacy.erase",
        reason=reason,
        people=result.people,
        records=result.records,
        already=result.already,
    )
    return result


def erase_person(
    ws: Workspace, person_id: str, *, reason: str = REASON_REQUEST, now: datetime | None = None
) -> ErasureResult:
    """Right to erasure for one person (see the module docstring for the contract)."""
    return erase_people(ws, [person_id], reason=reason, now=now)


# --- retention -------------------------------------------------------------------------


def months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def format_period(months: int) -> str:
    """24 -> "2 ans", 18 -> "18 mois", 12 -> "1 an"."""
    if months % 12 == 0:
        years = months // 12
        return f"{years} an{'s' if years > 1 else ''}"
    return f"{months} mois"


def check_months(months: int | None, ws: Workspace) -> int:
    months = ws.settings.retention_months if months is None else months
    if months < MIN_MONTHS:
        raise ValidationError(
            "La durée de conservation doit être d'au moins 1 mois : rien n'a été fait."
        )
    if months > MAX_MONTHS:
        raise ValidationError("La durée de conservation ne peut pas dépasser 240 mois (20 ans).")
    return months


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return (
                datetime.fromisoformat(value).date() if "T" in value else date.fromisoformat(value)
            )
        except ValueError:
            return None
    return None


CONTACT_KINDS = ("interview", "stage", "orientation", "outcome", "task", "queue")


def _contact_iso(kind: str, doc: dict[str, Any]) -> str | None:
    """The ISO date a linked record counts as a contact, or None (ISO strings sort)."""
    if kind == "task":  # done: when done; still open: a planned contact
        value = doc.get("done_on") if doc.get("status") == "done" else doc.get("due")
    elif kind == "queue":
        value = doc.get("day") if doc.get("arrived_at") else None
    elif kind in CONTACT_KINDS:
        value = doc.get("on")
    else:
        value = None
    return value if isinstance(value, str) and value else None


def _intake_date(person_doc: dict[str, Any]) -> date | None:
    return _as_date(person_doc.get("notice_given_on")) or _as_date(
        person_doc.get("meta", {}).get("created_at")
    )


def last_contact(person_doc: dict[str, Any], linked: list[tuple[str, dict]]) -> date | None:
    """Latest dated event, interview, task (done, or planned), arrival; else intake date."""
    dates = [iso for kind, doc in linked if (iso := _contact_iso(kind, doc))]
    return _as_date(max(dates)) if dates else _intake_date(person_doc)


@dataclass(frozen=True)
class RetentionCandidate:
    person_id: str
    description: str  # describe_person(): shown to staff, never logged
    last_contact: date | None


def _due_docs(ws: Workspace, today: date, months: int) -> list[tuple[dict, date | None]]:
    """(person document, last contact) of people due, not validated (fast)."""
    cutoff = months_before(today, months)
    people = [
        d
        for d in ws.repo.docs("person", include_deleted=True)
        if not d.get("erased_at")
        and not d.get("meta", {}).get("erased")
        and not d.get("meta", {}).get("merged_into")  # erased with the person it went into
    ]
    # One pass over the linked records, ISO strings compared: no per-person lists.
    latest: dict[str, str] = {}
    for kind in CONTACT_KINDS:
        for doc in ws.repo.docs(kind, include_deleted=True):
            pid = doc.get("person_id")
            iso = _contact_iso(kind, doc) if pid else None
            if iso and iso > latest.get(pid, ""):
                latest[pid] = iso
    due = []
    for doc in people:
        iso = latest.get(doc["id"])
        last = _as_date(iso) if iso else _intake_date(doc)
        if last is None or last < cutoff:
            due.append((doc, last))
    return due


def retention_due(
    ws: Workspace, today: date | None = None, months: int | None = None
) -> list[RetentionCandidate]:
    """People (not yet erased) whose last contact is older than the retention period."""
    months = check_months(months, ws)
    due = [
        RetentionCandidate(doc["id"], describe_person(Person.model_validate(doc)), last)
        for doc, last in _due_docs(ws, today or date.today(), months)
    ]
    due.sort(key=lambda c: (c.last_contact or date.min, c.person_id))
    return due


def apply_retention(
    ws: Workspace, today: date | None = None, months: int | None = None
) -> ErasureResult:
    """Anonymise every person due (reason "conservation"): one durable save."""
    due = _due_docs(ws, today or date.today(), check_months(months, ws))
    return erase_people(ws, [doc["id"] for doc, _ in due], reason=REASON_RETENTION)


def retention_reminder(ws: Workspace, today: date | None = None) -> str | None:
    """A French reminder at most once a month when people are due; remembered in settings.

    For the app at start (after the workspace is open). Never raises a CitesLabError
    for a settings problem; one scan of the records (~0.1 s for 10,000 people) at most once
    a month, none otherwise.
    """
    today = today or date.today()
    last = ws.settings.retention_reminded_on
    if last is not None and last > months_before(today, 1):
        return None
    count = len(_due_docs(ws, today, check_months(None, ws)))
    if not count:
        return None
    try:  # remembered so the reminder comes back next month, not at every start
        ws.repo.save_settings(ws.settings.model_copy(update={"retention_reminded_on": today}))
    except CitesLabError:
        pass  # settings not writable: remind again next time rather than fail the start
    period = format_period(ws.settings.retention_months)
    people = f"{count} personne{'s' if count > 1 else ''}"
    return (
        f"Conservation des données : {people} sans contact depuis plus de {period}. "
        "Leur identité doit être effacée (les statistiques restent). Au bureau : "
        "« citeslab retention » pour la liste, puis « citeslab retention --apply »."
    )


# --- information notice -------------------------------------------------------------


def notice_path(ws: Workspace) -> Path:
    return ws.data_dir / NOTICE_FILE


def notice_text(ws: Workspace) -> str:
    """The information notice shown at intake, with {structure} and {retention} filled.

    The structure edits `<data>/notice_information.md`, copied from the shipped
    template on first use.
    """
    path = notice_path(ws)
    template = data_file("notice_template.md")
    try:
        if not path.exists():
            write_private(path, template.read_bytes())
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise CitesLabError(
            f"La notice d'information {path} est illisible : corrigez-la (texte UTF-8) "
            "ou supprimez-la pour retrouver le modèle."
        ) from None
    structure = ws.settings.structure or "la structure porteuse"
    period = format_period(ws.settings.retention_months)
    return raw.replace("{structure}", structure).replace("{retention}", period)
