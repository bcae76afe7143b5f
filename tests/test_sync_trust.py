"""Issue #12: a sync nobody can fool or jam. Each test is a case of the issue that the
code before it got wrong (noted in each docstring): authenticated bundles, version
vectors that cannot lie, clocks that never lock anyone out, a crash-proof send, bounded
reading, the canonical stored form, and the smaller points of case 11."""

from __future__ import annotations

import gzip
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
import tracemalloc
import zlib
from pathlib import Path

import orjson
import pytest
from synckit import link

from citeslab_tui.bundles import codec, keys
from citeslab_tui.cli import main
from citeslab_tui.domain.hlc import ABSORB_AHEAD_MS, Timestamp
from citeslab_tui.domain.models import Person
from citeslab_tui.services import sync
from citeslab_tui.services.workspace import Workspace

DAY = 24 * 3600


def cli(capsys, data: Path, *args: str) -> tuple[int, str]:
    capsys.readouterr()
    rc = main(["--data-dir", str(data), *args])
    out = capsys.readouterr()
    return rc, out.out + out.err


def db_bytes(folder: Path) -> dict[str, bytes]:
    return {
        p.name: p.read_bytes()
        for p in folder.iterdir()
        if p.is_file()
        and (p.name.startswith("citeslab.json") or p.name.startswith("journal"))
        and p.stat().st_size > 0
    }


def configure(folder: Path, device: str, *, office: bool = False, structure_id=None) -> None:
    with Workspace.open(folder) as ws:
        ws.configure(
            structure="Mife",
            staff=["Céline"],
            device=device,
            role="office" if office else "laptop",
            structure_id=structure_id,
        )


@pytest.fixture
def sites(tmp_path: Path):
    office, l1, l2 = tmp_path / "bureau", tmp_path / "l1", tmp_path / "l2"
    configure(office, "bureau", office=True)
    configure(l1, "portable-1")
    configure(l2, "portable-2")
    link(office, l1, l2)
    return office, l1, l2


def add(folder: Path, *records):
    with Workspace.open(folder) as ws:
        return ws.repo.save(*records)


def export(folder: Path, dest: Path, **options) -> Path:
    dest.mkdir(exist_ok=True)
    with Workspace.open(folder) as ws:
        result = sync.export_bundle(ws.repo, dest, **options)
    assert result.path is not None, result.message
    return result.path


def do_import(folder: Path, *paths: Path, **options) -> sync.ImportReport:
    with Workspace.open(folder) as ws:
        return sync.import_bundles(ws.repo, list(paths), **options)


def give_return(office: Path, dest: Path) -> Path:
    """The office's return files (one per laptop) in `dest`: the folder a laptop imports."""
    dest.mkdir(exist_ok=True)
    with Workspace.open(office) as ws:
        assert sync.write_return(ws.repo, dest).paths
    return dest


def device_of(folder: Path) -> str:
    with Workspace.open(folder) as ws:
        return ws.repo.device


def refused(report: sync.ImportReport) -> str:
    assert [f.status for f in report.files] == ["refused"], report.lines()
    line = report.files[0].line()
    assert "Traceback" not in line and line.endswith("Rien n'a été importé de ce fichier.")
    return line


def rebuild(path: Path, dest: Path, *, signer: Path | None, records=None, manifest=None) -> Path:
    """An unencrypted bundle rewritten (records or manifest changed) and signed again with
    the key of `signer` (None: unsigned)."""
    parsed = codec.split_bundle(path.read_bytes())
    m = parsed.manifest
    data = orjson.loads(gzip.decompress(parsed.payload))
    if records:
        data = records(data)
    payload = codec.encode_payload(data)
    m.payload_sha256, m.payload_bytes = codec.sha256(payload), len(payload)
    if manifest:
        manifest(m)
    signature = None
    if signer is not None:
        signature = keys.sign(keys.signer(signer), codec.signed_message(m.line()))
    else:
        m.signature = "none"
    dest.write_bytes(codec.encode_bundle(m, payload, signature))
    return dest


