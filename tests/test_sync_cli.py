"""End to end through the CLI in tmp_path: two laptops, one office, export, import,
return, re-import, erasure propagation, duplicates, conflicts and each bad input."""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path

import orjson
import pytest

from citeslab_tui.bundles import codec, keys
from citeslab_tui.cli import main
from citeslab_tui.domain.models import Interview, Person
from citeslab_tui.services.workspace import Workspace


def cli(capsys, data: Path, *args: str) -> tuple[int, str]:
    rc = main(["--data-dir", str(data), *args])
    out = capsys.readouterr()
    return rc, out.out + out.err


def db_bytes(folder: Path) -> dict[str, bytes]:
    """The database files (an empty journal, created by any open, holds no data)."""
    return {
        p.name: p.read_bytes()
        for p in folder.iterdir()
        if p.is_file()
        and (p.name.startswith("citeslab.json") or p.name.startswith("journal"))
        and p.stat().st_size > 0
    }


@pytest.fixture
def sites(tmp_path, capsys):
    """The office procedure (docs/office.md): the office's identity goes to each laptop
    (keys trust), each laptop's identity to the office (keys enroll)."""
    office, l1, l2 = tmp_path / "bureau", tmp_path / "l1", tmp_path / "l2"
    stick = tmp_path / "cle"
    stick.mkdir()
    rc, out = cli(
        capsys,
        office,
        "init",
        "--structure",
        "S",
        "--staff",
        "Anne",
        "--device",
        "bureau",
        "--office",
    )
    assert rc == 0, out
    rc, out = cli(capsys, office, "keys", "export", str(stick / "identite-bureau.txt"))
    assert rc == 0 and "Empreinte" in out, out
    for folder, name in ((l1, "portable-1"), (l2, "portable-2")):
        rc, out = cli(
            capsys, folder, "init", "--structure", "S", "--staff", "Céline", "--device", name
        )
        assert rc == 0, out
        rc, out = cli(capsys, folder, "keys", "trust", str(stick / "identite-bureau.txt"), "--yes")
        assert rc == 0 and "Identité du bureau installée" in out, out
        ident = tmp_path / f"identite-{name}.txt"
        assert cli(capsys, folder, "keys", "export", str(ident))[0] == 0
        rc, out = cli(capsys, office, "keys", "enroll", str(ident), "--yes")
        assert rc == 0 and "Portable inscrit" in out, out
    return office, l1, l2, stick


def add(folder: Path, *records) -> list:
    with Workspace.open(folder) as ws:
        return ws.repo.save(*records)


def get(folder: Path, model, rid):
    with Workspace.open(folder) as ws:
        return ws.repo.get(model, rid)


def export(capsys, folder: Path, dest: Path, *extra: str) -> Path:
    dest.mkdir(exist_ok=True)
    before = set(dest.iterdir())
    rc, out = cli(capsys, folder, "sync", "export", str(dest), *extra)
    assert rc == 0, out
    assert "vérifié" in out
    (path,) = set(dest.iterdir()) - before
    return path


def give_return(capsys, office: Path, dest: Path) -> Path:
    dest.mkdir()
    rc, out = cli(capsys, office, "sync", "return", str(dest))
    assert rc == 0, out
    return dest


