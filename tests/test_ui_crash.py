"""An unexpected error in the app ends it with one French sentence, never a traceback
(Textual's own crash report prints every frame's local variables: people's data)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App

from citeslab_tui.ui.run import CRASH_MESSAGE, DEBUG_ENV, run_guarded

SECRET = "DUPONT Jean 06 12 34 56 78"


class CrashingApp(App[None]):
    def on_mount(self) -> None:
        person = {"name": SECRET}  # a local variable Textual's report would print
        raise RuntimeError(f"boom {person['name']}")


def test_a_crash_prints_a_french_sentence_and_no_personal_data(
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(DEBUG_ENV, raising=False)
    code = run_guarded(CrashingApp(), headless=True, size=(80, 24))
    out, err = capfd.readouterr()
    assert code == 1
    assert CRASH_MESSAGE in err
    assert "DUPONT" not in out + err
    assert "Traceback" not in out + err


def test_developers_can_ask_for_textuals_report(
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DEBUG_ENV, "1")
    code = run_guarded(CrashingApp(), headless=True, size=(80, 24))
    _, err = capfd.readouterr()
    assert code == 1
    assert "RuntimeError" in err
