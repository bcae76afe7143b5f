"""`citeslab settings`: shows the laptop's settings and changes them with checked values."""

from __future__ import annotations

from pathlib import Path

from citeslab_tui.cli import main
from citeslab_tui.store.settings import load_settings

INIT = ["init", "--structure", "Mife du Calvados", "--staff", "Céline Perriot"]
INIT += ["--staff", "Karim Benali", "--device", "portable-1"]


def run(folder: Path, *args: str) -> int:
    return main(["--data-dir", str(folder), *args])


def test_settings_change_idle_backups_retention_and_staff(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "data"
    assert run(folder, *INIT) == 0
    code = run(
        folder,
        "settings",
        "--idle-minutes",
        "3",
        "--backups",
        "30",
        "--retention-months",
        "36",
        "--current-staff",
        "karim benali",
    )
    assert code == 0
    settings = load_settings(folder)
    assert (settings.idle_hide_minutes, settings.backups_keep, settings.retention_months) == (
        3,
        30,
        36,
    )
    assert settings.current_staff == "Karim Benali"
    out = capsys.readouterr().out
    assert "Masquage automatique : 3 min" in out and "Chef de projet actuel : Karim Benali" in out


def test_settings_refuses_bad_values_and_changes_nothing(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "data"
    assert run(folder, *INIT) == 0
    before = (folder / "settings.json").read_bytes()
    assert run(folder, "settings", "--retention-months", "0") == 1
    assert "moins d'un mois" in capsys.readouterr().err
    assert run(folder, "settings", "--current-staff", "Inconnue") == 1
    assert "Chef de projet inconnu" in capsys.readouterr().err
    assert run(folder, "settings", "--backups", "0", "--idle-minutes", "5") == 1
    assert (folder / "settings.json").read_bytes() == before
