"""`citeslab report merge` (issue #15): bilan JSON files of several structures for the
same period added up into one report (the regional and national levels)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from citeslab_tui.cli import main
from citeslab_tui.demo import generate
from citeslab_tui.domain.bilan import BREAKDOWN_KEYS, INDICATOR_KEYS, Period
from citeslab_tui.domain.bilan.rollup import merge_bilans
from citeslab_tui.domain.errors import ValidationError
from citeslab_tui.services import reports
from citeslab_tui.services.workspace import Workspace

PERIOD = Period(date(2024, 9, 1), date(2025, 8, 31))
NAMES = ["Mife du Calvados", "Mife de la Manche", "Mife de l'Orne"]


@pytest.fixture(scope="module")
def bilans(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("merge")
    paths = []
    for seed, name in enumerate(NAMES, start=1):
        with Workspace.open(folder / f"data{seed}") as ws:
            ws.configure(structure=name, staff=["Céline"], device=f"d{seed}")
            generate(ws, 60, seed=seed, today=date(2025, 11, 30))
            path = folder / f"bilan{seed}.json"
            path.write_bytes(reports.render_json(reports.bilan_for(ws, PERIOD)))
            paths.append(path)
    return paths


@pytest.fixture(autouse=True)
def data_folder(tmp_path, monkeypatch) -> None:
    """No data folder is read; the log goes to a temporary one."""
    monkeypatch.setenv("CITESLAB_DATA_DIR", str(tmp_path / "donnees"))


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_three_bilans_add_up(bilans, capsys, tmp_path) -> None:
    parts = [json.loads(p.read_text()) for p in bilans]
    code, out, err = run(capsys, "report", "merge", *map(str, bilans))
    assert code == 0, err
    merged = json.loads(out)  # JSON on standard output without --output
    assert merged["period"] == {"from": "2024-09-01", "to": "2025-08-31"}
    assert merged["structures"] == NAMES
    for key in INDICATOR_KEYS:
        assert merged["indicators"][key] == sum(p["indicators"][key] for p in parts), key
    assert merged["indicators"]["received"] > 0
    for key in BREAKDOWN_KEYS:
        names = {n for p in parts for n in p[key] if not n.startswith("share_")}
        for name in names:
            assert merged[key][name] == sum(p[key].get(name, 0) for p in parts), (key, name)
    women = merged["received_by_gender"]["F"]
    known = women + merged["received_by_gender"]["M"]
    assert merged["received_by_gender"]["share_F"] == round(women * 100 / known, 2)
    # the same figures as text, XLSX and PDF
    code, out, _ = run(capsys, "report", "merge", *map(str, bilans), "--format", "text")
    assert "3 structures additionnées : " + ", ".join(NAMES) in out
    for fmt in ("xlsx", "pdf"):
        target = tmp_path / f"region.{fmt}"
        code, out, _ = run(
            capsys, "report", "merge", *map(str, bilans), "--format", fmt, "--output", str(target)
        )
        assert code == 0 and target.exists()
    from openpyxl import load_workbook

    rows = list(load_workbook(tmp_path / "region.xlsx")["Indicateurs"].iter_rows(values_only=True))
    assert rows[1][0] == "Structures additionnées (3) : " + ", ".join(NAMES)
    received = next(r for r in rows if r[0] == "Porteurs de projet reçus")
    assert received[1] == merged["indicators"]["received"]


def _edited(path: Path, tmp_path: Path, name: str, **changes) -> Path:
    data = json.loads(path.read_text())
    data.update(changes)
    out = tmp_path / name
    out.write_text(json.dumps(data))
    return out


def test_mismatches_are_one_french_sentence_and_write_nothing(bilans, capsys, tmp_path) -> None:
    other_period = _edited(
        bilans[1], tmp_path, "autre.json", period={"from": "2023-09-01", "to": "2024-08-31"}
    )
    old_schema = _edited(bilans[1], tmp_path, "ancien.json", schema_version=0)
    no_schema = tmp_path / "sans.json"
    data = json.loads(bilans[1].read_text())
    del data["schema_version"]
    no_schema.write_text(json.dumps(data))
    garbage = tmp_path / "abime.json"
    garbage.write_bytes(b'{"period": ')
    output = tmp_path / "sortie.xlsx"
    cases = [
        (other_period, "autre.json : période du 01/09/2023 au 31/08/2024, différente de celle"),
        (old_schema, "ancien.json : version de format 0, 1 attendue"),
        (no_schema, "sans.json : version de format absente"),
        (garbage, "abime.json : ce n'est pas un fichier JSON lisible."),
        (bilans[0], "la structure « Mife du Calvados » figure déjà (bilan1.json)"),
    ]
    for second, message in cases:
        code, out, err = run(
            capsys,
            "report",
            "merge",
            str(bilans[0]),
            str(second),
            "--format",
            "xlsx",
            "--output",
            str(output),
        )
        assert code == 1 and message in err and "Traceback" not in err, err
        assert len(err.strip().splitlines()) == 1 and not output.exists()
    code, _out, err = run(capsys, "report", "merge", str(bilans[0]), "--format", "pdf")
    assert code == 2 and "indiquez --output" in err


counts = st.integers(min_value=0, max_value=10_000)


@given(st.lists(st.dictionaries(st.sampled_from(INDICATOR_KEYS), counts), min_size=2, max_size=5))
def test_merge_adds_up_every_indicator(parts: list[dict[str, int]]) -> None:
    documents = [
        (
            f"b{i}.json",
            {
                "period": {"from": "2024-09-01", "to": "2025-08-31"},
                "schema_version": 1,
                "structure": f"S{i}",
                "indicators": part,
            },
        )
        for i, part in enumerate(parts)
    ]
    merged = merge_bilans(documents)
    for key in INDICATOR_KEYS:
        assert merged.indicators[key] == sum(p.get(key, 0) for p in parts)


def test_a_negative_or_text_count_is_refused() -> None:
    base = {"period": {"from": "2024-09-01", "to": "2025-08-31"}, "schema_version": 1}
    with pytest.raises(ValidationError, match="b.json : « indicators.received » n'est pas"):
        merge_bilans(
            [
                ("a.json", {**base, "structure": "A", "indicators": {"received": 1}}),
                ("b.json", {**base, "structure": "B", "indicators": {"received": "2"}}),
            ]
        )
