"""Issue #16, the office at 100k people: return files per laptop carrying only what the
laptop has not acknowledged (the full state as a fallback), and limits that let the
office of 100,000 people write its return file at all."""

from __future__ import annotations

import base64
from datetime import date
from pathlib import Path

import orjson
import pytest
from synckit import link_repos

from citeslab_tui.bundles import codec, keys
from citeslab_tui.domain.errors import CitesLabError
from citeslab_tui.domain.merge import same_state
from citeslab_tui.domain.models import RECORD_TYPES, Person, Settings
from citeslab_tui.services import sync
from citeslab_tui.store.repository import Repository

STRUCTURE = "7" * 32


def open_repo(folder: Path, device: str, role: str = "laptop") -> Repository:
    repo = Repository.open(folder)
    repo.save_settings(
        Settings(
            structure="S",
            staff=["X"],
            device_id=device,
            device_name=device,
            role=role,
            structure_id=STRUCTURE if role == "office" else "",
        )
    )
    return repo


@pytest.fixture
def sites(tmp_path: Path):
    office = open_repo(tmp_path / "bureau", "bureau", "office")
    l1 = open_repo(tmp_path / "l1", "portable1")
    l2 = open_repo(tmp_path / "l2", "portable2")
    link_repos(office, l1, l2)
    yield office, l1, l2
    for repo in (office, l1, l2):
        repo.close()


class Stick:
    def __init__(self, root: Path) -> None:
        self.root, self.n = root, 0

    def folder(self) -> Path:
        self.n += 1
        path = self.root / f"cle{self.n}"
        path.mkdir()
        return path


def send(laptop: Repository, office: Repository, stick: Stick) -> None:
    result = sync.export_bundle(laptop, stick.folder())
    assert result.path is not None
    report = sync.import_bundles(office, [result.path])
    assert not report.refused and not report.gaps, report.lines()


LATEST: dict[str, Path] = {}  # laptop device -> its latest return file


def returns(office: Repository, stick: Stick, **options: bool) -> dict[str, codec.Manifest]:
    """{laptop device: manifest of its return file} (paths kept in LATEST)."""
    result = sync.write_return(office, stick.folder(), **options)
    out = {}
    for path in result.paths:
        manifest = codec.split_bundle(path.read_bytes()).manifest
        out[manifest.for_device] = manifest
        LATEST[manifest.for_device] = path
    return out


def take(laptop: Repository, office: Repository) -> sync.ImportReport:
    report = sync.import_bundles(laptop, [LATEST[laptop.device]])
    assert not report.refused and not report.gaps, report.lines()
    return report


def state_of(repo: Repository) -> dict[str, dict]:
    return {d["id"]: d for k in RECORD_TYPES for d in repo.docs(k, include_deleted=True)}


def converged(a: Repository, b: Repository) -> bool:
    sa, sb = state_of(a), state_of(b)
    return sa.keys() == sb.keys() and all(same_state(sa[i], sb[i]) for i in sa)


def test_return_carries_only_what_the_laptop_has_not_acknowledged(sites, tmp_path):
    office, l1, l2 = sites
    stick = Stick(tmp_path)
    l1.save(*(Person(family_name=f"Nom{i}") for i in range(20)))
    send(l1, office, stick)
    first = returns(office, stick)
    assert first["portable1"].full and first["portable1"].count == 20  # nothing acknowledged
    assert first["portable2"].full  # never sent a file: unknown, everything
    take(l1, office)
    take(l2, office)
    l2.save(Person(family_name="Nouvelle"))
    l1.save(Person(family_name="Autre"))
    send(l2, office, stick)
    send(l1, office, stick)  # states: holds everything of the office up to the return
    assert sync.acknowledged(office)["portable1"] == first["portable1"].seq_to
    second = returns(office, stick)
    m = second["portable1"]
    assert not m.full and m.seq_from == first["portable1"].seq_to + 1
    assert m.count == 2  # Nouvelle (from l2) and Autre (its own, merged at the office)
    report = take(l1, office)
    assert report.new == {"person": 1}
    assert converged(l1, office)
    # a laptop known to hold everything gets no file, and is told so
    office.put_docs([], local={"sync_acked": {"portable1": {"acked": office.lseq, "seq_to": 99}}})
    again = sync.write_return(office, stick.folder())
    assert [codec.split_bundle(p.read_bytes()).manifest.for_device for p in again.paths] == [
        "portable2"
    ]
    assert "Portable portable1 : à jour, rien de nouveau pour lui." in again.lines()