def test_round_trip_two_laptops_and_office(sites, capsys, tmp_path):
    office, l1, l2, stick = sites
    (fatou,) = add(l1, Person(family_name="Diallo", first_name="Fatou"))
    add(l1, Interview(person_id=fatou.id, on=date(2026, 11, 26)))
    (karim,) = add(l2, Person(family_name="Benali", first_name="Karim"))
    rc, out = cli(capsys, l1, "sync", "status")
    assert "1 personne, 1 entretien" in out
    b1 = export(capsys, l1, tmp_path / "s1")
    b2 = export(capsys, l2, tmp_path / "s2")
    assert b1.name.startswith("citeslab-portable1-") and b1.suffix == ".cslb"
    assert b1.read_bytes().split(b"\n")[1].find(b"Diallo") < 0  # encrypted: no name in clear
    rc, out = cli(capsys, l1, "sync", "export", str(tmp_path / "s1"))
    assert rc == 0 and "Rien de nouveau" in out

    rc, out = cli(capsys, office, "sync", "import", str(b1), str(b2))
    assert rc == 0, out
    assert "Nouveaux : 2 personnes, 1 entretien." in out
    # the office's clock absorbed the laptops' clocks (never goes back behind them)
    seen = max(codec.split_bundle(b.read_bytes()).manifest.hlc_max for b in (b1, b2))
    with Workspace.open(office) as ws:
        assert ws.repo.clock.last.split("-")[:2] >= seen.split("-")[:2]
    # the same file again changes nothing
    before = db_bytes(office)
    rc, out = cli(capsys, office, "sync", "import", str(b1))
    assert rc == 0 and "déjà importé" in out
    assert db_bytes(office) == before

    rc, out = cli(capsys, office, "sync", "return", str(stick))
    assert rc == 0 and out.count("Fichier retour pour") == 2 and "prêt et vérifié" in out
    for laptop in (l1, l2):
        rc, out = cli(capsys, laptop, "sync", "import", str(stick))
        assert rc == 0, out
        assert "ignoré" in out  # bureau.pub
    assert get(l1, Person, karim.id).first_name == "Karim"
    assert get(l2, Person, fatou.id).family_name == "Diallo"
    # importing the return does not make the laptop send everything back
    rc, out = cli(capsys, l2, "sync", "status")
    assert "rien de nouveau" in out
    # a laptop cannot read another laptop's bundle
    rc, out = cli(capsys, l2, "sync", "import", str(b1))
    assert "ignoré" in out


def test_concurrent_edits_conflict_reviewed_at_office(sites, capsys, tmp_path):
    office, l1, l2, stick = sites
    (p,) = add(l1, Person(family_name="Diallo", first_name="Fatou"))
    add(l2, Person(family_name="Autre"))
    cli(
        capsys,
        office,
        "sync",
        "import",
        str(export(capsys, l1, tmp_path / "a")),
        str(export(capsys, l2, tmp_path / "a2")),
    )
    assert (
        cli(capsys, l2, "sync", "import", str(give_return(capsys, office, tmp_path / "r")))[0] == 0
    )
    add(l1, get(l1, Person, p.id).model_copy(update={"phone": "+33611111111", "commune": "Caen"}))
    add(l2, get(l2, Person, p.id).model_copy(update={"phone": "+33622222222"}))
    rc, out = cli(
        capsys,
        office,
        "sync",
        "import",
        str(export(capsys, l1, tmp_path / "b")),
        str(export(capsys, l2, tmp_path / "c")),
    )
    assert rc == 0 and "1 conflit(s)" in out
    rc, out = cli(capsys, office, "sync", "conflicts")
    assert "Téléphone" in out and "06 11 11 11 11" in out and "06 22 22 22 22" in out
    merged = get(office, Person, p.id)
    assert merged.commune == "Caen"  # the other field merged without conflict
    rc, out = cli(capsys, office, "sync", "conflicts", "--keep", "1", "1")
    assert rc == 0 and "Conflit résolu" in out
    assert "Aucun conflit" in cli(capsys, office, "sync", "conflicts")[1]
    chosen = get(office, Person, p.id).phone
    assert chosen in ("+33611111111", "+33622222222")


