"""Speed work kept honest: the cached tasks board updated in place equals a fresh one,
the fixed-width table sizes itself without measuring, the keys footer shows every key
and redraws only on change, suggestions come from a worker, and the CLI fast path."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Label

from citeslab_tui import cli
from citeslab_tui.domain.models import (
    Civility,
    FollowUpTask,
    Orientation,
    Person,
    TaskKind,
    TaskStatus,
)
from citeslab_tui.resources import style_file
from citeslab_tui.services import tasks as ts
from citeslab_tui.services.workspace import Workspace
from citeslab_tui.ui.app import CitesLabApp
from citeslab_tui.ui.screens.tasks import COMPUTING, TasksScreen
from citeslab_tui.ui.widgets.footer import KeysFooter
from citeslab_tui.ui.widgets.tables import FixedTable

TODAY = date(2026, 11, 26)  # a Thursday


def person(ws: Workspace, family: str = "Diallo", first: str = "Aïcha") -> Person:
    (saved,) = ws.repo.save(Person(civility=Civility.MADAME, family_name=family, first_name=first))
    return saved  # type: ignore[return-value]


def some_tasks(ws: Workspace) -> list[FollowUpTask]:
    pid = person(ws).id
    saved = []
    for offset in (-3, -1, 0, 0, 2, 3, 10, 40):
        (task,) = ws.repo.save(
            FollowUpTask(person_id=pid, title=f"Tâche {offset}", due=TODAY + timedelta(days=offset))
        )
        saved.append(task)
    (done,) = ws.repo.save(
        FollowUpTask(person_id=pid, title="Faite", due=TODAY, status=TaskStatus.DONE, done_on=TODAY)
    )
    return [*saved, done]  # type: ignore[list-item]


def assert_same_as_fresh(ws: Workspace, board: ts.TaskBoard) -> None:
    fresh = ts.TaskBoard(ws)
    assert board.counts(today=TODAY) == fresh.counts(today=TODAY)
    for view in ts.VIEWS:
        assert board.ids(view, today=TODAY) == fresh.ids(view, today=TODAY), view


# --- the tasks board: cached between visits, updated in place --------------------------


def test_board_updated_in_place_by_task_changes(workspace: Workspace) -> None:
    tasks = some_tasks(workspace)
    board = ts.board_for(workspace)
    for view in ts.VIEWS:  # every view sorted, as after a visit of each
        board.ids(view, today=TODAY)
    cache = board._cache
    assert cache is not None

    ts.complete(workspace, tasks[0].id, today=TODAY)
    ts.postpone(workspace, tasks[1].id, "+10", today=TODAY)
    ts.reopen(workspace, tasks[-1].id)
    ts.reassign(workspace, tasks[2].id, "Karim Benali")
    ts.delete(workspace, tasks[3].id)
    ts.create_task(workspace, title="Nouvelle", due=TODAY + timedelta(days=1))
    ts.edit(
        workspace,
        tasks[4].id,
        title="Modifiée",
        due=TODAY - timedelta(days=5),
        time=None,
        task_kind=TaskKind.CALL,
    )
    assert board._cache is cache  # never recomputed, only moved
    assert_same_as_fresh(workspace, board)


def test_board_survives_other_records_and_follows_outside_task_changes(
    workspace: Workspace,
) -> None:
    some_tasks(workspace)
    board = ts.board_for(workspace)
    board.ids(ts.OVERDUE, today=TODAY)
    cache = board._cache
    person(workspace, "Martin", "Léa")  # not a task: the views stay cached
    board.counts(today=TODAY)
    assert board._cache is cache
    # a task written elsewhere (sync import, intake): the views are recomputed
    workspace.repo.save(FollowUpTask(title="Importée", due=TODAY - timedelta(days=9)))
    assert board._cache is cache  # stale, not yet used
    assert_same_as_fresh(workspace, board)
    assert board._cache is not cache


def test_board_with_filter_updated_in_place(workspace: Workspace) -> None:
    tasks = some_tasks(workspace)
    flt = ts.TaskFilter(person_id=tasks[0].person_id)
    board = ts.board_for(workspace)
    before = board.ids(ts.OVERDUE, flt, TODAY)
    ts.postpone(workspace, tasks[0].id, "+30", today=TODAY)
    after = board.ids(ts.OVERDUE, flt, TODAY)
    assert tasks[0].id in before and tasks[0].id not in after
    assert after == ts.TaskBoard(workspace).ids(ts.OVERDUE, flt, TODAY)


def test_warm_up_sorts_every_view_and_computes_suggestions(workspace: Workspace) -> None:
    tasks = some_tasks(workspace)
    workspace.repo.save(
        Orientation(person_id=tasks[0].person_id, partner="Mission locale", on=TODAY)
    )
    board = ts.TaskBoard(workspace)
    assert board.cached_suggestions(TODAY) is None
    board.warm_up(TODAY)
    assert board._cache is not None and set(board._cache.ids) == set(ts.VIEWS)
    assert board.cached_suggestions(TODAY) == ts.suggestions(workspace, TODAY)
    assert_same_as_fresh(workspace, board)


def test_kind_version_changes_only_for_its_kind(workspace: Workspace) -> None:
    repo = workspace.repo
    task_version = repo.kind_version("task")
    person(workspace)
    assert repo.kind_version("task") == task_version
    repo.save(FollowUpTask(title="Rappeler", due=TODAY))
    assert repo.kind_version("task") != task_version


# --- fixed-width table ------------------------------------------------------------------


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield FixedTable(id="fixed")
        yield DataTable(id="plain")


async def test_fixed_table_sizes_itself_like_a_data_table() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 24)) as pilot:
        for table in app.query(DataTable):
            for label, width in (("Échéance", 10), ("Tâche", 40)):
                table.add_column(Text(label), width=width)
            for i in range(50):
                table.add_row(Text(f"{i:02d}/12/2026"), Text("[b]pas du balisage[/]"), key=str(i))
        fixed = app.query_one("#fixed", FixedTable)
        fixed.size_now()
        size_before_idle = fixed.virtual_size
        await pilot.pause()
        plain = app.query_one("#plain", DataTable)
        assert size_before_idle == fixed.virtual_size == plain.virtual_size
        assert fixed.get_row_at(3)[1].plain == "[b]pas du balisage[/]"


# --- keys footer ------------------------------------------------------------------------


class KeysScreen(Screen[None]):
    BINDINGS = [
        Binding("a", "noop", "Arrivée", id="t_a"),
        Binding("b", "noop", "Caché", id="t_b", show=False),
        Binding("c", "blocked", "Bloquée", id="t_c"),
    ]

    def compose(self) -> ComposeResult:
        yield Label("écran")
        yield KeysFooter()

    def action_noop(self) -> None:
        self.app.pressed = True  # type: ignore[attr-defined]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if action == "blocked" else True


class KeysApp(App[None]):
    CSS_PATH = [str(style_file("base.tcss"))]  # the footer's style (styles/base.tcss)
    BINDINGS = [
        Binding("f3", "tasks", "Tâches", id="t_f3"),
        Binding("f1", "help", "Aide", id="t_f1"),
    ]
    pressed = False

    def on_mount(self) -> None:
        self.push_screen(KeysScreen())

    def action_tasks(self) -> None:
        pass

    def action_help(self) -> None:
        pass


def footer_text(app: App[Any]) -> str:
    footer = app.screen.query_one(KeysFooter)
    return "\n".join(footer.render_line(y).text for y in range(footer.size.height))


async def test_keys_footer_lists_shown_keys_dims_disabled_and_redraws_on_change() -> None:
    app = KeysApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = footer_text(app)
        assert "a Arrivée" in text and "c Bloquée" in text
        assert text.rstrip().endswith("f1 Aide")  # the screen's keys, then F1
        assert "Caché" not in text and "Tâches" not in text  # the app's keys are in F1
        footer = app.screen.query_one(KeysFooter)
        assert footer.size.height == 1  # 3 keys fit one line at 80 columns
        cells = footer._cells
        footer._bindings_changed(app.screen)  # nothing changed: the same cells, no rebuild
        assert footer._cells is cells
        disabled = [cell for cell in cells if not cell[3]]
        assert [cell[2] for cell in disabled] == ["Bloquée"]
        await pilot.click(KeysFooter, offset=(1, 0))  # a click on "a Arrivée" presses a
        await pilot.pause()
        assert app.pressed


async def test_footer_of_every_main_screen_fits_two_lines_at_80_columns(
    workspace: Workspace,
) -> None:
    """The footer took five of the 24 lines (every global key on every screen): now the
    screen's keys, then F1, on two lines at most; the global keys are in F1."""
    workspace.close()  # configured: the app opens it and stays on the permanence
    app = CitesLabApp(str(workspace.data_dir))
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = footer_text(app)
        for shown in ("a Arrivée", "e Entretien", "c Clôturer", "F1 Aide"):
            assert shown in text
        for key in ("f3", "f4", "f5", "ctrl+n", "f2"):
            await pilot.press(key)
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            footer = app.screen.query_one(KeysFooter)
            text = footer_text(app)
            assert footer.size.height <= 2, (key, text)
            assert text.rstrip().endswith("F1 Aide"), (key, text)
            assert "^Q Quitter" not in text and "^P Commandes" not in text, key
            if key == "ctrl+n":
                await pilot.press("escape")
                await pilot.pause()


