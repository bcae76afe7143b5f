"""`citeslab report` and `citeslab import` from the command line."""

from __future__ import annotations

import json
import stat
from datetime import date
from pathlib import Path

import pytest

from citeslab_tui.cli import main
from citeslab_tui.domain.models import (
    Civility,
    CollectiveAction,
    Interview,
    Person,
    Stage,
    StageEvent,
)
from citeslab_tui.services.workspace import Workspace

SITE = "Caen – Chemin Vert"


@pytest.fixture
def filled(data_dir: Path) -> Path:
    with Workspace.open(data_dir) as ws:
        ws.configure(structure="Mife du Calvados", staff=["Céline"], device="t", sites=[SITE])
        people = [
            Person(family_name=f"P{i}", first_name="X", civility=c, commune="Caen", first_site=SITE)
            for i, c in enumerate([Civility.MADAME] * 15 + [Civility.MONSIEUR])
        ]
        ws.repo.save(*people)
        ws.repo.save(*[Interview(person_id=p.id, on=date(2014, 1, 6), site=SITE) for p in people])
        ws.repo.save(
            StageEvent(person_id=people[0].id, stage=Stage.SENSITIZED, on=date(2013, 9, 1)),
            CollectiveAction(on=date(2014, 2, 1), women=3, men=2),
        )
    return data_dir


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_report_json_shape(filled: Path, capsys) -> None:
    code, out, err = run(
        capsys,
        "--data-dir",
        str(filled),
        "report",
        "--from",
        "2013-09-01",
        "--to",
        "2014-08-31",
        "--format",
        "json",
    )
    assert code == 0, err
    data = json.loads(out)
    assert list(data) == [
        "period",
        "site",
        "indicators",
        "received_by_gender",
        "received_by_approach",
        "received_by_commune",
        "received_by_neighbourhood",
        "received_by_site",
        "oriented_by_partner",
        "data_quality",
        "structure",
        "schema_version",
    ]
    assert data["structure"] == "Mife du Calvados" and data["schema_version"] == 1
    assert data["period"] == {"from": "2013-09-01", "to": "2014-08-31"}
    assert data["site"] is None
    assert list(data["indicators"]) == [
        "sensitized",
        "received",
        "detected",
        "emergence",
        "created",
        "positive_exits",
        "positive_exits_employment",
        "positive_exits_training",
        "abandoned",
        "oriented",
    ]
    assert data["indicators"]["sensitized"] == 1 + 5
    assert data["indicators"]["received"] == 16
    assert data["received_by_gender"] == {
        "F": 15,
        "M": 1,
        "unknown": 0,
        "share_F": 93.75,
        "share_M": 6.25,
    }
    assert data["received_by_approach"] == {
        "individual": 0,
        "collective": 0,
        "unknown": 16,
        "share_individual": None,
        "share_collective": None,
    }
    assert data["received_by_commune"] == {"Caen": 16, "unknown": 0}
    assert data["received_by_site"] == {SITE: 16, "unknown": 0}


def test_report_text_french_and_site(filled: Path, capsys) -> None:
    code, out, _ = run(
        capsys,
        "--data-dir",
        str(filled),
        "report",
        "--from",
        "01/09/2013",
        "--to",
        "31/08/2014",
        "--site",
        "caen chemin vert",
    )
    assert code == 0
    assert "Bilan CitésLab du 01/09/2013 au 31/08/2014 — Caen – Chemin Vert" in out
    assert "93,75\u00a0%" in out and "Porteurs de projet reçus" in out
    assert "emploi ou entrée en formation" in out
    quality = out.split("Qualité des données\n", 1)[1]
    assert "  - Sur 16 personne(s) reçue(s) : sexe inconnu pour 0" in quality
    assert "commence avant la première carte des QPV" in quality  # 2013-14: the 2015 map


def test_reversed_period_exits_2_in_french(filled: Path, capsys) -> None:
    code, out, err = run(
        capsys, "--data-dir", str(filled), "report", "--from", "2014-09-01", "--to", "2013-08-31"
    )
    assert code == 2 and out == ""
    assert "précède le début" in err
    with pytest.raises(SystemExit) as exc:
        main(["--data-dir", str(filled), "report", "--from", "2014-13-45"])
    assert exc.value.code == 2
    assert "Date impossible" in capsys.readouterr().err


