"""Issue #14, point 3: in every confirmation, the keys a hurried person presses
(Entrée, Échap twice) never discard typed data nor delete anything."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from textual.widgets import Button, Input

from citeslab_tui.domain.models import Interview
from citeslab_tui.services import drafts
from citeslab_tui.ui.dialogs.confirm import ConfirmDialog
from tests.test_ui_intake import TODAY, configure, make_app, open_intake, started, type_text
from tests.test_ui_person import open_person, seed

UI = Path(__file__).resolve().parents[1] / "citeslab_tui" / "ui"
RISKY_WORDS = ("Abandonner", "Effacer", "Supprimer", "Ouvrir la fiche")


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "donnees"
    configure(folder)
    return folder


@pytest.fixture
def person_data(tmp_path: Path) -> tuple[Path, str]:
    folder = tmp_path / "donnees"
    return folder, seed(folder)


async def test_escape_then_enter_keeps_the_intake(data):
    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        screen = await open_intake(pilot)
        screen.form.field("family_name").focus()
        await type_text(pilot, "Durand")
        await pilot.press("escape")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert "Abandonner cet accueil" in dialog.question
        assert dialog.focused is not None and dialog.focused.id == "no"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen and screen.form.value("family_name") == "Durand"
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert app.screen is screen and screen.form.value("family_name") == "Durand"


async def test_escape_on_the_draft_question_resumes_it(data):
    drafts.save_draft(data, {"values": {"family_name": "Koné"}, "saved_at": "x"})
    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.pause()
        assert app.screen.form.value("family_name") == "Koné"
        assert drafts.load_draft(data) is not None


async def test_typed_interview_notes_survive_escape_twice(person_data):
    data, pid = person_data
    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_person(pilot, pid)
        before = len(app.workspace.repo.all(Interview))
        await pilot.press("ctrl+l")
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#notes", Input).focus()
        await type_text(pilot, "Point budget")
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert app.screen is dialog
        assert dialog.query_one("#notes", Input).value == "Point budget"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("enter")  # focus on "Continuer"
        await pilot.pause()
        assert app.screen is dialog
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("left", "enter")  # "Abandonner", on purpose
        await pilot.pause()
        assert app.screen is screen
        assert len(app.workspace.repo.all(Interview)) == before
        # nothing typed: Échap leaves at once
        await pilot.press("ctrl+l")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen


async def test_quick_task_line_survives_escape_twice(data):
    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("ctrl+t")
        await pilot.pause()
        dialog = app.screen
        await type_text(pilot, "Rappeler Mme Diallo jeudi")
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert app.screen is dialog
        assert dialog.query_one("#line", Input).value == "Rappeler Mme Diallo jeudi"


def test_every_discarding_confirmation_names_its_safe_answer():
    """A ConfirmDialog whose buttons discard or delete says which answer is safe."""
    missing = []
    for path in UI.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "ConfirmDialog"):
                continue
            labels = [
                kw.value.value
                for kw in node.keywords
                if kw.arg in ("yes", "no") and isinstance(kw.value, ast.Constant)
            ] + [arg.value for arg in node.args[1:3] if isinstance(arg, ast.Constant)]
            risky = any(word in str(label) for label in labels for word in RISKY_WORDS)
            if risky and not any(kw.arg == "safe" for kw in node.keywords):
                missing.append(f"{path.name}:{node.lineno}")
    assert missing == []


async def test_safe_button_has_the_focus(data):
    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        answers: list[bool | None] = []
        app.push_screen(
            ConfirmDialog("Supprimer ?", yes="Supprimer", no="Garder", safe=False), answers.append
        )
        await pilot.pause()
        focused = app.screen.focused
        assert isinstance(focused, Button) and str(focused.label) == "Garder"
        await pilot.press("enter")
        app.push_screen(
            ConfirmDialog("Reprendre ?", yes="Reprendre", no="Effacer", safe=True), answers.append
        )
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert answers == [False, True]


async def test_edited_task_and_collective_action_survive_escape_twice(data):
    from citeslab_tui.domain.models import FollowUpTask
    from citeslab_tui.ui.dialogs.collective import CollectiveDialog
    from citeslab_tui.ui.dialogs.task_edit import TaskEditDialog

    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        (task,) = app.workspace.repo.save(FollowUpTask(title="Rappeler", due=TODAY))
        for dialog, field in (
            (TaskEditDialog(task.id), "#title"),
            (CollectiveDialog(), "#collective-title"),
        ):
            app.push_screen(dialog)
            await pilot.pause()
            await pilot.press("escape")  # nothing typed: leaves at once
            await pilot.pause()
            assert app.screen is not dialog
            app.push_screen(
                type(dialog)(task.id) if isinstance(dialog, TaskEditDialog) else CollectiveDialog()
            )
            await pilot.pause()
            shown = app.screen
            shown.query_one(field, Input).focus()
            await type_text(pilot, " vite")
            await pilot.press("escape", "escape")
            await pilot.pause()
            assert app.screen is shown
            assert shown.query_one(field, Input).value.endswith(" vite")
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press("left", "enter")
            await pilot.pause()
            assert app.screen is not shown
        assert app.workspace.repo.get(FollowUpTask, task.id).title == "Rappeler"


async def test_typed_arrival_name_survives_escape_twice(data):
    from citeslab_tui.ui.dialogs.arrival import ArrivalDialog

    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        dialog = ArrivalDialog()
        app.push_screen(dialog)
        await pilot.pause()
        await type_text(pilot, "Yasmine")
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert app.screen is dialog
        assert dialog.query_one("#arrival-name", Input).value == "Yasmine"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("left", "enter")  # Abandonner, on purpose
        await pilot.pause()
        assert app.screen is not dialog