# --- suggestions in a worker ------------------------------------------------------------


class TasksHarness(CitesLabApp):
    START_SCREEN = "tasks"

    def __init__(self, ws: Workspace) -> None:
        super().__init__(str(ws.data_dir), now=lambda: datetime.combine(TODAY, time(10, 0)))
        self.workspace = ws

    def open_workspace(self) -> None:  # type: ignore[override]
        """The workspace is already open."""


async def test_suggestions_view_computes_in_a_worker(workspace: Workspace) -> None:
    pid = person(workspace).id
    workspace.repo.save(
        Orientation(person_id=pid, partner="Mission locale", on=TODAY - timedelta(days=30))
    )
    app = TasksHarness(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TasksScreen)
        table = screen.query_one(DataTable)
        screen.show_view("suggestions")  # nothing computed yet: a worker is started
        assert table.row_count == 0
        assert str(screen.query_one("#tasks-empty", Label).content) == COMPUTING
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert table.row_count == 1
        assert screen.current_suggestion() is not None
        assert screen.current_suggestion().person_id == pid  # type: ignore[union-attr]
        assert not screen.query_one("#tasks-empty", Label).display


# --- command line: the app without building every subcommand ---------------------------


def test_cli_fast_path_only_for_the_app() -> None:
    assert cli._app_only([]) is not None
    assert cli._app_only(["--data-dir", "/tmp/x"]).data_dir == "/tmp/x"  # type: ignore[union-attr]
    for argv in (["check"], ["--data-dir", "/tmp/x", "check"], ["--help"], ["--data-dir"]):
        assert cli._app_only(argv) is None