# --- case 5: authenticated bundles -----------------------------------------------------


def test_unencrypted_bundle_refused_unless_the_flag_says_so(sites, tmp_path, capsys):
    """Case 5: the office accepted unencrypted bundles. Case 11: they were 0644."""
    office, l1, _ = sites
    add(l1, Person(family_name="Diallo"))
    bundle = export(l1, tmp_path / "cle", unencrypted=True)
    if os.name == "posix":
        assert stat.S_IMODE(bundle.stat().st_mode) == 0o600
    before = db_bytes(office)
    rc, out = cli(capsys, office, "sync", "import", str(bundle))
    assert rc == 1 and "NON chiffré" in out and "--allow-unencrypted" in out, out
    assert db_bytes(office) == before
    rc, out = cli(capsys, office, "sync", "import", "--allow-unencrypted", str(bundle))
    assert rc == 0 and "importé de portable-1" in out, out


def test_unsigned_bundle_refused_unless_the_flag_says_so(sites, tmp_path):
    office, l1, _ = sites
    add(l1, Person(family_name="Diallo"))
    good = export(l1, tmp_path / "cle", unencrypted=True)
    unsigned = rebuild(good, tmp_path / "non-signe.cslb", signer=None)
    before = db_bytes(office)
    line = refused(do_import(office, unsigned, allow_unencrypted=True))
    assert "NON signé" in line and "--allow-unsigned" in line
    assert db_bytes(office) == before
    report = do_import(office, unsigned, allow_unencrypted=True, allow_unsigned=True)
    assert [f.status for f in report.files] == ["imported"]


def test_forged_signatures_are_refused(sites, tmp_path):
    """A file signed with a key nobody enrolled, and a manifest changed after signing."""
    office, l1, _ = sites
    add(l1, Person(family_name="Diallo"))
    good = export(l1, tmp_path / "cle", unencrypted=True)
    stranger = tmp_path / "inconnu"
    keys.ensure_identity(stranger)
    forged = rebuild(good, tmp_path / "faux.cslb", signer=stranger)
    before = db_bytes(office)
    assert "signature invalide" in refused(do_import(office, forged, allow_unencrypted=True))
    raw = good.read_bytes()
    header, line, payload = raw.split(b"\n", 2)
    changed = line.replace(b'"device_name":"portable-1"', b'"device_name":"portable-9"')
    tampered = b" ".join([codec.MAGIC, codec.sha256(changed).encode(), header.split(b" ")[2]])
    (tmp_path / "retouche.cslb").write_bytes(tampered + b"\n" + changed + b"\n" + payload)
    line = refused(do_import(office, tmp_path / "retouche.cslb", allow_unencrypted=True))
    assert "signature invalide" in line
    assert db_bytes(office) == before


def test_laptop_not_enrolled_is_refused_and_told_what_to_do(sites, tmp_path):
    office, _, _ = sites
    l3 = tmp_path / "l3"
    configure(l3, "portable-3")
    with Workspace.open(office) as ows, Workspace.open(l3) as lws:
        from citeslab_tui.services import keys as identities

        identities.install_office(lws, identities.local_identity(ows))  # trusts, not enrolled
    add(l3, Person(family_name="Intrus"))
    bundle = export(l3, tmp_path / "cle")
    before = db_bytes(office)
    line = refused(do_import(office, bundle))
    assert "n'est pas inscrit au bureau" in line and "keys enroll" in line
    assert "--allow-unsigned" in line
    assert db_bytes(office) == before


