"""The bases of every screen and dialog of the app.

`AppScreen` (full screens) and `AppDialog` (modal dialogs) give:

- `app`, typed as `CitesLabApp` (for type checkers; at run time it is Textual's own);
- `ws`: the open `Workspace` (`has_data` says whether it is open yet);
- `today` and `now()`: the app's clock, the one way to read the date (tests freeze it);
- `run_service(call, ...)`: the one way to run a service call from the UI thread: a
  refusal (`CitesLabError`: bad input, a store error...) shows its French message,
  any other error is logged without personal data (`logs.log_unexpected`) and shown
  as a French "unexpected error", never a traceback; after the call the app publishes
  "records changed" if anything was saved. Worker threads use `failure_message(exc)`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, ClassVar, Protocol, TypeVar

from textual import events
from textual.screen import ModalScreen, Screen, ScreenResultType
from textual.widgets import Input

from citeslab_tui.domain.errors import CitesLabError
from citeslab_tui.resources import style_file

if TYPE_CHECKING:
    from textual import getters

    from citeslab_tui.services.workspace import Workspace
    from citeslab_tui.ui.app import CitesLabApp

T = TypeVar("T")

UNEXPECTED_TITLE = "Erreur inattendue"
UNEXPECTED = (
    "L'action n'a pas abouti ; ce qui était enregistré est conservé. "
    "Le détail technique est dans le journal (dossier logs)."
)


class NoWorkspace(RuntimeError):
    """A screen used the data before the workspace was open (a programming error)."""


def failure_message(exc: Exception) -> str:
    """The French message for a failed service call. A refusal carries its own; any
    other error is logged first (type and place only, never personal data)."""
    if isinstance(exc, CitesLabError):
        return exc.message
    from citeslab_tui.logs import log_unexpected

    log_unexpected(exc)
    return UNEXPECTED


class _HasApp(Protocol):
    @property
    def app(self) -> CitesLabApp: ...


class AppContext:
    """What every screen and dialog reads from the app (mixed into the two bases)."""

    @property
    def has_data(self: _HasApp) -> bool:
        """True once the workspace (the data folder) is open."""
        return self.app.workspace is not None

    @property
    def ws(self: _HasApp) -> Workspace:
        ws = self.app.workspace
        if ws is None:
            raise NoWorkspace("the data folder is not open yet")
        return ws

    @property
    def today(self: _HasApp) -> date:
        return self.app.today()

    def now(self: _HasApp) -> datetime:
        """Now, local time zone (the app's clock)."""
        return self.app.now()

    def run_service(
        self: _HasApp,
        call: Callable[[], T],
        *,
        success: str | None = None,
        title: str = "Action impossible",
        refused: Callable[[CitesLabError], object] | None = None,
    ) -> T | None:
        """Run `call()`; its result, or None when it failed (the user was told why).

        A refusal goes to `refused(exc)` when given (an error line in a dialog, the
        fields of a form), else to a message dialog titled `title`. `success` is a
        short confirmation shown for a few seconds."""
        app = self.app
        try:
            result = call()
        except CitesLabError as exc:
            if refused is not None:
                refused(exc)
            else:
                app.show_message(title, exc.message)
            return None
        except Exception as exc:  # never a traceback on screen
            app.show_message(UNEXPECTED_TITLE, failure_message(exc))
            return None
        finally:
            app.publish_records_changed()
        if success:
            app.notify(success, timeout=3, markup=False)
        return result


def show_field_start(event: events.DescendantBlur) -> None:
    """A text field being left shows the start of its text (a long name, an idea of
    project, a QPV: the start is what tells it), not the end where the cursor was."""
    if isinstance(event.widget, Input):
        event.widget.cursor_position = 0


def edit_at_end(event: events.DescendantFocus) -> None:
    """A text field entered again: the cursor at the end, to go on typing (the fields
    that select their text on focus are left as they are)."""
    widget = event.widget
    if isinstance(widget, Input) and not widget.select_on_focus:
        widget.cursor_position = len(widget.value)


class AppScreen(AppContext, Screen[ScreenResultType]):
    """A full screen of the app."""

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        show_field_start(event)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        edit_at_end(event)

    # None: every global key works; else the names of the global actions allowed
    ALLOWED_GLOBAL_ACTIONS: ClassVar[frozenset[str] | None] = None

    if TYPE_CHECKING:
        app = getters.app(CitesLabApp)


class AppDialog(AppContext, ModalScreen[ScreenResultType]):
    """A modal dialog of the app (styled by styles/dialogs.tcss)."""

    CSS_PATH = [str(style_file("dialogs.tcss"))]

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        show_field_start(event)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        edit_at_end(event)

    if TYPE_CHECKING:
        app = getters.app(CitesLabApp)