def test_a_laptop_that_missed_a_return_gets_everything_on_the_next(sites, tmp_path):
    office, l1, l2 = sites
    stick = Stick(tmp_path)
    l1.save(Person(family_name="Un"))
    send(l1, office, stick)
    returns(office, stick)
    take(l1, office)
    l1.save(Person(family_name="Deux"))
    send(l1, office, stick)  # acknowledges the first return
    l2.save(Person(family_name="Trois"))
    send(l2, office, stick)
    missed = returns(office, stick)["portable1"]  # Trois: never imported by l1
    assert not missed.full
    l2.save(Person(family_name="Quatre"))
    send(l2, office, stick)
    l1.save(Person(family_name="Cinq"))
    send(l1, office, stick)  # still acknowledges only the first return
    nxt = returns(office, stick)["portable1"]
    assert not nxt.full and nxt.seq_from == missed.seq_from  # starts where it stood
    report = take(l1, office)
    assert report.new == {"person": 2}  # Trois and Quatre
    assert converged(l1, office)


def test_erasure_survives_an_incremental_return(sites, tmp_path):
    office, l1, l2 = sites
    stick = Stick(tmp_path)
    (person,) = l1.save(Person(family_name="Effacée", first_name="Anne"))
    send(l1, office, stick)
    returns(office, stick)
    take(l1, office)
    take(l2, office)
    l2.save(Person(family_name="Autre"))
    send(l2, office, stick)  # l2 acknowledges the first return
    # the office erases her (access and erasure): the tombstone travels incrementally
    office.save(Person(id=person.id, erased_at=person.meta.updated_at), erased=True)
    m = returns(office, stick)["portable2"]
    assert not m.full
    take(l2, office)
    doc = l2.doc("person", person.id)
    assert doc is not None and doc["meta"].get("erased")
    assert doc["family_name"] == "" and doc["first_name"] == ""
    snapshot = b"".join(p.read_bytes() for p in l2.folder.glob("*.json*"))
    journal = b"".join(p.read_bytes() for p in l2.folder.glob("journal*"))
    assert "Effacée".encode() not in snapshot + journal


def test_full_return_on_request_and_for_an_unknown_holding(sites, tmp_path):
    office, l1, _ = sites
    stick = Stick(tmp_path)
    l1.save(Person(family_name="Un"))
    send(l1, office, stick)
    returns(office, stick)
    take(l1, office)
    l1.save(Person(family_name="Deux"))
    send(l1, office, stick)
    assert returns(office, stick, full=True)["portable1"].full  # --full
    take(l1, office)
    # the office restored from an older backup: the laptop acknowledges more than the
    # office ever numbered: its holdings are unknown, everything goes
    office.put_docs([], local={"sync_acked": {"portable1": {"acked": 10**9, "seq_to": 99}}})
    assert returns(office, stick)["portable1"].full
    take(l1, office)
    assert converged(l1, office)


def test_previous_format_still_read_and_acknowledges_nothing(sites, tmp_path):
    """A laptop still on format 2 (no `acked`): imported; the office keeps sending it
    the full state."""
    office, l1, _ = sites
    l1.save(Person(family_name="Ancien"))
    path = sync.export_bundle(l1, tmp_path, unencrypted=True).path
    assert path is not None
    raw = path.read_bytes()
    first = raw.index(b"\n")
    second = raw.index(b"\n", first + 1)
    manifest = orjson.loads(raw[first + 1 : second])
    del manifest["acked"], manifest["for_device"]
    manifest["version"] = 2
    line = orjson.dumps(manifest, option=orjson.OPT_SORT_KEYS)
    signature = keys.sign(keys.signer(l1.folder), codec.signed_message(line))
    old = tmp_path / "ancien.cslb"
    old.write_bytes(
        codec.MAGIC
        + b" "
        + codec.sha256(line).encode()
        + b" "
        + base64.b64encode(signature)
        + b"\n"
        + line
        + b"\n"
        + raw[second + 1 :]
    )
    report = sync.import_bundles(office, [old], allow_unencrypted=True)
    assert not report.refused and report.new == {"person": 1}, report.lines()
    assert "portable1" not in sync.acknowledged(office)
    assert returns(office, Stick(tmp_path))["portable1"].full