def test_erasure_propagates_and_stale_laptop_does_not_bring_data_back(sites, capsys, tmp_path):
    from citeslab_tui.services.privacy import erase_person

    office, l1, l2, stick = sites
    (p,) = add(l1, Person(family_name="Diallo", first_name="Fatou", phone="+33611111111"))
    add(l2, Person(family_name="Autre"))
    cli(
        capsys,
        office,
        "sync",
        "import",
        str(export(capsys, l1, tmp_path / "a")),
        str(export(capsys, l2, tmp_path / "a2")),
    )
    cli(capsys, office, "sync", "return", str(stick))
    assert cli(capsys, l2, "sync", "import", str(stick))[0] == 0
    # l1 erases; l2, stale, edits the same person the same day
    with Workspace.open(l1) as ws:
        erase_person(ws, p.id)
    add(
        l2, get(l2, Person, p.id).model_copy(update={"notes": "a rappelé", "phone": "+33699999999"})
    )
    erased_bundle = export(capsys, l1, tmp_path / "b")
    stale_bundle = export(capsys, l2, tmp_path / "c")
    cli(capsys, office, "sync", "import", str(stale_bundle))
    cli(capsys, office, "sync", "import", str(erased_bundle))
    at_office = get(office, Person, p.id)
    assert at_office.erased_at is not None
    assert (at_office.family_name, at_office.phone, at_office.notes) == ("", None, "")
    for f in (office / "citeslab.json", *office.glob("journal-*")):
        assert b"Diallo" not in f.read_bytes() and b"99999999" not in f.read_bytes()
    assert (
        cli(capsys, l2, "sync", "import", str(give_return(capsys, office, tmp_path / "d")))[0] == 0
    )
    on_l2 = get(l2, Person, p.id)
    assert on_l2.erased_at is not None and on_l2.phone is None and on_l2.notes == ""


def test_possible_duplicates_reviewed_never_merged_automatically(sites, capsys, tmp_path):
    office, l1, l2, _stick = sites
    (a,) = add(l1, Person(family_name="Diallo", first_name="Fatou", birth_date=date(1990, 5, 4)))
    (b,) = add(
        l2,
        Person(
            family_name="DIALLO",
            first_name="fatou",
            birth_date=date(1990, 5, 4),
            phone="+33611111111",
        ),
    )
    (iv,) = add(l2, Interview(person_id=b.id, on=date(2026, 11, 26)))
    rc, out = cli(
        capsys,
        office,
        "sync",
        "import",
        str(export(capsys, l1, tmp_path / "a")),
        str(export(capsys, l2, tmp_path / "b")),
    )
    assert "1 doublon(s) possible(s)" in out
    assert get(office, Person, a.id) and get(office, Person, b.id)  # both still there
    rc, out = cli(capsys, office, "sync", "duplicates")
    assert "1. " in out and "nom et date de naissance" in out
    rc, out = cli(capsys, office, "sync", "duplicates", "--merge", "1")
    assert rc == 0 and "Fusionné" in out
    keep, gone = (a, b) if a.id < b.id else (b, a)
    assert get(office, Person, gone.id) is None
    assert get(office, Interview, iv.id).person_id == keep.id
    assert get(office, Person, keep.id).phone == "+33611111111"
    assert "Aucun doublon" in cli(capsys, office, "sync", "duplicates")[1]


def test_mark_different(sites, capsys, tmp_path):
    office, l1, l2, _ = sites
    add(l1, Person(family_name="Sow", first_name="Awa", phone="+33611111111"))
    add(l2, Person(family_name="Sow", first_name="Issa", phone="+33611111111"))
    cli(
        capsys,
        office,
        "sync",
        "import",
        str(export(capsys, l1, tmp_path / "a")),
        str(export(capsys, l2, tmp_path / "b")),
    )
    assert cli(capsys, office, "sync", "duplicates", "--different", "1")[0] == 0
    assert "Aucun doublon" in cli(capsys, office, "sync", "duplicates")[1]


def test_enrolled_laptop_that_never_sent_reads_the_return(sites, capsys, tmp_path):
    office, l1, l2, stick = sites
    (p,) = add(l1, Person(family_name="Diallo"))
    rc, out = cli(capsys, l2, "sync", "export", str(tmp_path / "a"))
    assert rc == 1 or "Rien de nouveau" in out  # nothing to send: no file needed
    rc, out = cli(capsys, office, "sync", "import", str(export(capsys, l1, tmp_path / "b")))
    assert rc == 0 and "Il manque" not in out, out
    assert (
        cli(capsys, l2, "sync", "import", str(give_return(capsys, office, tmp_path / "r")))[0] == 0
    )
    assert get(l2, Person, p.id).family_name == "Diallo"


