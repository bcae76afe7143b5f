"""Planning an import (nothing written) and writing it (one durable save)."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from citeslab_tui.domain.errors import ValidationError
from citeslab_tui.domain.models import Person, Record
from citeslab_tui.domain.register import RegisterParse, parse_register
from citeslab_tui.services.importer.matching import (
    KnownRecords,
    PlaceLookup,
    event_key_of,
    events_of,
    fill,
    new_person,
)
from citeslab_tui.services.importer.plan import ImportPlan
from citeslab_tui.services.importer.reading import read_rows
from citeslab_tui.services.workspace import Workspace
from citeslab_tui.store.repository import Repository

LOGGER = logging.getLogger("citeslab.import")


_ERASED = "-erased-"


def plan_rows(parse: RegisterParse, repo: Repository, where: PlaceLookup, path: Path) -> ImportPlan:
    """Match rows to people (file duplicates, database), list what to write."""
    plan = ImportPlan(path=path, parse=parse)
    index = KnownRecords(repo)
    people: dict[str, Person] = {}  # person id -> current version (new or updated)
    changed: set[str] = set()
    group_of: dict[str, str] = {}  # identity key -> person id (rows of this file)
    events: list[Record] = []
    for row in parse.rows:
        plan.warnings.extend((row.line, w) for w in row.warnings)
        where.note(row)
        keys = row.identity_keys()
        pid = next((group_of[k] for k in keys if k in group_of), None)
        if pid == _ERASED or (pid is None and row.legacy_key() in index.erased):
            for k in keys:  # its duplicates in this file are skipped too
                group_of.setdefault(k, _ERASED)
            plan.erased += 1
            plan.warnings.append((row.line, "personne effacée à sa demande : ligne ignorée"))
            continue
        outcome = "duplicate"
        if pid is None:
            pid = index.by_legacy.get(row.legacy_key()) or next(
                (index.by_identity[k] for k in keys if k in index.by_identity), None
            )
            if pid is None:
                person = new_person(row, where)
                pid = person.id
                people[pid] = person
                changed.add(pid)
                outcome = "new"
            else:
                outcome = "existing"
        if pid not in people:
            existing = repo.get(Person, pid)
            if existing is None:  # vanished meanwhile: treat as new
                person = new_person(row, where)
                pid = person.id
                changed.add(pid)
                outcome = "new"
            else:
                person = existing
            people[pid] = person
        for k in keys:
            group_of.setdefault(k, pid)
        group_of.setdefault(f"lk:{row.legacy_key()}", pid)
        update = fill(people[pid], row, where)
        if update:
            people[pid] = people[pid].model_copy(update=update)
            changed.add(pid)
        added = 0
        for event in events_of(row, pid, where):
            key = event_key_of(event)
            if key not in index.events:
                index.events.add(key)
                events.append(event)
                added += 1
        if outcome == "new":
            plan.new_people += 1
        elif outcome == "duplicate":
            plan.duplicates += 1
        elif update or added:
            plan.updated += 1
        else:
            plan.unchanged += 1
    persons = [people[pid] for pid in people if pid in changed]
    plan.records = [*persons, *events]
    plan.events = len(events)
    plan.unmatched = where.unmatched
    return plan


def prepare(
    ws: Workspace, path: str | Path, *, today: date | None = None, date_order: str | None = None
) -> ImportPlan:
    """Read and plan an import; writes nothing.

    Raises ValidationError (French) when the file is not a register, when a file of the
    office's reference folder is refused (the import would not use it), and
    `DateOrderNeeded` when the order of the file's dates must be given."""
    path = Path(path)
    problems = ws.reference.check()
    if problems:
        raise ValidationError(
            " ".join(problems) + " Corrigez ce fichier puis relancez l'import : rien n'a été écrit."
        )
    rows = read_rows(path)
    parse = parse_register(rows, today=today or date.today(), date_order=date_order)
    where = PlaceLookup(ws.reference.places, list(ws.site_names()))
    plan = plan_rows(parse, ws.repo, where, path)
    plan.mapping_file = ws.reference.alias_file()
    LOGGER.info(
        "import planned: read=%d new=%d dup=%d updated=%d unchanged=%d rejected=%d events=%d",
        plan.rows_read,
        plan.new_people,
        plan.duplicates,
        plan.updated,
        plan.unchanged,
        plan.rejected,
        plan.events,
    )
    return plan


def apply(ws: Workspace, plan: ImportPlan) -> int:
    """Write the planned records in one durable save; returns how many were written."""
    if not plan.records:
        return 0
    with ws.repo.transaction():
        ws.repo.save(*plan.records, returning=False)  # the result is not used: skip it
    LOGGER.info("import written: records=%d", len(plan.records))
    return len(plan.records)
