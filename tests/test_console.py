"""What reaches a terminal: control characters and bidi overrides shown visibly
(case 7 of issue #12), and every command working whatever the console's code page,
redirected or not (case 9: `citeslab report --format text > bilan.txt` in a cp1252
PowerShell stopped with "Erreur inattendue")."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from citeslab_tui import cli
from citeslab_tui.console import encodable
from citeslab_tui.domain.merge import merge_docs
from citeslab_tui.domain.models import CollectiveAction, Interview, Person
from citeslab_tui.domain.records import stamp
from citeslab_tui.domain.text import visible
from citeslab_tui.services.workspace import Workspace

HOSTILE = "hostile\x1b[2J\x07\x00\u202eeliF\r\x9b31m"


# --- visible() ------------------------------------------------------------------------


def test_visible_shows_controls_and_bidi_overrides() -> None:
    assert visible("a\x1b[2Jb") == "a␛[2Jb"
    assert visible("\x07\x00\x7f\r") == "␇␀␡␍"
    assert visible("ab\u202ecd\u2066") == "ab<U+202E>cd<U+2066>"
    assert visible("\x9b31m") == "<U+009B>31m"
    assert visible("ligne 1\nligne\t2") == "ligne 1\nligne\t2"  # layout kept
    assert visible("Hérouville – 12\u202f345") == "Hérouville – 12\u202f345"  # nothing lost


@given(st.text())
def test_visible_leaves_no_control_nor_bidi_character(value: str) -> None:
    shown = visible(value)
    for ch in shown:
        code = ord(ch)
        assert ch in "\n\t" or not (code < 0x20 or 0x7F <= code <= 0x9F), repr(shown)
        assert not (0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069), repr(shown)
        assert not 0xD800 <= code <= 0xDFFF
    if value.isprintable():
        assert shown == value


@pytest.mark.parametrize("encoding", ["cp1252", "cp850", "ascii", "utf-8"])
def test_encodable_never_fails_and_keeps_what_it_can(encoding: str) -> None:
    text = "Bilan — Hérouville : 12\u202f345 personnes, 56,00\u00a0% ✓ œuvre ␛ █"
    out = encodable(text, encoding)
    out.encode(encoding)  # never raises
    if encoding == "cp1252":
        assert "Hérouville" in out and "œuvre" in out and "12 345" in out and "^[" in out
    if encoding == "cp850":
        assert "Hérouville" in out and "oeuvre" in out and "-" in out


# --- hostile text stored by an older version, printed by the CLI ---------------------------


def _raw_person(ws: Workspace) -> str:
    """A person whose stored text holds escape sequences (written before text from sync
    files was cleaned): put as raw documents, bypassing today's cleaning."""
    now = datetime(2026, 11, 26, 9, tzinfo=UTC)
    person = Person(family_name="Diallo", first_name="Awa")
    base = stamp(person, None, device="p1", staff="A", clock="1764140000000-0000-p1", now=now)
    base["family_name"] = f"Diallo{HOSTILE}"
    base["notes"] = HOSTILE
    left = stamp(
        person.model_copy(update={"phone": "+33611111111"}),
        base,
        device="p1",
        staff="A",
        clock="1764140000001-0000-p1",
        now=now,
    )
    right = stamp(
        person.model_copy(update={"phone": "+33622222222"}),
        base,
        device="p2",
        staff=HOSTILE,
        clock="1764140000002-0000-p2",
        now=now,
    )
    merged = merge_docs(left, right, "person")
    merged["family_name"] = f"Diallo{HOSTILE}"
    merged["meta"]["conflicts"]["notes"] = [["p2", 1, f"note {HOSTILE}", ""]]
    ws.repo.put_docs([("person", merged)])
    return person.id


@pytest.fixture
def hostile_folder(tmp_path: Path) -> tuple[Path, str]:
    folder = tmp_path / "d"
    with Workspace.open(folder) as ws:
        ws.configure(structure="S", staff=["Céline"], device="bureau", role="office")
        pid = _raw_person(ws)
        ws.repo.save(Interview(person_id=pid, on=date(2026, 11, 26), site="Caen – Chemin Vert"))
    return folder, pid


