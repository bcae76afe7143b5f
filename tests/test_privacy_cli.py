"""`citeslab person export|erase`, `citeslab retention`, and erasure through sync."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import orjson
import pytest
from synckit import link
from test_privacy_support import build_file

from citeslab_tui import cli
from citeslab_tui.domain.models import Person
from citeslab_tui.services.workspace import Workspace


def run(capsys: pytest.CaptureFixture[str], folder: Path, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = cli.main(["--data-dir", str(folder), *args])
    out, err = capsys.readouterr()
    return code, out, err


def setup_folder(folder: Path, device: str = "portable-1", office: bool = False) -> None:
    with Workspace.open(folder) as ws:
        ws.configure(
            structure="Mife du Calvados",
            staff=["Céline Perriot"],
            device=device,
            role="office" if office else "laptop",
        )


def add_people(folder: Path, **kwargs: object) -> Person:
    with Workspace.open(folder) as ws:
        person, _ = build_file(ws, **kwargs)  # type: ignore[arg-type]
    return person


def test_export_text_json_and_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "d"
    setup_folder(folder)
    person = add_people(folder)
    code, out, _ = run(capsys, folder, "person", "export", "fatou", "--format", "text")
    assert code == 0 and "lisible par vous seul" in out
    (path,) = (folder / "exports").glob("acces-*.txt")
    assert "Diallo" in path.read_text(encoding="utf-8")
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o600
    target = tmp_path / "fiche.json"
    code, out, _ = run(
        capsys, folder, "person", "export", person.id, "--format", "json", "--output", str(target)
    )
    assert code == 0 and orjson.loads(target.read_bytes())["person"]["id"] == person.id
    code, out, _ = run(capsys, folder, "person", "export", person.id[:8], "--output", "-")
    assert code == 0 and out.startswith("DROIT D'ACCÈS") and "06 12 34 56 78" in out


def test_bad_input_exits_1_in_french(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "d"
    setup_folder(folder)
    fatou = add_people(folder)
    awa = add_people(folder, first="Awa", phone="+33698765432", email="awa@exemple.fr")
    code, _, err = run(capsys, folder, "person", "erase", "Diallo", "--yes")
    assert code == 1 and "2 personnes correspondent" in err and "rien n'a été fait" in err
    assert fatou.id in err and awa.id in err and "Traceback" not in err
    code, _, err = run(capsys, folder, "person", "erase", "0123456789abcdef", "--yes")
    assert code == 1 and "Aucune personne n'a l'identifiant 0123456789abcdef" in err
    code, _, err = run(capsys, folder, "retention", "--months", "0")
    assert code == 1 and "au moins 1 mois" in err
    with pytest.raises(SystemExit) as exc:
        run(capsys, folder, "person", "export", "x", "--format", "pdf")
    assert exc.value.code == 2 and "choix invalide" in capsys.readouterr().err
    with Workspace.open(folder) as ws:
        assert all(not d.get("erased_at") for d in ws.repo.docs("person"))


def test_erase_asks_confirmation_naming_the_person(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "d"
    setup_folder(folder)
    person = add_people(folder)
    questions: list[str] = []
    monkeypatch.setattr("builtins.input", lambda q: questions.append(q) or "non")
    code, _, err = run(capsys, folder, "person", "erase", person.id)
    assert code == 1 and "annulé" in err
    assert "DIALLO-MARTIN Fatou" in questions[0] and "née en 1985" in questions[0]
    monkeypatch.setattr("builtins.input", lambda q: "oui")
    code, out, _ = run(capsys, folder, "person", "erase", person.id)
    assert code == 0 and "d'ici 14 jours" in out
    with Workspace.open(folder) as ws:
        assert ws.repo.doc("person", person.id)["meta"]["erased"] is True


def test_retention_lists_then_applies(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "d"
    setup_folder(folder)
    old = add_people(folder, start=date.today() - timedelta(days=1200))
    add_people(folder, first="Awa", phone="+33698765432", start=date.today() - timedelta(days=200))
    code, out, _ = run(capsys, folder, "retention")
    assert code == 0 and "1 personne sans contact depuis plus de 2 ans" in out and old.id in out
    code, out, _ = run(capsys, folder, "retention", "--apply")
    assert code == 0 and "1 personne anonymisée" in out
    code, out, _ = run(capsys, folder, "retention")
    assert "Aucune personne" in out
    code, out, _ = run(capsys, folder, "retention", "--months", "1")
    assert "1 personne sans contact depuis plus de 1 mois" in out


# --- erasure through sync -------------------------------------------------------------


def test_erasure_travels_and_a_stale_laptop_never_brings_it_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    modules = tuple(dict.fromkeys((*cli.COMMAND_MODULES, "sync")))
    monkeypatch.setattr(cli, "COMMAND_MODULES", modules)
    office, lap_a, lap_b = tmp_path / "bureau", tmp_path / "a", tmp_path / "b"
    stick_a, stick_b, back = tmp_path / "cle-a", tmp_path / "cle-b", tmp_path / "retour"
    for folder in (stick_a, stick_b, back):
        folder.mkdir()
    setup_folder(office, "bureau", office=True)
    setup_folder(lap_a, "portable-a")
    setup_folder(lap_b, "portable-b")
    link(office, lap_a, lap_b)

    def ok(folder: Path, *args: str) -> str:
        code, out, err = run(capsys, folder, *args)
        assert code == 0, err
        return out

    # Laptop A meets Fatou; the office gets her, then laptop B through the return file.
    person = add_people(lap_a)
    ok(lap_a, "sync", "export", str(stick_a), "--unencrypted")
    ok(office, "sync", "import", str(stick_a), "--allow-unencrypted")
    ok(office, "sync", "return", str(back), "--unencrypted")
    ok(lap_b, "sync", "import", str(back), "--allow-unencrypted")
    with Workspace.open(lap_b) as ws:
        assert ws.repo.doc("person", person.id)["family_name"] == "Diallo"
        # B rectifies her phone before hearing of the erasure: a stale, concurrent bundle.
        current = ws.repo.get(Person, person.id)
        ws.repo.save(current.model_copy(update={"phone": "+33677777777", "notes": "Vue à B"}))
    ok(lap_b, "sync", "export", str(stick_b), "--unencrypted", "--full")

    # Fatou asks laptop A to erase her; it travels to the office.
    for old in stick_a.iterdir():
        old.unlink()
    ok(lap_a, "person", "erase", person.id, "--yes")
    ok(lap_a, "sync", "export", str(stick_a), "--unencrypted")
    ok(office, "sync", "import", str(stick_a), "--allow-unencrypted")
    # The stale bundle from B arrives afterwards.
    ok(office, "sync", "import", str(stick_b), "--allow-unencrypted")
    for old in back.iterdir():
        old.unlink()
    ok(office, "sync", "return", str(back), "--unencrypted")
    ok(lap_b, "sync", "import", str(back), "--allow-unencrypted")
    ok(lap_a, "sync", "import", str(back), "--allow-unencrypted")

    for folder in (office, lap_a, lap_b):
        with Workspace.open(folder) as ws:
            doc = ws.repo.doc("person", person.id)
            assert doc["meta"]["erased"] is True, folder.name
            assert doc["family_name"] == "" and doc["phone"] is None and doc["notes"] == ""
            assert doc["commune"] == "Caen" and doc["civility"] == "madame"
            assert not set(doc["meta"].get("conflicts", {})) & Person.personal_fields
            for kind in ("interview", "orientation", "outcome", "task"):
                for linked in ws.repo.docs(kind, include_deleted=True):
                    if linked.get("person_id") == person.id:
                        assert linked["notes"] == "", (folder.name, kind)
    for folder in (office, lap_a, lap_b):
        for path in folder.rglob("*"):
            if path.is_file() and "backups" not in path.parts:
                raw = path.read_bytes()
                for secret in (b"Diallo", b"677777777", b"612345678", b"Vue \xc3\xa0 B"):
                    assert secret not in raw, (folder.name, path.name, secret)