def test_gap_is_reported(sites, capsys, tmp_path):
    office, l1, _l2, _ = sites
    add(l1, Person(family_name="Un"))
    first = export(capsys, l1, tmp_path / "a")
    add(l1, Person(family_name="Deux"))
    second = export(capsys, l1, tmp_path / "b")
    rc, out = cli(capsys, office, "sync", "import", str(second))
    assert rc == 0 and "Il manque un fichier du poste portable1-" in out
    rc, out = cli(capsys, office, "sync", "import", str(first))
    assert rc == 0 and "Il manque" not in out


# --- bad input: a precise French message, nothing changed ---------------------------------


def rewrite(path: Path, dest: Path, *, manifest=None, records=None, signer: Path) -> Path:
    """Re-encode an unencrypted bundle with valid checksums after changing it, signed
    again with the key of `signer` (a laptop writing a bad file: buggy or compromised)."""
    parsed = codec.split_bundle(path.read_bytes())
    m = parsed.manifest
    data = orjson.loads(gzip.decompress(parsed.payload))
    if records:
        data = records(data)
    payload = codec.encode_payload(data)
    m.payload_sha256, m.payload_bytes = codec.sha256(payload), len(payload)
    if manifest:
        manifest(m)
    signature = keys.sign(keys.signer(signer), codec.signed_message(m.line()))
    dest.write_bytes(codec.encode_bundle(m, payload, signature))
    return dest


def first_record(change):
    """A records rewriter changing the first record's document."""

    def rewrite_records(records):
        kind, doc = records[0]
        doc = orjson.loads(orjson.dumps(doc))
        change(doc)
        return [[kind, doc], *records[1:]]

    return rewrite_records


def _set(path: str, value):
    def change(doc):
        *parents, last = path.split(".")
        target = doc
        for key in parents:
            target = target[key]
        target[last] = value

    return change


def _flip(p: Path, d: Path) -> Path:
    raw = p.read_bytes()
    d.write_bytes(raw[:-30] + bytes([raw[-30] ^ 0x10]) + raw[-29:])
    return d


def _write(d: Path, data: bytes) -> Path:
    d.write_bytes(data)
    return d