def test_limits_fit_the_office_at_100k_people():
    """The office of 100,000 people could not write its return file at all: 709,789
    records (measured: `citeslab demo --people 100000 --seed 1`, 494 MB of JSON) were
    over MAX_RECORDS = 250,000 and the manifest refused them."""
    records, json_bytes = 709_789, 494_321_073
    manifest = codec.Manifest(device="bureau", seq_from=1, seq_to=records, count=records)
    assert manifest.count == records
    assert codec.payload_limit(records) >= json_bytes  # decompression bound, still finite
    assert codec.payload_limit(3) < 2**20  # and still checked against the count announced


def test_a_return_over_the_limit_says_so_in_french(sites, tmp_path, monkeypatch):
    office, l1, _ = sites
    stick = Stick(tmp_path)
    l1.save(*(Person(family_name=f"Nom{i}") for i in range(5)))
    send(l1, office, stick)
    monkeypatch.setattr(codec, "MAX_RECORDS", 3)
    with pytest.raises(CitesLabError, match="Trop d'enregistrements pour un seul fichier"):
        sync.write_return(office, stick.folder())


def test_a_save_failing_after_its_first_kind_leaves_nothing(sites, tmp_path, monkeypatch):
    """put_docs stores kind by kind (each kind's given documents dropped once stored):
    a failure on a later kind still leaves the database as it was, on disk and in memory."""
    office, l1, _ = sites
    from citeslab_tui.domain.models import Interview
    from citeslab_tui.store import tables

    person = Person(family_name="Un")
    l1.save(person, Interview(person_id=person.id, on=date(2026, 11, 26)))
    path = sync.export_bundle(l1, tmp_path).path
    assert path is not None
    before = {p.name: p.read_bytes() for p in office.folder.iterdir() if p.is_file()}
    real = tables.RecordTable.put_records

    def fail_on_interviews(self: tables.RecordTable, docs: object, **options: bool) -> None:
        if self.name == "interview":
            raise OSError("disque plein")
        real(self, docs, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(tables.RecordTable, "put_records", fail_on_interviews)
    with pytest.raises(OSError):
        sync.import_bundles(office, [path])
    monkeypatch.undo()
    after = {p.name: p.read_bytes() for p in office.folder.iterdir() if p.is_file()}
    assert after == before
    assert office.doc("person", person.id) is None
    assert not sync.import_bundles(office, [path]).refused  # and it goes in afterwards
    assert office.doc("person", person.id) is not None


def test_an_office_restored_from_an_older_backup_never_reuses_sent_numbers(tmp_path):
    """Numbers a laptop acknowledged are never handed out again: after a restore, the
    office's new changes reach the laptop (before: numbered again from the backup's
    counter, at or below the laptop's acknowledgement, they were never sent to it)."""
    office = open_repo(tmp_path / "bureau", "bureau", "office")
    l1 = open_repo(tmp_path / "l1", "portable1")
    link_repos(office, l1)
    stick = Stick(tmp_path)
    l1.save(Person(family_name="Un"))
    send(l1, office, stick)
    returns(office, stick)
    take(l1, office)
    office.close()
    backup = tmp_path / "sauvegarde"
    backup.mkdir()
    database = [
        p
        for p in (tmp_path / "bureau").iterdir()
        if p.name.startswith(("citeslab.json", "journal"))
    ]
    for path in database:
        (backup / path.name).write_bytes(path.read_bytes())
    office = Repository.open(tmp_path / "bureau")
    for i in range(5):  # the office's own changes, sent to the laptop, acknowledged
        office.save(Person(family_name=f"Avant{i}"))
    returns(office, stick)
    take(l1, office)
    l1.save(Person(family_name="Deux"))
    send(l1, office, stick)
    office.close()
    for path in (tmp_path / "bureau").iterdir():  # the restore: the older database back
        if path.name.startswith(("citeslab.json", "journal")):
            path.unlink()
    for path in backup.iterdir():
        (tmp_path / "bureau" / path.name).write_bytes(path.read_bytes())
    office = Repository.open(tmp_path / "bureau")
    (after,) = office.save(Person(family_name="AprèsRestauration"))
    for i in range(10):  # more changes since the restore than were sent before it
        office.save(Person(family_name=f"Après{i}"))
    l1.save(Person(family_name="Trois"))
    # acknowledges what it holds (numbers sent before the restore); the office reports
    # the laptop's changes it lost with the restore as a gap, as it should
    sent = sync.export_bundle(l1, stick.folder())
    assert sent.path is not None
    assert not sync.import_bundles(office, [sent.path]).refused
    returns(office, stick)
    take(l1, office)
    assert l1.doc("person", after.id) is not None
    office.close()
    l1.close()