def run(capsys, folder: Path, *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = cli.main(["--data-dir", str(folder), *args])
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.mark.parametrize(
    "command",
    [
        ["person", "export", "{pid}", "--output", "-"],
        ["person", "export", "{pid}", "--output", "-", "--format", "json"],
        ["sync", "conflicts"],
        ["sync", "import", "{stick}"],
    ],
)
def test_hostile_text_reaches_the_terminal_visibly(hostile_folder, capsys, tmp_path, command):
    folder, pid = hostile_folder
    stick = tmp_path / "cle"
    stick.mkdir()
    (stick / "citeslab-\x1b[2J\u202e\x07.cslb").write_bytes(b"CITESLAB-BUNDLE 00\n{}\n")
    args = [a.format(pid=pid, stick=stick) for a in command]
    code, out = run(capsys, folder, *args)
    assert "Erreur inattendue" not in out and "Traceback" not in out
    for raw in ("\x1b", "\x07", "\x00", "\u202e", "\r", "\x9b"):
        assert raw not in out, (raw, out)
    if "json" not in command:
        assert "␛[2J" in out, out


# --- console encodings ------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "d"
    assert cli.main(["--data-dir", str(folder), "demo", "--people", "40", "--seed", "3"]) == 0
    with Workspace.open(folder) as ws:
        # a name cp1252 cannot write (Ł), and a count written with a narrow no-break space
        ws.configure(structure="Mife du Calvados", staff=["Céline", "Łukasz Wałęsa"], device="demo")
        ws.repo.save(CollectiveAction(on=date.today(), women=1200, men=345, site="Colombelles"))
    return folder


COMMANDS = [
    (["--help"], 0),
    (["sync", "--help"], 0),
    (["keys", "--help"], 0),
    (["report", "--format", "text"], 0),
    (["report", "--format", "text", "--from", "2012-09-01", "--to", "2026-08-31"], 0),
    (["report", "--format", "json"], 0),
    (["settings"], 0),
    (["check"], 0),
    (["sync", "status"], 0),
    (["sync", "conflicts"], 0),
    (["sync", "duplicates"], 0),
    (["keys", "show"], 0),
    (["retention"], 0),
    (["restore"], 0),
    (["person", "export", "a", "--output", "-"], 1),  # several matches: French error
    (["restore", "2001-01-01"], 1),
    (["report", "--from", "bientôt"], 2),  # usage error, French, on stderr
    (["frobnicate"], 2),
]


@pytest.mark.parametrize("encoding", ["cp1252", "cp850", "utf-8"])
@pytest.mark.parametrize(
    ("args", "expected"),
    COMMANDS,
    ids=lambda a: "-".join(a)[:40] if isinstance(a, list) else str(a),
)
def test_every_command_works_in_every_console_encoding(
    demo_folder: Path, encoding: str, args: list[str], expected: int, monkeypatch
) -> None:
    """stdout and stderr are strict text streams in the console's code page, as Python
    makes them for a redirected Windows console (`> bilan.txt`)."""
    out, err = io.BytesIO(), io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(out, encoding=encoding, errors="strict"))
    monkeypatch.setattr(sys, "stderr", io.TextIOWrapper(err, encoding=encoding, errors="strict"))
    try:
        code = cli.main(["--data-dir", str(demo_folder), *args])
    except SystemExit as exc:  # argparse: --help and usage errors
        code = int(exc.code or 0)
    sys.stdout.flush()
    sys.stderr.flush()
    text = out.getvalue().decode(encoding) + err.getvalue().decode(encoding)
    assert code == expected, text
    assert "Erreur inattendue" not in text and "Traceback" not in text
    assert text.strip()
    if encoding != "utf-8" and args[0] in ("report", "settings") and "json" not in args:
        assert ("é" in text) or ("É" in text), text  # accents kept: cp1252 and cp850 have them


def _citeslab(args: list[str], encoding: str, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    return subprocess.run(
        [sys.executable, "-m", "citeslab_tui", *args], env=env, check=False, **kwargs
    )


@pytest.mark.parametrize("encoding", ["cp1252", "cp850"])
@pytest.mark.parametrize("command", [["report", "--format", "text"], ["settings"]])
def test_report_and_settings_redirected_to_a_file_in_a_windows_code_page(
    demo_folder: Path, tmp_path: Path, encoding: str, command: list[str]
) -> None:
    """The exact report of case 9: `PYTHONIOENCODING=cp1252 citeslab report --format text > f`
    stopped with "Erreur inattendue" (UnicodeEncodeError), and so did `settings`."""
    target = tmp_path / "sortie.txt"
    with open(target, "wb") as handle:
        result = _citeslab(
            ["--data-dir", str(demo_folder), *command],
            encoding,
            stdout=handle,
            stderr=subprocess.PIPE,
        )
    assert result.returncode == 0, result.stderr.decode(encoding, "replace")
    text = target.read_bytes().decode(encoding)
    if command[0] == "report":
        assert text.startswith("Bilan CitésLab") and "Personnes sensibilisées" in text
        assert "1 545" in text  # the narrow no-break space became a space
    else:
        assert "Lukasz Walesa" in text and "Céline" in text


@pytest.mark.skipif(os.name != "posix", reason="pseudo-terminal")
def test_settings_on_a_terminal_in_cp850(demo_folder: Path) -> None:
    """Not redirected: the output goes to a terminal whose code page is cp850."""
    import pty

    primary, secondary = pty.openpty()
    try:
        result = _citeslab(
            ["--data-dir", str(demo_folder), "sync", "status"],
            "cp850",
            stdout=secondary,
            stderr=secondary,
        )
        os.close(secondary)
        chunks = []
        while True:
            try:
                chunk = os.read(primary, 4096)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(primary)
    text = b"".join(chunks).decode("cp850")
    assert result.returncode == 0 and "Prochain envoi" in text, text