def test_revoked_laptop_is_refused_and_no_longer_a_return_recipient(sites, tmp_path, capsys):
    """Case 11: no command removed a stolen laptop's key from the return recipients."""
    office, l1, l2 = sites
    add(l1, Person(family_name="Avant"))
    assert not do_import(office, export(l1, tmp_path / "a")).refused
    rc, out = cli(capsys, office, "keys", "revoke", "portable-1")
    assert rc == 0 and "Portable retiré" in out, out
    rc, out = cli(capsys, office, "keys", "show")
    assert "RETIRÉ le" in out
    add(l1, Person(family_name="Après"))
    line = refused(do_import(office, export(l1, tmp_path / "b")))
    assert "a été retiré le" in line
    back = give_return(office, tmp_path / "r")
    # no return file is written for the revoked laptop; the others' are not for it
    assert [p.name for p in back.iterdir() if "portable1" in p.name] == []
    report = do_import(l1, back)
    assert [f.status for f in report.files] == ["ignored"], report.lines()
    assert "fichier retour du portable" in report.files[0].reason
    assert not do_import(l2, back).refused  # the others still read it


def test_another_structures_bundle_is_refused(sites, tmp_path):
    """Case 11: a laptop initialised for another structure was accepted silently."""
    office, l1, _ = sites
    other_office, other_laptop = tmp_path / "b2", tmp_path / "p2"
    configure(other_office, "bureau-b", office=True)
    configure(other_laptop, "portable-b")
    link(other_office, other_laptop)
    add(other_laptop, Person(family_name="Ailleurs"))
    theirs = export(other_laptop, tmp_path / "cle", unencrypted=True)
    before = db_bytes(office)
    line = refused(do_import(office, theirs, allow_unencrypted=True, allow_unsigned=True))
    assert "vient d'une autre structure" in line
    assert db_bytes(office) == before
    # and a return file of the other structure on one of ours
    other_return = give_return(other_office, tmp_path / "r2")
    assert "autre structure" in refused(do_import(l1, other_return))


def test_laptops_check_the_return_files_signature(sites, tmp_path):
    office, l1, _ = sites
    add(l1, Person(family_name="Diallo"))
    assert not do_import(office, export(l1, tmp_path / "a")).refused
    (tmp_path / "r").mkdir()
    with Workspace.open(office) as ws:
        (genuine,) = [
            p
            for p in sync.write_return(ws.repo, tmp_path / "r", unencrypted=True).paths
            if device_of(l1) in p.name
        ]
    stranger = tmp_path / "inconnu"
    keys.ensure_identity(stranger)
    forged = rebuild(genuine, tmp_path / "faux-retour.cslb", signer=stranger)
    before = db_bytes(l1)
    assert "signature invalide" in refused(do_import(l1, forged, allow_unencrypted=True))
    unsigned = rebuild(genuine, tmp_path / "retour-non-signe.cslb", signer=None)
    assert "NON signé" in refused(do_import(l1, unsigned, allow_unencrypted=True))
    assert db_bytes(l1) == before
    assert not do_import(l1, genuine, allow_unencrypted=True).refused


def test_enrol_shows_the_fingerprint_of_keys_show_and_asks(tmp_path, capsys, monkeypatch):
    office, laptop = tmp_path / "bureau", tmp_path / "l1"
    cli(
        capsys, office, "init", "--structure", "S", "--staff", "A", "--device", "bureau", "--office"
    )
    cli(capsys, laptop, "init", "--structure", "S", "--staff", "C", "--device", "portable-1")
    ident = tmp_path / "identite-bureau.txt"
    assert cli(capsys, office, "keys", "export", str(ident))[0] == 0
    monkeypatch.setattr("builtins.input", lambda _q: "non")
    rc, out = cli(capsys, laptop, "keys", "trust", str(ident))
    assert rc == 1 and "Installation annulée" in out
    monkeypatch.setattr("builtins.input", lambda _q: "oui")
    rc, out = cli(capsys, laptop, "keys", "trust", str(ident))
    assert rc == 0, out
    rc, shown = cli(capsys, laptop, "keys", "show")
    mine = [ln for ln in shown.splitlines() if "Empreinte" in ln][0].split(" : ")[1]
    assert len(mine.split()) == 6 and all(len(g) == 5 and g.isdigit() for g in mine.split())
    lap_ident = tmp_path / "identite-portable-1.txt"
    cli(capsys, laptop, "keys", "export", str(lap_ident))
    monkeypatch.setattr("builtins.input", lambda _q: (_ for _ in ()).throw(EOFError))
    rc, out = cli(capsys, office, "keys", "enroll", str(lap_ident))
    assert rc == 1 and mine in out and "Inscription annulée" in out and "--yes" in out
    rc, out = cli(capsys, office, "keys", "enroll", str(lap_ident), "--yes")
    assert rc == 0 and "Portable inscrit" in out
    # another structure's laptop cannot be enrolled here
    stray = tmp_path / "ailleurs"
    configure(stray, "portable-x", structure_id="a" * 32)
    cli(capsys, stray, "keys", "export", str(tmp_path / "x.txt"))
    rc, out = cli(capsys, office, "keys", "enroll", str(tmp_path / "x.txt"), "--yes")
    assert rc == 1 and "autre structure" in out


