"""The `citeslab` command: French usage errors (exit 2), one French sentence on failure
(exit 1, nothing changed, no traceback), settings and data folder overrides."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from citeslab_tui.store.repository import Repository
from citeslab_tui.store.storage import SNAPSHOT_NAME

INIT = ["init", "--structure", "Mife du Calvados", "--staff", "Céline Perriot"]
INIT += ["--device", "portable-1", "--site", "Caen – Chemin Vert"]


def citeslab(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None):
    return subprocess.run(
        [sys.executable, "-m", "citeslab_tui", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=cwd,
    )


def snapshot_of(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "logs" not in p.parts and not p.name.startswith("citeslab.lock")
    }


def one_french_sentence(stderr: str) -> str:
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("Erreur : ") and lines[0].endswith("."), stderr
    return lines[0]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["frobnicate"], "choix invalide : 'frobnicate'"),
        (["--frob"], "option inconnue : --frob"),
        (["check", "--verbose"], "option inconnue : --verbose"),
        (["init", "--structure", "X"], "arguments obligatoires manquants : --staff, --device"),
        (["demo", "--people", "beaucoup"], "valeur invalide : 'beaucoup'"),
    ],
)
def test_usage_errors_are_french_exit_2(args: list[str], expected: str, tmp_path: Path) -> None:
    result = citeslab("--data-dir", str(tmp_path / "d"), *args)
    assert result.returncode == 2
    assert result.stderr.startswith("utilisation : citeslab")
    assert expected in result.stderr and "Traceback" not in result.stderr
    assert "usage:" not in result.stderr and "error:" not in result.stderr


@pytest.mark.parametrize(
    ("args", "message", "help_line"),
    [
        # issue #14 point 13: the unknown option is named, not "choix invalide : 'essai'"
        (["--data-dri", "essai"], "option inconnue : --data-dri", "citeslab --help"),
        # abbreviations are not accepted (it was silently taken as --full)
        (
            ["sync", "export", "--ful", "x"],
            "option inconnue : --ful",
            "citeslab sync export --help",
        ),
        # the help line names the subcommand's help
        (["report", "--year", "2026"], "option inconnue : --year", "citeslab report --help"),
        (["keys", "enroll", "--ye", "f"], "option inconnue : --ye", "citeslab keys enroll --help"),
        (["--data", "d", "check"], "option inconnue : --data", "citeslab --help"),
    ],
)
def test_unknown_or_abbreviated_options_are_named(
    args: list[str], message: str, help_line: str, tmp_path: Path
) -> None:
    result = citeslab(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert result.stderr.rstrip().endswith(f"Aide : {help_line}")
    assert not (tmp_path / "x").exists() and not (tmp_path / "d").exists()


def test_every_parser_refuses_abbreviations() -> None:
    import argparse

    from citeslab_tui.cli import build_parser

    def walk(parser: argparse.ArgumentParser):
        yield parser
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices.values():
                    yield from walk(sub)

    parsers = list(walk(build_parser()))
    assert len(parsers) > 20
    assert [p.prog for p in parsers if p.allow_abbrev] == []


def test_help_is_french() -> None:
    result = citeslab("--help")
    assert result.returncode == 0
    assert "afficher la version et quitter" in result.stdout
    assert "show " not in result.stdout


def test_init_then_settings_shown_and_data_dir_overrides(tmp_path: Path) -> None:
    by_option, by_env = tmp_path / "option", tmp_path / "env"
    result = citeslab("--data-dir", str(by_option), *INIT, env={"CITESLAB_DATA_DIR": str(by_env)})
    assert result.returncode == 0, result.stderr
    assert "Poste prêt : portable-1" in result.stdout
    assert (by_option / SNAPSHOT_NAME).exists() and not by_env.exists()  # option wins

    shown = citeslab("settings", env={"CITESLAB_DATA_DIR": str(by_option)}, cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert f"Dossier des données : {by_option}" in shown.stdout
    assert "Structure porteuse : Mife du Calvados" in shown.stdout
    assert "Chefs de projet : Céline Perriot" in shown.stdout
    assert "Sites : Caen – Chemin Vert" in shown.stdout
    assert "Sauvegardes gardées : 14 jours" in shown.stdout

    fresh = citeslab("settings", env={"CITESLAB_DATA_DIR": str(by_env)})
    assert "pas encore préparé" in fresh.stdout and not by_env.joinpath(SNAPSHOT_NAME).exists()

    checked = citeslab("check", env={"CITESLAB_DATA_DIR": str(by_option)})
    assert checked.returncode == 0 and checked.stdout.startswith("Base saine")


def test_bad_init_values_are_french(tmp_path: Path) -> None:
    result = citeslab("--data-dir", str(tmp_path / "d"), "init", "--structure", " ", "--staff", "A")
    assert result.returncode == 2  # --device missing
    result = citeslab(
        "--data-dir",
        str(tmp_path / "d"),
        "init",
        "--structure",
        " ",
        "--staff",
        "A",
        "--device",
        "p",
    )
    assert result.returncode == 1
    assert "structure porteuse est obligatoire" in one_french_sentence(result.stderr)


def test_damaged_file_one_sentence_nothing_changed(tmp_path: Path) -> None:
    folder = tmp_path / "d"
    assert citeslab("--data-dir", str(folder), *INIT).returncode == 0
    snap = folder / SNAPSHOT_NAME
    snap.write_bytes(snap.read_bytes()[:-10])
    before = snapshot_of(folder)
    for args in (INIT, ["check"], ["demo", "--people", "2"]):
        result = citeslab("--data-dir", str(folder), *args)
        assert result.returncode == 1
        sentence = one_french_sentence(result.stderr)
        assert "endommagé" in sentence and "citeslab restore" in sentence
        assert snapshot_of(folder) == before


def test_locked_folder_one_sentence_nothing_changed(tmp_path: Path) -> None:
    folder = tmp_path / "d"
    assert citeslab("--data-dir", str(folder), *INIT).returncode == 0
    before = snapshot_of(folder)
    with Repository.open(folder):
        result = citeslab("--data-dir", str(folder), "demo", "--people", "3")
        assert result.returncode == 1
        assert "déjà ouvertes par une autre fenêtre" in one_french_sentence(result.stderr)
    assert snapshot_of(folder) == before


def test_unwritable_folder_one_sentence(tmp_path: Path) -> None:
    if os.name == "posix" and os.geteuid() != 0:
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o500)
        target = folder / "donnees"
    else:  # root ignores permissions: make the data folder's path go through a file
        blocker = tmp_path / "un-fichier"
        blocker.write_text("pas un dossier")
        target = blocker / "donnees"
    result = citeslab("--data-dir", str(target), *INIT)
    assert result.returncode == 1
    sentence = one_french_sentence(result.stderr)
    assert "Impossible de créer le dossier de données" in sentence
    assert "--data-dir" in sentence  # says what to do
    result = citeslab("--data-dir", str(target), "check")
    assert result.returncode == 1 and "n'existe pas" in one_french_sentence(result.stderr)


def test_data_dir_is_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "fichier"
    blocker.write_text("x")
    result = citeslab("--data-dir", str(blocker), *INIT)
    assert result.returncode == 1
    one_french_sentence(result.stderr)
    assert blocker.read_text() == "x"


def test_demo_then_check(tmp_path: Path) -> None:
    folder = tmp_path / "d"
    result = citeslab("--data-dir", str(folder), "demo", "--people", "25", "--seed", "3")
    assert result.returncode == 0, result.stderr
    assert "25 personnes" in result.stdout
    assert citeslab("--data-dir", str(folder), "check").returncode == 0
    bad = citeslab("--data-dir", str(folder), "demo", "--people", "0")
    assert bad.returncode == 1 and "entre 1 et 1 000 000" in one_french_sentence(bad.stderr)


def test_full_disk_one_sentence_nothing_changed(tmp_path: Path, monkeypatch, capsys) -> None:
    import errno

    from citeslab_tui.cli import main
    from citeslab_tui.store import files, storage

    folder = tmp_path / "d"
    assert main(["--data-dir", str(folder), *INIT]) == 0
    capsys.readouterr()
    before = snapshot_of(folder)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage, "full_fsync", full)
    monkeypatch.setattr(files, "full_fsync", full)
    assert main(["--data-dir", str(folder), "demo", "--people", "3"]) == 1
    sentence = one_french_sentence(capsys.readouterr().err)
    assert "le disque est plein" in sentence and "Libérez de la place" in sentence
    monkeypatch.undo()
    after = snapshot_of(folder)
    assert {k: v for k, v in after.items() if not k.startswith("backups")} == {
        k: v for k, v in before.items() if not k.startswith("backups")
    }
    assert main(["--data-dir", str(folder), "check"]) == 0