def test_unknown_site_is_a_french_error(filled: Path, capsys) -> None:
    code, _, err = run(capsys, "--data-dir", str(filled), "report", "--site", "Lune")
    assert code == 1 and "Site inconnu" in err


def test_report_csv_and_xlsx_files(filled: Path, tmp_path: Path, capsys) -> None:
    from openpyxl import load_workbook

    csv_path = tmp_path / "b.csv"
    xlsx_path = tmp_path / "b.xlsx"
    for fmt, path in (("csv", csv_path), ("xlsx", xlsx_path)):
        code, out, _ = run(
            capsys,
            "--data-dir",
            str(filled),
            "report",
            "--from",
            "2013-09-01",
            "--to",
            "2014-08-31",
            "--format",
            fmt,
            "--output",
            str(path),
        )
        assert code == 0 and str(path) in out
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert "Reçus par sexe;Femmes;15;93,75" in text
    wb = load_workbook(xlsx_path)
    assert wb.sheetnames == [
        "Indicateurs",
        "Par sexe",
        "Par démarche",
        "Par commune",
        "Par quartier",
        "Par site",
        "Orientés par partenaire",
        "Qualité des données",
    ]
    rows = {r[0]: r[1] for r in wb["Indicateurs"].iter_rows(values_only=True) if r and r[0]}
    assert rows["Porteurs de projet reçus"] == 16
    gender = {r[0]: r[1:] for r in wb["Par sexe"].iter_rows(values_only=True) if r[0]}
    assert gender["Femmes"] == (15, 0.9375)  # a real share: 93,75 % in the spreadsheet
    quality = [r[0] for r in wb["Qualité des données"].iter_rows(values_only=True) if r[0]]
    assert "Qualité des données" in quality
    assert any(q.startswith("Sur 16 personne(s) reçue(s) : sexe inconnu pour 0") for q in quality)
    assert "Qualité des données;Sur 16 personne(s) reçue(s)" in text


def test_import_dry_run_cancel_then_yes(filled: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    path = tmp_path / "registre.csv"
    path.write_text(
        "Nom;Prénom;Sexe;Date premier entretien\nDiallo;Awa;F;22/10/2013\n;Sans nom;;\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "--data-dir", str(filled), "import", str(path), "--dry-run")
    assert code == 0
    assert "Lignes lues : 2" in out and "ligne 3 rejetée" in out and "rien n'a été écrit" in out
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    code, out, _ = run(capsys, "--data-dir", str(filled), "import", str(path))
    assert code == 0 and "Import annulé" in out
    code, out, _ = run(capsys, "--data-dir", str(filled), "import", str(path), "--yes")
    assert code == 0 and "Import terminé" in out
    code, out, _ = run(
        capsys, "--data-dir", str(filled), "report", "--from", "2013-09-01", "--format", "json"
    )
    assert json.loads(out)["indicators"]["received"] == 17
    code, out, _ = run(capsys, "--data-dir", str(filled), "import", str(path), "--yes")
    assert "Rien à ajouter" in out


def test_import_refuses_non_register(filled: Path, tmp_path: Path, capsys) -> None:
    path = tmp_path / "rapport.csv"
    path.write_bytes(b"%PDF-1.7 binary")
    code, _, err = run(capsys, "--data-dir", str(filled), "import", str(path), "--yes")
    assert code == 1 and "n'est pas un registre" in err and "Traceback" not in err


def test_report_xlsx_without_output_goes_to_exports(filled: Path, capsys) -> None:
    code, out, _ = run(
        capsys, "--data-dir", str(filled), "report", "--from", "2013-09-01", "--format", "xlsx"
    )
    assert code == 0
    [path] = (filled / "exports").glob("bilan-2013-09-01-2014-08-31.xlsx")
    assert str(path) in out and stat.S_IMODE(path.stat().st_mode) == 0o600


def test_report_on_missing_data_folder(tmp_path: Path, capsys) -> None:
    code, _, err = run(capsys, "--data-dir", str(tmp_path / "nulle-part"), "report")
    assert code == 1 and "Aucune base" in err