# --- case 5: version vectors that cannot lie --------------------------------------------


def test_forged_version_vector_is_refused_naming_the_record(sites, tmp_path):
    """Case 5: one record claiming {portable-1: 10**12} silently made the office drop
    portable-1's later genuine edit, with no conflict listed."""
    office, l1, l2 = sites
    (p,) = add(l1, Person(family_name="Diallo", commune="Caen"))
    assert not do_import(office, export(l1, tmp_path / "a")).refused
    assert not do_import(l2, give_return(office, tmp_path / "r")).refused
    p1 = device_of(l1)

    def lie(records):
        for _kind, doc in records:
            if doc["id"] == p.id:
                doc["meta"]["vv"][p1] = 10**12
        return records

    add(l2, Person(family_name="Autre"))
    forged = rebuild(  # a full resend from portable-2 carries the record, with a lie
        export(l2, tmp_path / "c", unencrypted=True, full=True),
        tmp_path / "faux.cslb",
        signer=l2,
        records=lie,
    )
    before = db_bytes(office)
    line = refused(do_import(office, forged, allow_unencrypted=True))
    assert f"(personne {p.id[:8]})" in line, line
    assert f"1000000000000 modification(s) du poste {p1}" in line
    assert db_bytes(office) == before
    # portable-1's genuine later edit goes in
    with Workspace.open(l1) as ws:
        ws.repo.save(ws.repo.get(Person, p.id).model_copy(update={"commune": "Ifs"}))
    assert not do_import(office, export(l1, tmp_path / "d")).refused
    with Workspace.open(office) as ws:
        assert ws.repo.get(Person, p.id).commune == "Ifs"


def test_a_laptop_cannot_claim_more_of_its_own_writes_than_it_declared(sites, tmp_path):
    office, l1, _ = sites
    (p,) = add(l1, Person(family_name="Diallo"))
    me = device_of(l1)

    def lie(records):
        records[0][1]["meta"]["vv"][me] = 10**6
        return records

    forged = rebuild(
        export(l1, tmp_path / "a", unencrypted=True), tmp_path / "f.cslb", signer=l1, records=lie
    )
    line = refused(do_import(office, forged, allow_unencrypted=True))
    assert "jamais déclaré plus de" in line and p.id[:8] in line


# --- case 3: clocks never lock anyone out --------------------------------------------------


def save_with_clock(folder: Path, offset_s: float, *records) -> None:
    with Workspace.open(folder) as ws:
        ws.repo.clock._wall = lambda: time.time() + offset_s
        ws.repo.save(*records)


