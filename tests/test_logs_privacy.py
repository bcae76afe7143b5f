"""Logs: owner-only, rotating, and never a name, phone or e-mail of a person."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from test_privacy_support import build_file

from citeslab_tui import cli, logs
from citeslab_tui.services import privacy
from citeslab_tui.services.workspace import Workspace

PEOPLE = [
    ("Diallo", "Fatou", "+33612345678", "fatou.diallo@exemple.fr"),
    ("Benamar", "Karima", "+33698765432", "k.benamar@exemple.fr"),
    ("Lefèvre", "Éloïse", "+33745454545", "eloise@exemple.fr"),
]


def needles() -> list[str]:
    found = []
    for family, first, phone, email in PEOPLE:
        national = "0" + phone[3:]
        spaced = " ".join(national[i : i + 2] for i in range(0, 10, 2))
        found += [family, family.upper(), first, phone, national, spaced, email]
    return found


@pytest.fixture(autouse=True)
def _detach_log() -> object:
    yield
    for handler in list(logs.LOGGER.handlers):
        logs.LOGGER.removeHandler(handler)
        handler.close()


def test_realistic_session_leaves_no_personal_data_in_logs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "donnees"
    base = ["--data-dir", str(folder)]
    assert (
        cli.main([*base, "init", "--structure", "Mife", "--staff", "Céline", "--device", "p1"]) == 0
    )
    assert cli.main([*base, "demo", "--people", "30", "--seed", "2"]) == 0
    ids = []
    with Workspace.open(folder) as ws:
        for family, first, phone, email in PEOPLE:
            person, _ = build_file(ws, family=family, first=first, phone=phone, email=email)
            ids.append(person.id)
    assert cli.main([*base, "person", "export", "Diallo", "--format", "text"]) == 0
    assert cli.main([*base, "person", "export", "Karima", "--format", "json"]) == 0
    assert cli.main([*base, "person", "export", "06 98 76 54 32", "--output", "-"]) == 0
    assert cli.main([*base, "person", "erase", ids[0], "--yes"]) == 0
    assert cli.main([*base, "person", "erase", "Fatou", "--yes"]) == 1  # erased: not found
    assert cli.main([*base, "person", "erase", "exemple.fr", "--yes"]) == 1  # ambiguous
    assert cli.main([*base, "retention", "--months", "0"]) == 1
    assert cli.main([*base, "retention", "--months", "1", "--apply"]) == 0

    # An unexpected error whose message quotes personal data: only its type is logged.
    def boom(*args: object, **kwargs: object) -> str:
        raise RuntimeError("Lefèvre Éloïse +33745454545 eloise@exemple.fr")

    monkeypatch.setattr(privacy, "render_access", boom)
    assert cli.main([*base, "person", "export", ids[2], "--output", "-"]) == 1
    logging.getLogger("citeslab.test").error(
        "Appel de %s au 06 98 76 54 32", "k.benamar@exemple.fr"
    )
    logs.LOGGER.info("rappel %s", "+33612345678 fatou.diallo@exemple.fr")
    capsys.readouterr()

    files = [p for p in (folder / "logs").iterdir() if p.is_file()]
    assert files
    content = "".join(p.read_text(encoding="utf-8") for p in files)
    assert "unexpected RuntimeError" in content and "privacy.erase" in content
    for needle in needles():
        assert needle not in content, needle
    if os.name == "posix":
        assert (folder / "logs").stat().st_mode & 0o777 == 0o700
        for path in files:
            assert path.stat().st_mode & 0o777 == 0o600


def test_rotated_files_are_private(tmp_path: Path) -> None:
    path = tmp_path / "x.log"
    handler = logs.PrivateRotatingFileHandler(path, maxBytes=200, backupCount=2, encoding="utf-8")
    handler.addFilter(logs.PersonalDataFilter())
    logger = logging.getLogger("citeslab.rotation-test")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        for i in range(100):
            logger.warning("ligne %d", i)
    finally:
        logger.removeHandler(handler)
        handler.close()
    rotated = sorted(tmp_path.glob("x.log*"))
    assert len(rotated) == 3  # current + 2 kept: the oldest rotate out
    if os.name == "posix":
        assert all(p.stat().st_mode & 0o777 == 0o600 for p in rotated)


def test_filter_and_log_event_keep_out_free_text() -> None:
    record = logging.LogRecord(
        "citeslab", logging.INFO, "f", 1, "tel %s mail %s", ("06.12.34.56.78", "a.b@c.fr"), None
    )
    logs.PersonalDataFilter().filter(record)
    assert record.getMessage() == "tel <numéro> mail <e-mail>"
    assert logs._safe("Fatou Diallo") == "?" and logs._safe("privacy.erase") == "privacy.erase"
    assert logs._safe(12) == "12" and logs._safe(["x"]) == "?"


def test_setup_logging_follows_the_data_folder(tmp_path: Path) -> None:
    first = logs.setup_logging(str(tmp_path / "a"))
    second = logs.setup_logging(str(tmp_path / "b"))
    assert first == tmp_path / "a" / "logs" / "citeslab.log"
    assert second == tmp_path / "b" / "logs" / "citeslab.log"
    assert logs.setup_logging(str(tmp_path / "b")) == second
    assert len(logs.LOGGER.handlers) == 1
    logs.log_event("test.event", count=3)
    assert "test.event count=3" in second.read_text(encoding="utf-8")
