"""The UI shell on Textual's own mechanisms: modes for the main screens, one clock, one
way to run a service call, a "records changed" signal, benchmark hooks outside the app."""

from __future__ import annotations

import ast
import logging
import os
import re
import subprocess
import sys
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest
from textual.widgets import DataTable, Label
from uikit import OpenApp

from citeslab_tui.domain.models import FollowUpTask, Person
from citeslab_tui.logs import LOGGER
from citeslab_tui.services import drafts
from citeslab_tui.services import tasks as task_service
from citeslab_tui.services.workspace import Workspace
from citeslab_tui.ui.app import CitesLabApp
from citeslab_tui.ui.base import AppScreen
from citeslab_tui.ui.dialogs.message import MessageDialog
from citeslab_tui.ui.keys import documented_screens
from citeslab_tui.ui.screens.permanence import PermanenceScreen
from citeslab_tui.ui.screens.tasks import TasksScreen

PARIS = timezone(timedelta(hours=1))
NOW = datetime(2026, 11, 26, 14, 30, tzinfo=PARIS)
TODAY = NOW.date()
UI = Path(__file__).resolve().parent.parent / "citeslab_tui" / "ui"


def configured(data_dir: Path) -> Path:
    with Workspace.open(data_dir) as ws:
        ws.configure(structure="Mife du Calvados", staff=["Céline"], device="poste-test")
    return data_dir