def test_a_laptop_whose_clock_ran_30_days_ahead_is_not_locked_out(sites, tmp_path, capsys):
    """Case 3: its HLC never goes back, so every later bundle, --full included, was
    refused ("horloge déréglée") for 30 days."""
    office, l1, l2 = sites
    (p,) = [Person(family_name="Futur")]
    save_with_clock(l1, 30 * DAY, p)  # the clock ran 30 days ahead, then was fixed
    add(l1, Person(family_name="Ensuite"))  # the HLC stays ahead: stamped in the future
    report = do_import(office, export(l1, tmp_path / "a"))
    assert not report.refused, report.lines()
    assert report.new == {"person": 2}
    note = report.files[0].line()
    assert "en avance d'environ 30 jours" in note
    with Workspace.open(office) as ws:  # the office's clock was not dragged a month ahead
        office_clock = Timestamp.parse(ws.repo.clock.last).millis
    assert office_clock <= time.time() * 1000 + ABSORB_AHEAD_MS + 1000
    rc, out = cli(capsys, office, "sync", "status")
    assert "Horloge de ce poste en avance d'environ" in out, out
    # a --full resend is accepted too
    assert not do_import(office, export(l1, tmp_path / "b", full=True)).refused


def test_a_laptop_a_day_behind_takes_the_return_file(sites, tmp_path, monkeypatch):
    """Case 3: a laptop one day behind refused the office's whole return file (it held
    records stamped 2.5 days ahead by another laptop: 3.5 days in its future)."""
    office, l1, l2 = sites
    save_with_clock(l1, 2.5 * DAY, Person(family_name="Diallo"))
    assert not do_import(office, export(l1, tmp_path / "a")).refused
    back = give_return(office, tmp_path / "r")
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() - DAY)  # l2's clock is a day behind
    report = do_import(l2, back)
    assert not report.refused, report.lines()
    assert report.new == {"person": 1}
    (mine,) = report.imported  # the other laptop's file is set aside
    assert "en avance d'environ" in mine.line()  # reported, never refused


async def test_the_app_warns_at_start_when_the_clock_is_behind_the_saved_one(
    tmp_path, notifications
):
    from citeslab_tui.ui.app import CitesLabApp

    folder = tmp_path / "d"
    configure(folder, "portable-1")
    save_with_clock(folder, 30 * DAY, Person(family_name="Futur"))
    app = CitesLabApp(str(folder))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        messages = notifications
    assert any("en retard sur la dernière modification" in m for m in messages), messages


# --- case 4: crash-proof send ----------------------------------------------------------------


def test_crash_between_writing_a_bundle_and_recording_it(sites, tmp_path):
    """Case 4: the next export reused the numbers; the office imported the orphan, refused
    the real one ("chevauchent") and reported a gap that only --full mended."""
    office, l1, _ = sites
    add(l1, Person(family_name="Un"))
    with Workspace.open(l1) as ws:
        plan = sync.plan_export(ws.repo)
        (tmp_path / "cle").mkdir()
        orphan = sync.write_export(plan, tmp_path / "cle")
        # ... the app dies here: commit_export never runs
    add(l1, Person(family_name="Deux"))
    with Workspace.open(l1) as ws:
        result = sync.export_bundle(ws.repo, tmp_path / "cle")
    assert "reprend un envoi précédent interrompu" in result.message
    for order in ([orphan, result.path], [result.path, orphan]):
        fresh = tmp_path / f"bureau-{order[0] == orphan}"
        shutil.copytree(office, fresh)  # the same office, twice: one per delivery order
        for path in order:
            report = do_import(fresh, path)
            assert not report.refused and not report.gaps, report.lines()
        with Workspace.open(fresh) as ws:
            assert sorted(p.family_name for p in ws.repo.all(Person)) == ["Deux", "Un"]