# case -> (make(good bundle, destination, signer folder) -> bad file, expected reason)
BAD = {
    "truncated": (lambda p, d, s: _write(d, p.read_bytes()[:-40]), "tronqué"),
    # 11: extra bytes after the data are damage, not a truncation
    "extra-bytes": (lambda p, d, s: _write(d, p.read_bytes() + b"xx"), "2 octets en trop"),
    "flipped": (lambda p, d, s: _flip(p, d), "endommagé"),
    "flipped-manifest": (
        lambda p, d, s: _write(d, p.read_bytes().replace(b'"count":', b'"count":9', 1)),
        "manifeste fausse",
    ),
    "lying-count": (
        lambda p, d, s: rewrite(
            p, d, manifest=lambda m: setattr(m, "count", m.count + 1), signer=s
        ),
        "le manifeste annonce",
    ),
    "newer-version": (
        lambda p, d, s: rewrite(p, d, manifest=lambda m: setattr(m, "version", 99), signer=s),
        "version plus récente",
    ),
    "bad-record": (
        lambda p, d, s: rewrite(p, d, records=first_record(_set("family_name", 12)), signer=s),
        "champ « family_name » invalide (texte attendu)",
    ),
    "same-id-twice": (
        lambda p, d, s: rewrite(p, d, records=lambda r: [r[0], r[0]] + r[2:], signer=s),
        "identifiant en double",
    ),
    "not-a-bundle": (
        lambda p, d, s: _write(d, b"PK\x03\x04 tableau excel"),
        "pas un fichier de synchronisation",
    ),
    # 6: strict types: what is stored is the validated canonical form, never raw input
    "birth-date-with-time": (
        lambda p, d, s: rewrite(
            p, d, records=first_record(_set("birth_date", "1990-01-01T00:00:00")), signer=s
        ),
        "champ « birth_date » invalide (date AAAA-MM-JJ attendue)",
    ),
    "vv-as-text": (
        lambda p, d, s: rewrite(p, d, records=first_record(_set("meta.vv", {"x1": "5"})), signer=s),
        "champ « meta.vv.x1 » invalide (nombre entier attendu)",
    ),
    "vv-as-float": (
        lambda p, d, s: rewrite(p, d, records=first_record(_set("meta.vv", {"x1": 1.0})), signer=s),
        "nombre entier attendu",
    ),
    "vv-negative": (
        lambda p, d, s: rewrite(p, d, records=first_record(_set("meta.vv", {"x1": -7})), signer=s),
        "nombre trop petit",
    ),
    "erased-as-text": (
        lambda p, d, s: rewrite(p, d, records=first_record(_set("meta.erased", "non")), signer=s),
        "champ « meta.erased » invalide (vrai ou faux attendu)",
    ),
    "instant-not-as-stored": (
        lambda p, d, s: rewrite(
            p, d, records=first_record(_set("meta.created_at", "2026-11-26T09:00:00Z")), signer=s
        ),
        "champ « meta.created_at » invalide (format invalide)",
    ),
    "impossible-instant": (
        lambda p, d, s: rewrite(
            p,
            d,
            records=first_record(_set("meta.updated_at", "2026-02-30T09:00:00+00:00")),
            signer=s,
        ),
        "date et heure impossibles",
    ),
    "clock-sorting-wrong": (
        lambda p, d, s: rewrite(p, d, records=first_record(_set("meta.hlc", "5-1-x")), signer=s),
        "champ « meta.hlc » invalide (format invalide)",
    ),
    "string-too-long": (
        lambda p, d, s: rewrite(p, d, records=first_record(_set("notes", "x" * 5000)), signer=s),
        "texte trop long (5000 caractères, maximum 4000)",
    ),
    # 11: "maximum 80).." (a reason ending with a period, inside a sentence)
    "name-too-long": (
        lambda p, d, s: rewrite(
            p, d, records=first_record(_set("family_name", "x" * 90)), signer=s
        ),
        "maximum 80). Rien n'a été importé",
    ),
    "dot-not-in-own-vv": (
        lambda p, d, s: rewrite(
            p, d, records=first_record(_set("meta.dots", {"notes": ["zz9", 3, ""]})), signer=s
        ),
        "que son propre vecteur de versions ne contient pas",
    ),
    "too-many-records-announced": (
        lambda p, d, s: rewrite(
            p, d, manifest=lambda m: setattr(m, "count", codec.MAX_RECORDS + 1), signer=s
        ),
        "champ « count » invalide",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_bundle_refused_whole_database_byte_identical(sites, capsys, tmp_path, case):
    office, l1, l2, _ = sites
    add(l1, Person(family_name="Diallo"), Person(family_name="Martin"))
    good = export(capsys, l1, tmp_path / "a", "--unencrypted")
    add(l2, Person(family_name="Benali"))
    other_good = export(capsys, l2, tmp_path / "b")
    make, expected = BAD[case]
    bad = make(good, tmp_path / f"{case}.cslb", l1)
    before = db_bytes(office)
    rc, out = cli(capsys, office, "sync", "import", "--allow-unencrypted", str(bad))
    assert rc == 1 and "REFUSÉ" in out and expected in out, out
    assert "Traceback" not in out and ".." not in out
    assert db_bytes(office) == before
    # other good files in the same call still go in
    rc, out = cli(
        capsys, office, "sync", "import", "--allow-unencrypted", str(bad), str(other_good)
    )
    assert rc == 1 and "importé de portable-2" in out
    with Workspace.open(office) as ws:
        assert [p.family_name for p in ws.repo.all(Person)] == ["Benali"]


def test_wrong_key_refused(sites, capsys, tmp_path):
    """A laptop encrypting for another office of the same structure (a replacement
    office set up with --structure-id): its file, signed and enrolled, cannot be read."""
    office, l1, _l2, _ = sites
    with Workspace.open(office) as ws:
        structure = ws.settings.structure_id
    other = tmp_path / "autre"
    cli(capsys, other, "init", "--structure", "S", "--staff", "B", "--device", "bureau2",
        "--office", "--structure-id", structure)  # fmt: skip
    cli(capsys, other, "keys", "export", str(tmp_path / "autre.txt"))
    rc, out = cli(capsys, l1, "keys", "trust", str(tmp_path / "autre.txt"), "--yes")
    assert rc == 0 and "remplace" in out, out
    add(l1, Person(family_name="Diallo"))
    bundle = export(capsys, l1, tmp_path / "a")
    before = db_bytes(office)
    rc, out = cli(capsys, office, "sync", "import", str(bundle))
    assert rc == 1 and "pas chiffré pour ce poste" in out
    assert db_bytes(office) == before


def test_overlapping_ranges_are_merged_not_refused(sites, capsys, tmp_path):
    """A laptop restored from a backup sends the same sequence numbers again: the merge
    is idempotent, so the office takes the file (it used to refuse it: "chevauchent")."""
    office, l1, _l2, _ = sites
    (un,) = add(l1, Person(family_name="Un"))
    first = export(capsys, l1, tmp_path / "a")
    assert cli(capsys, office, "sync", "import", str(first))[0] == 0
    with Workspace.open(l1) as ws:
        ws.repo.put_docs([], local={"sync_exported": 0, "sync_sent_to": 0})
        (autre,) = ws.repo.save(Person(family_name="Autre"))
    again = export(capsys, l1, tmp_path / "b")
    rc, out = cli(capsys, office, "sync", "import", str(again))
    assert rc == 0 and "chevauchent" not in out and "Il manque" not in out, out
    assert get(office, Person, un.id) and get(office, Person, autre.id)


def test_folder_with_unrelated_files(sites, capsys, tmp_path):
    office, *_ = sites
    junk = tmp_path / "photos"
    junk.mkdir()
    (junk / "vacances.jpg").write_bytes(b"\xff\xd8\xff")
    (junk / "liste.xlsx").write_bytes(b"PK")
    before = db_bytes(office)
    rc, out = cli(capsys, office, "sync", "import", str(junk))
    assert (
        rc == 1
        and "aucun fichier de synchronisation CitésLab" in out
        and "vacances.jpg : ignoré" in out
    )
    # issue #14 point 12: a folder is called a folder
    assert f"Dossier {junk.name} : aucun fichier" in out and "de ce fichier" not in out
    assert db_bytes(office) == before
    rc, out = cli(capsys, office, "sync", "import", str(tmp_path / "absent"))
    assert rc == 1 and "introuvable" in out


def test_export_needs_office_key_or_explicit_unencrypted(tmp_path, capsys):
    lone = tmp_path / "seul"
    cli(capsys, lone, "init", "--structure", "S", "--staff", "A", "--device", "p")
    (tmp_path / "cle").mkdir()
    rc, out = cli(capsys, lone, "sync", "export", str(tmp_path / "cle"))
    assert rc == 1 and "keys trust" in out, out
    rc, out = cli(capsys, lone, "sync", "export", str(tmp_path / "cle"), "--unencrypted")
    assert rc == 1 and "keys trust" in out, out  # the structure comes with the office identity
    rc, out = cli(capsys, lone, "sync", "export", str(tmp_path / "manque"))
    assert rc == 1
    rc, out = cli(capsys, lone, "keys", "trust", str(lone / "keys" / "identity.age"))
    assert rc == 1 and ("SECRÈTE" in out or "introuvable" in out)