async def started(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


# --- navigation -------------------------------------------------------------------------


async def test_function_keys_show_installed_screens_and_close_what_was_opened_over(
    data_dir: Path,
) -> None:
    app = CitesLabApp(str(configured(data_dir)), now=lambda: NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        permanence = app.screen
        assert permanence is app.get_screen("permanence", PermanenceScreen)
        await pilot.press("ctrl+n")  # an intake over the permanence
        await pilot.pause()
        await pilot.press("f3")
        await pilot.pause()
        tasks = app.get_screen("tasks", TasksScreen)
        assert app.screen_stack == [permanence, tasks]
        for key in ("f4", "f5", "f3"):
            await pilot.press(key)
            await pilot.pause()
            assert len(app.screen_stack) == 2
            assert type(app.screen) in documented_screens()  # its keys are in the guide
        assert app.screen is tasks  # one instance each, kept between visits
        await pilot.press("f2")
        await pilot.pause()
        assert app.screen_stack == [permanence]  # F2 shows the queue itself


async def test_a_broken_screen_module_is_an_error_not_a_toast(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`except (ImportError, AttributeError)` turned a real bug into "pas encore disponible"."""
    import citeslab_tui.ui.screens as screens_package

    monkeypatch.delitem(sys.modules, "citeslab_tui.ui.screens.bilan", raising=False)
    monkeypatch.delattr(screens_package, "bilan", raising=False)
    monkeypatch.setitem(sys.modules, "citeslab_tui.ui.screens.bilan", None)  # import fails
    app = CitesLabApp(str(configured(data_dir)), now=lambda: NOW)
    with pytest.raises(ImportError):
        async with app.run_test(size=(80, 24)) as pilot:
            await started(pilot)
            await pilot.press("f4")
            await pilot.pause()


# --- one clock ----------------------------------------------------------------------------


def test_the_ui_reads_the_clock_in_one_place() -> None:
    """Today was read five ways (intake, bilan, tasks, task dialogs, permanence)."""
    readers = re.compile(r"\b(date\.today|datetime\.now|datetime\.today|time\.time)\(")
    found = []
    for path in sorted(UI.rglob("*.py")):
        if path.name in ("app.py", "docshots.py", "benchmark.py"):
            continue  # the app's clock itself; developer tools
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if readers.search(line):
                found.append(f"{path.name}:{number}: {line.strip()}")
    assert not found, found


async def test_a_draft_is_stamped_with_the_apps_clock(workspace: Workspace) -> None:
    from citeslab_tui.ui.screens.intake import IntakeScreen

    app = OpenApp(workspace, NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = IntakeScreen()
        await app.push_screen(screen)
        await pilot.pause()
        screen.form.field("family_name").value = "Koné"
        await pilot.pause()
        screen.write_draft()
    saved_at = datetime.fromisoformat(drafts.load_draft(workspace.data_dir)["saved_at"])
    assert saved_at == NOW


# --- service calls --------------------------------------------------------------------------


class Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


async def test_an_unexpected_error_in_a_dialog_is_french_and_logged_without_data(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The task dialogs caught CitesLabError only: anything else ended the app."""
    from citeslab_tui.ui.dialogs.task_postpone import TaskPostponeDialog

    (task,) = workspace.repo.save(FollowUpTask(title="Rappeler", due=TODAY))

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("Fatou Diallo 06 12 34 56 78")

    monkeypatch.setattr(task_service, "postpone", broken)
    app = OpenApp(workspace, NOW)
    recorder = Recorder()
    LOGGER.addHandler(recorder)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await app.push_screen(TaskPostponeDialog(task.id))
            await pilot.pause()
            await pilot.press("plus", "3", "enter")
            await pilot.pause()
            assert isinstance(app.screen, MessageDialog)
            assert app.screen.title_text == "Erreur inattendue"
            assert "journal" in str(app.screen.query_one("#text", Label).render())
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, TaskPostponeDialog)  # what was typed is kept
    finally:
        LOGGER.removeHandler(recorder)
    logged = " ".join(recorder.messages)
    assert "RuntimeError" in logged and "Diallo" not in logged and "06 12" not in logged


async def test_a_failed_bilan_computation_says_so_in_french(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error in the bilan's worker thread ended the app with a traceback."""
    from citeslab_tui.services import reports
    from citeslab_tui.ui.screens.bilan import BilanScreen

    def broken(*_args: object) -> None:
        raise KeyError("Diallo")

    monkeypatch.setattr(reports, "bilan_for", broken)
    app = OpenApp(workspace, NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(BilanScreen())
        await started(pilot)
        status = str(app.screen.query_one("#bilan-status", Label).render())
        assert "n'a pas abouti" in status and not app.screen.busy


# --- records changed --------------------------------------------------------------------------


class Probe(AppScreen[None]):
    """Listens to the app's signal, as the screens do."""

    def __init__(self) -> None:
        super().__init__()
        self.heard: list[int] = []

    def on_mount(self) -> None:
        self.app.records_changed_signal.subscribe(self, self.heard.append)


async def test_a_save_from_any_dialog_is_published_once(workspace: Workspace) -> None:
    (person,) = workspace.repo.save(Person(family_name="Diallo", first_name="Aïcha"))
    app = OpenApp(workspace, NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        probe = Probe()
        await app.push_screen(probe)
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.press(*"Rappeler", "space", *"demain", "enter")
        await pilot.pause()
        assert len(probe.heard) == 1 and probe.heard[0] == workspace.repo.lseq
        app.publish_records_changed()  # nothing saved since: nothing published
        await pilot.pause()
        assert len(probe.heard) == 1
    assert person.id


async def test_the_tasks_screen_redraws_when_a_dialog_saved(workspace: Workspace) -> None:
    workspace.repo.save(FollowUpTask(title="Rappeler", due=TODAY))
    app = OpenApp(workspace, datetime.combine(TODAY, time(10, 0)))
    async with app.run_test(size=(80, 24)) as pilot:
        await app.action_show("tasks")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TasksScreen) and not screen.stale
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"Envoyer", "space", *"aujourd'hui", "enter")
        await pilot.pause()
        assert app.screen is screen and screen.board is not None
        assert screen.board.counts(today=TODAY)["today"] == 2
        assert screen.query_one("#tasks-table", DataTable).row_count == 2


async def test_the_queue_fills_when_the_data_is_ready(data_dir: Path) -> None:
    app = CitesLabApp(str(configured(data_dir)), now=lambda: NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        assert app.data_ready
        screen = app.screen
        assert isinstance(screen, PermanenceScreen) and screen.day == TODAY
        assert screen.check_action("add_arrival", ()) is True  # its keys are usable


# --- benchmark hooks ------------------------------------------------------------------------------


@pytest.mark.parametrize(("mode", "figures"), [("1", 1), ("loaded", 2)])
def test_benchmark_hooks_print_their_figures(data_dir: Path, mode: str, figures: int) -> None:
    """bench/bench_startup.py runs the app with CITESLAB_EXIT_ON_READY (hooks of ui/benchmark.py)."""
    configured(data_dir)
    env = dict(os.environ, CITESLAB_EXIT_ON_READY=mode)
    out = subprocess.run(
        [sys.executable, "-m", "citeslab_tui", "--data-dir", str(data_dir)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    values = [float(v) for v in out.strip().splitlines()[-1].split()]
    assert len(values) == figures and 0 < values[0] < 60
    assert "CITESLAB_EXIT_ON_READY" not in (UI / "app.py").read_text(encoding="utf-8")


def test_dates_are_those_of_the_frozen_clock() -> None:
    assert CitesLabApp(now=lambda: NOW).today() == date(2026, 11, 26)


# --- styles -----------------------------------------------------------------------------------------


def test_every_style_is_in_styles() -> None:
    """16 inline DEFAULT_CSS blocks lived beside styles/."""
    inline = re.compile(r"^\s*(DEFAULT_)?CSS\s*[:=]", re.M)
    found = [p.name for p in sorted(UI.rglob("*.py")) if inline.search(p.read_text("utf-8"))]
    assert not found, found
    styles = UI.parent.parent / "styles"
    for path in sorted(UI.rglob("*.py")):
        for name in re.findall(r'style_file\("([^"]+)"\)', path.read_text("utf-8")):
            assert (styles / name).is_file(), (path.name, name)


# --- Textual's public API only -------------------------------------------------------------------


def private_names(root: Path) -> set[str]:
    """Private names (`_x`, not dunders) a source tree defines: methods, classes,
    attributes assigned (`self._x = ...`) and class-level names."""
    names: set[str] = set()
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
    return {n for n in names if n.startswith("_") and not n.startswith("__")}


STDLIB = {"os", "sys"}


def test_no_private_textual_attribute_anywhere() -> None:
    """`_installed_screens`, `_push_result_callback`, `_result_callbacks`, RadioSet's
    `_selected`, Select's `_allow_blank`, DataTable's internals, `textual.widgets._select`..."""
    import textual

    root = UI.parent.parent
    ours = private_names(root / "citeslab_tui") | private_names(root / "tests")
    ours |= private_names(root / "bench")
    theirs = private_names(Path(textual.__file__).parent) - ours
    found = []
    for folder in (UI, root / "bench", root / "tests"):
        for path in sorted(folder.rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
                if isinstance(node, ast.Attribute) and node.attr in theirs:
                    if isinstance(node.value, ast.Name) and node.value.id in STDLIB:
                        continue  # os._exit: not Textual's
                    found.append(f"{path.name}:{node.lineno}: .{node.attr}")
                elif isinstance(node, ast.ImportFrom) and node.module:
                    if node.module.startswith("textual") and "._" in node.module:
                        found.append(f"{path.name}:{node.lineno}: from {node.module}")
    assert not found, found


def test_no_textual_internal_is_overridden() -> None:
    """FixedTable replaced DataTable._update_dimensions, PickerInput Input._on_key."""
    import importlib
    import inspect
    import pkgutil

    from textual.dom import DOMNode

    import citeslab_tui.ui as ui

    found = []
    for info in pkgutil.walk_packages(ui.__path__, "citeslab_tui.ui."):
        module = importlib.import_module(info.name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or not issubclass(cls, DOMNode):
                continue
            bases = [b for b in cls.__mro__ if b.__module__.startswith("textual")]
            for attr, value in vars(cls).items():
                private = attr.startswith("_") and not attr.startswith("__")
                if private and (inspect.isfunction(value) or isinstance(value, property)):
                    if any(hasattr(base, attr) for base in bases):
                        found.append(f"{name}.{attr}")
    assert not found, found


def test_ui_modules_fit_in_a_head() -> None:
    """ui/screens/tasks.py had 603 lines: view drawing and keys in one module."""
    long = {
        p.name: n for p in UI.rglob("*.py") if (n := len(p.read_text("utf-8").splitlines())) > 500
    }
    assert not long, long