CRASH = """
import os, signal, sys
from pathlib import Path
from citeslab_tui.services import sync
from citeslab_tui.services.workspace import Workspace
ws = Workspace.open(Path(sys.argv[1]))
plan = sync.plan_export(ws.repo)
sync.write_export(plan, Path(sys.argv[2]))
os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_kill_9_between_writing_and_recording(sites, tmp_path, capsys):
    office, l1, _ = sites
    add(l1, Person(family_name="Un"))
    stick = tmp_path / "cle"
    stick.mkdir()
    result = subprocess.run([sys.executable, "-c", CRASH, str(l1), str(stick)], check=False)
    assert result.returncode == -signal.SIGKILL
    (orphan,) = stick.glob("*.cslb")
    add(l1, Person(family_name="Deux"))
    rc, out = cli(capsys, l1, "sync", "export", str(stick))
    assert rc == 0 and "reprend un envoi précédent" in out, out
    rc, out = cli(capsys, office, "sync", "import", str(stick))
    assert rc == 0 and "chevauchent" not in out and "Il manque" not in out, out
    assert out.count("importé de portable-1") == 2


# --- case 6: bounded reading, canonical storage -------------------------------------------


def signed_file(path: Path, m: codec.Manifest, payload: bytes, signer: Path) -> Path:
    m.payload_sha256, m.payload_bytes = codec.sha256(payload), len(payload)
    signature = keys.sign(keys.signer(signer), codec.signed_message(m.line()))
    path.write_bytes(codec.encode_bundle(m, payload, signature))
    return path


def manifest_for(folder: Path, count: int) -> codec.Manifest:
    with Workspace.open(folder) as ws:
        return codec.Manifest(
            structure=ws.settings.structure_id,
            device=ws.repo.device,
            seq_from=1,
            seq_to=5,
            count=count,
            counts={"person": count},
            encryption="none",
        )


def test_gzip_bomb_is_refused_without_expanding(sites, tmp_path):
    """Case 6: a 2 MB gzip bomb reached 4.2 GB before refusal."""
    office, l1, _ = sites
    squeeze = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = b"\0" * (1 << 20)
    bomb = b"".join(squeeze.compress(zeros) for _ in range(1024)) + squeeze.flush()  # 1 GiB
    assert len(bomb) < 2 * 2**20
    path = signed_file(tmp_path / "bombe.cslb", manifest_for(l1, 3), bomb, l1)
    before = db_bytes(office)
    tracemalloc.start()
    started = time.perf_counter()
    report = do_import(office, path, allow_unencrypted=True)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    line = refused(report)
    assert "trop volumineux une fois décompressé" in line
    assert peak < 64 * 2**20, peak  # the limit for 3 records is 256 KiB: nothing near 1 GiB
    assert elapsed < 10
    assert db_bytes(office) == before


def test_a_million_records_under_a_small_count_are_refused_fast(sites, tmp_path):
    """Case 6: a 3 MB bundle of 10**6 records took 37 s and 2.9 GB."""
    office, l1, _ = sites
    records = b"[" + b",".join([b'["person",{"id":"0"}]'] * 1_000_000) + b"]"
    payload = gzip.compress(records, compresslevel=6)
    path = signed_file(tmp_path / "million.cslb", manifest_for(l1, 10), payload, l1)
    tracemalloc.start()
    started = time.perf_counter()
    line = refused(do_import(office, path, allow_unencrypted=True))
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "trop volumineux" in line and elapsed < 5 and peak < 64 * 2**20


def test_oversized_file_is_not_read(sites, tmp_path, monkeypatch):
    office, l1, _ = sites
    monkeypatch.setattr(codec, "MAX_BUNDLE_BYTES", 1000)
    add(l1, *(Person(family_name=f"P{n}", notes="x" * 200) for n in range(20)))
    line = refused(do_import(office, export(l1, tmp_path / "a")))
    assert "fichier trop gros" in line


def test_what_is_stored_is_the_canonical_form(sites, tmp_path):
    """Case 6: validation checked a coerced copy but stored the raw value."""
    office, l1, _ = sites
    (p,) = add(l1, Person(family_name="Diallo", first_name="Awa", notes="n"))

    def raw_forms(records):
        doc = records[0][1]
        doc["notes"] = "a\x1b[2Jb\u202e\nligne  2 "
        doc["project_idea"] = "  une   idée\x07 "
        doc["first_name"] = "Awa\u0301"  # decomposed accent: stored composed (NFC)
        return records

    path = rebuild(
        export(l1, tmp_path / "a", unencrypted=True), tmp_path / "b.cslb", signer=l1,
        records=raw_forms,
    )  # fmt: skip
    assert not do_import(office, path, allow_unencrypted=True).refused
    with Workspace.open(office) as ws:
        doc = ws.repo.doc("person", p.id)
    assert doc["notes"] == "a[2Jb\nligne 2" and doc["project_idea"] == "une idée"
    assert doc["first_name"] == "Awá"
    # and the office's export works on it (it used to fail with "Erreur inattendue")
    with Workspace.open(office) as ws:
        from citeslab_tui.services import exports

        exports.export(ws, "xlsx", tmp_path / "e.xlsx")


# --- case 11: smaller points -------------------------------------------------------------


def test_bundles_named_in_capitals_are_imported(sites, tmp_path):
    """Case 11: `.CSLB` (FAT32 sticks show names in capitals) was ignored."""
    office, l1, _ = sites
    add(l1, Person(family_name="Diallo"))
    path = export(l1, tmp_path / "cle")
    path.rename(path.with_name(path.name.upper()))
    report = do_import(office, tmp_path / "cle")
    assert [f.status for f in report.files] == ["imported"], report.lines()


def test_ordering_rule_for_values_stamped_in_the_future(sites, tmp_path):
    """The rule (docs/sync-format.md#clocks): concurrent values are shown by clock, so a
    value stamped in the future wins the view and the other stays listed as a conflict;
    a write made after seeing it replaces it whatever the clocks."""
    office, l1, l2 = sites
    (p,) = add(l1, Person(family_name="Diallo"))
    assert not do_import(office, export(l1, tmp_path / "a")).refused
    assert not do_import(l2, give_return(office, tmp_path / "r")).refused
    with Workspace.open(l1) as ws:
        person = ws.repo.get(Person, p.id)
    save_with_clock(l1, 30 * DAY, person.model_copy(update={"commune": "Futur"}))
    with Workspace.open(l2) as ws:
        ws.repo.save(ws.repo.get(Person, p.id).model_copy(update={"commune": "Présent"}))
    report = do_import(office, export(l1, tmp_path / "b"), export(l2, tmp_path / "c"))
    assert not report.refused and report.conflicts == 1
    with Workspace.open(office) as ws:
        assert ws.repo.get(Person, p.id).commune == "Futur"  # the later clock is shown
        (item,) = sync.list_conflicts(ws)
        assert item.values == ["Futur", "Présent"]
    # l2 sees the conflict through the return and edits after seeing it, with a normal
    # clock far "before" the future stamp: its write wins, everywhere
    assert not do_import(l2, give_return(office, tmp_path / "r2")).refused
    with Workspace.open(l2) as ws:
        ws.repo.save(ws.repo.get(Person, p.id).model_copy(update={"commune": "Ifs"}))
    assert not do_import(office, export(l2, tmp_path / "d")).refused
    with Workspace.open(office) as ws:
        assert ws.repo.get(Person, p.id).commune == "Ifs"
        assert sync.list_conflicts(ws) == []


def test_a_temporary_bundle_left_by_a_crash_is_removed_at_the_next_send(sites, tmp_path):
    office, l1, _ = sites
    add(l1, Person(family_name="Diallo"))
    stick = tmp_path / "cle"
    stick.mkdir()
    device = device_of(l1).lower()
    stale = stick / f"citeslab-{device}-20261126-100000-000000001-000000001.cslb.tmp"
    stale.write_bytes(b"CITESLAB-BUNDLE half written")
    newer = stick / f".citeslab-{device}-20261127-100000-000000001-000000001.cslb.a1b2c3d4.tmp"
    newer.write_bytes(b"CITESLAB-BUNDLE half written by files.atomic_write")
    other = stick / "citeslab-portable2-x-20261126-100000-000000001-000000001.cslb.tmp"
    other.write_bytes(b"another laptop's")
    export(l1, stick)
    assert not stale.exists() and not newer.exists() and other.exists()
