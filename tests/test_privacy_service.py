"""Right of access, erasure, retention, audit trail and notice (service level)."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import orjson
import pytest
from test_privacy_support import build_file, stats

from citeslab_tui.domain import display
from citeslab_tui.domain.errors import CitesLabError, ValidationError
from citeslab_tui.domain.models import RECORD_TYPES, Person
from citeslab_tui.services import privacy
from citeslab_tui.services.workspace import Workspace
from citeslab_tui.store.backups import BACKUP_DIR

SECRETS = ("Diallo", "Fatou", "612345678", "12 34 56 78", "fatou.diallo")


def live_files(folder: Path) -> list[Path]:
    """Files of the live database (backups rotate out on their own)."""
    return [
        p
        for p in folder.rglob("*")
        if p.is_file() and BACKUP_DIR not in p.relative_to(folder).parts
    ]


def grep(folder: Path, needles: tuple[str, ...]) -> list[str]:
    hits = []
    for path in live_files(folder):
        raw = path.read_bytes()
        hits += [f"{path.name}: {n}" for n in needles if n.encode() in raw]
    return hits


# --- right of access ----------------------------------------------------------------


def test_access_report_has_every_field_and_event(workspace: Workspace) -> None:
    person, records = build_file(workspace)
    report = privacy.access_report(workspace, person.id)
    assert report["person"]["fields"]["family_name"] == "Diallo"
    assert set(report["person"]["fields"]) == set(Person.model_fields) - {"id", "meta"}
    assert {r["id"] for r in report["records"]} == {r.id for r in records}
    for item in report["records"]:
        assert item["recorded"]["created_by"] == "Céline Perriot"
        assert item["recorded"]["created_device"] == workspace.settings.device_id
    text = privacy.access_text(report, workspace.reference.places)
    for record in records:
        field_name = RECORD_TYPES[record.kind].date_field
        assert display.record_title(record.kind, record.content()) in text
        assert getattr(record, field_name).strftime("%d/%m/%Y") in text
    assert "06 12 34 56 78" in text
    assert "Détecté" in text and "Création d'entreprise" in text and "Adie" in text
    assert "10/09/2024" in text and "2024-09-10" not in text
    assert workspace.settings.device_id in text
    # JSON is valid and complete
    data = orjson.loads(privacy.render_access(workspace, person.id, "json"))
    assert len(data["records"]) == len(records)


def test_access_export_files_are_private_and_go_with_erasure(workspace: Workspace) -> None:
    person, _ = build_file(workspace)
    path = privacy.write_access_export(workspace, person.id, "text")
    jpath = privacy.write_access_export(workspace, person.id, "json")
    assert path.parent.name == "exports" and path.suffix == ".txt" and jpath.suffix == ".json"
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o600
        assert path.parent.stat().st_mode & 0o777 == 0o700
    privacy.erase_person(workspace, person.id)
    assert not path.exists() and not jpath.exists()


def test_find_and_resolve(workspace: Workspace) -> None:
    fatou, _ = build_file(workspace)
    awa, _ = build_file(workspace, first="Awa", phone="+33698765432", email="awa@exemple.fr")
    assert privacy.resolve_person(workspace, fatou.id).id == fatou.id
    assert privacy.resolve_person(workspace, fatou.id[:8]).id == fatou.id
    assert privacy.resolve_person(workspace, "fatou diallo").id == fatou.id
    assert privacy.resolve_person(workspace, "06 98 76 54 32").id == awa.id
    with pytest.raises(privacy.AmbiguousPerson) as exc:
        privacy.resolve_person(workspace, "DIALLO")
    assert fatou.id in exc.value.message and awa.id in exc.value.message
    assert "née en 1985" in exc.value.message and "Caen" in exc.value.message
    with pytest.raises(privacy.PersonNotFound):
        privacy.resolve_person(workspace, "abcdef123456")
    with pytest.raises(privacy.PersonNotFound) as nobody:
        privacy.resolve_person(workspace, "Personne Inconnue")
    assert "Inconnue" not in nobody.value.message  # the search is not echoed
    with pytest.raises(ValidationError):
        privacy.resolve_person(workspace, "   ")


# --- erasure -------------------------------------------------------------------------


def test_erasure_clears_personal_fields_keeps_statistics(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    person, records = build_file(workspace)
    other, _ = build_file(
        workspace, family="Martin", first="Léa", phone="+33611111111", email="lea@exemple.fr"
    )
    before = stats(workspace)
    saves = []
    real_save = workspace.repo.save
    monkeypatch.setattr(
        workspace.repo, "save", lambda *r, **kw: saves.append((len(r), kw)) or real_save(*r, **kw)
    )
    result = privacy.erase_person(workspace, person.id)
    assert saves == [(len(records) + 1, {"erased": True})]  # ONE durable save
    assert result.people == 1 and result.records == len(records) + 1
    assert "d'ici 14 jours" in result.message

    doc = workspace.repo.doc("person", person.id)
    assert doc["meta"]["erased"] is True and doc["erased_at"]
    erased = Person.model_validate(doc)
    for name in Person.personal_fields:
        assert getattr(erased, name) == Person.model_fields[name].get_default(
            call_default_factory=True
        )
    # birth year is a quasi-identifier and not a bilan figure: erased with the identity
    kept = ("civility", "commune", "commune_insee", "qpv", "approach", "first_site")
    for name in kept:
        assert getattr(erased, name) == getattr(person, name)
    assert erased.display_name == "(personne effacée)"
    for record in records:
        linked = workspace.repo.doc(record.kind, record.id)
        assert linked["meta"]["erased"] is True
        for name in type(record).personal_fields:
            assert linked[name] in ("", None)
    assert stats(workspace) == before  # bilan figures unchanged
    assert workspace.repo.get(Person, other.id).family_name == "Martin"
    # Checkpoint: no journal line, no live file still holds the data.
    assert grep(workspace.data_dir, SECRETS) == []
    # Audit trail records the erasure
    assert any("Effacement" in e.action for e in privacy.audit_trail(workspace, person.id))
    # Idempotent
    again = privacy.erase_person(workspace, person.id)
    assert again.people == 0 and again.already == 1 and "déjà effacées" in again.message


def test_erasure_survives_reopen_and_reaches_deleted_records(data_dir: Path) -> None:
    with Workspace.open(data_dir) as ws:
        ws.configure(structure="Mife", staff=["Céline"], device="p1")
        person, records = build_file(ws)
        ws.repo.delete(records[0])  # a tombstone still holds its notes
        privacy.erase_person(ws, person.id)
    with Workspace.open(data_dir) as ws:
        assert ws.repo.doc("interview", records[0].id)["notes"] == ""
        assert ws.repo.doc("person", person.id)["family_name"] == ""
    assert grep(data_dir, SECRETS) == []


def test_erasure_drops_conflicts_of_personal_fields(workspace: Workspace) -> None:
    person, _ = build_file(workspace)
    doc = orjson.loads(orjson.dumps(workspace.repo.doc("person", person.id)))
    doc["meta"]["conflicts"] = {
        "phone": [["laptop-b", 3, "+33700000000"]],
        "commune": [["laptop-b", 3, "Ifs"]],
    }
    workspace.repo.put_docs([("person", doc)])
    privacy.erase_person(workspace, person.id)
    conflicts = workspace.repo.doc("person", person.id)["meta"]["conflicts"]
    assert "phone" not in conflicts and "commune" in conflicts


def test_erasing_unknown_or_ambiguous_changes_nothing(workspace: Workspace) -> None:
    build_file(workspace)
    build_file(workspace, first="Awa", phone="+33698765432")
    lseq = workspace.repo.lseq
    with pytest.raises(privacy.PersonNotFound):
        privacy.erase_person(workspace, "0" * 32)
    with pytest.raises(privacy.AmbiguousPerson):
        privacy.resolve_person(workspace, "Diallo")
    assert workspace.repo.lseq == lseq


# --- audit trail ----------------------------------------------------------------------


def test_audit_trail_shows_rectification(workspace: Workspace) -> None:
    person, _ = build_file(workspace)
    workspace.repo.save_settings(
        workspace.settings.model_copy(update={"current_staff": "Karim Benali"})
    )
    current = workspace.repo.get(Person, person.id)
    workspace.repo.save(current.model_copy(update={"phone": "+33799999999"}))
    trail = privacy.audit_trail(workspace, person.id)
    assert trail[0].action == "Création" and trail[0].staff == "Céline Perriot"
    last = trail[-1]
    assert last.staff == "Karim Benali" and last.action == "Modification : Téléphone"
    assert last.device == workspace.settings.device_id
    assert last.record == "Fiche de la personne"
    assert len(trail) == 1 + 7 + 1  # person + 7 linked created, one edit


def test_trail_is_capped_and_holds_no_values(workspace: Workspace) -> None:
    person, _ = build_file(workspace)
    current = workspace.repo.get(Person, person.id)
    for i in range(60):
        current = workspace.repo.save(current.model_copy(update={"notes": f"note {i}"}))[0]
    trail = workspace.repo.doc("person", person.id)["meta"]["trail"]
    assert len(trail) == 50
    assert "note 59" not in orjson.dumps(trail).decode()


# --- retention ------------------------------------------------------------------------


def test_retention_lists_and_anonymises_keeping_bilan(workspace: Workspace) -> None:
    today = date.today()
    old, _ = build_file(workspace, start=today - timedelta(days=3 * 365))
    recent, _ = build_file(
        workspace, first="Awa", phone="+33698765432", start=today - timedelta(days=200)
    )
    before = stats(workspace)
    due = privacy.retention_due(workspace, today)
    assert [c.person_id for c in due] == [old.id]
    assert due[0].last_contact == today - timedelta(days=3 * 365) + timedelta(days=90)
    assert [c.person_id for c in privacy.retention_due(workspace, today, months=1)] == [
        old.id,
        recent.id,
    ]
    with pytest.raises(ValidationError, match="au moins 1 mois"):
        privacy.retention_due(workspace, today, months=0)
    result = privacy.apply_retention(workspace, today)
    assert result.people == 1 and result.reason == privacy.REASON_RETENTION
    assert "1 personne anonymisée" in result.message
    assert workspace.repo.doc("person", old.id)["meta"]["erased"] is True
    assert workspace.repo.doc("person", recent.id)["first_name"] == "Awa"
    assert stats(workspace) == before
    assert privacy.retention_due(workspace, today) == []


def test_person_without_events_uses_intake_date(workspace: Workspace) -> None:
    person = Person(family_name="Seul", notice_given_on=date(2020, 1, 2))
    workspace.repo.save(person)
    due = privacy.retention_due(workspace, date(2026, 11, 26))
    assert [c.last_contact for c in due] == [date(2020, 1, 2)]


def test_retention_reminder_once_a_month(workspace: Workspace) -> None:
    today = date(2026, 11, 26)
    assert privacy.retention_reminder(workspace, today) is None  # nobody due: no reminder
    assert workspace.settings.retention_reminded_on is None
    build_file(workspace, start=date(2020, 1, 1))
    text = privacy.retention_reminder(workspace, today)
    assert text and "1 personne sans contact depuis plus de 2 ans" in text
    assert "Diallo" not in text
    assert privacy.retention_reminder(workspace, today + timedelta(days=10)) is None
    # remembered in the settings file, across reopen
    folder = workspace.data_dir
    workspace.close()
    with Workspace.open(folder) as ws:
        assert ws.settings.retention_reminded_on == today
        assert privacy.retention_reminder(ws, date(2026, 12, 26)) is not None


def test_months_helpers() -> None:
    assert privacy.months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert privacy.months_before(date(2026, 1, 15), 24) == date(2024, 1, 15)
    assert privacy.format_period(24) == "2 ans"
    assert privacy.format_period(12) == "1 an"
    assert privacy.format_period(18) == "18 mois"


# --- information notice --------------------------------------------------------------


def test_notice_copied_filled_and_editable(workspace: Workspace) -> None:
    text = privacy.notice_text(workspace)
    assert "Mife du Calvados" in text and "2 ans" in text and "CNIL" in text
    assert "{structure}" not in text and "{retention}" not in text
    path = privacy.notice_path(workspace)
    assert path.exists()
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o600
    path.write_text("Notice de {structure} : {retention}. {autre}", encoding="utf-8")
    assert privacy.notice_text(workspace) == "Notice de Mife du Calvados : 2 ans. {autre}"
    path.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(CitesLabError, match="illisible"):
        privacy.notice_text(workspace)


def test_merged_duplicate_is_exported_and_erased_with_the_person(workspace: Workspace) -> None:
    from citeslab_tui.services import sync

    keep, _ = build_file(workspace)
    dup, dup_records = build_file(workspace, email="autre.adresse@exemple.fr")
    sync.merge_persons(workspace.repo, keep.id, dup.id)
    assert workspace.repo.doc("person", dup.id)["meta"]["merged_into"] == keep.id
    assert workspace.repo.doc("person", dup.id)["family_name"] == "Diallo"  # tombstone data
    report = privacy.access_report(workspace, keep.id)
    assert [m["id"] for m in report["merged_files"]] == [dup.id]
    assert "FICHE EN DOUBLE FUSIONNÉE" in privacy.access_text(report, workspace.reference.places)
    assert {r.id for r in dup_records} <= {r["id"] for r in report["records"]}
    assert privacy.retention_due(workspace, date(2040, 1, 1))[0].person_id == keep.id
    assert len(privacy.retention_due(workspace, date(2040, 1, 1))) == 1
    result = privacy.erase_person(workspace, keep.id)
    assert result.people == 1
    for pid in (keep.id, dup.id):
        doc = workspace.repo.doc("person", pid)
        assert doc["meta"]["erased"] is True and doc["family_name"] == ""
    assert grep(workspace.data_dir, (*SECRETS, "autre.adresse")) == []


def test_an_erased_file_never_takes_personal_data_again(workspace: Workspace) -> None:
    person, _ = build_file(workspace)
    privacy.erase_person(workspace, person.id)
    erased = workspace.repo.get(Person, person.id)
    workspace.repo.save(erased.model_copy(update={"family_name": "Diallo", "commune": "Ifs"}))
    doc = workspace.repo.doc("person", person.id)
    assert doc["family_name"] == "" and doc["commune"] == "Ifs"
