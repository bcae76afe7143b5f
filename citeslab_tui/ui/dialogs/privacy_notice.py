"""The information notice (GDPR) to read or hand over at intake.

`NoticeDialog()` shows `services.privacy.notice_text(ws)`: the structure's own
file in the data folder (`notice_information.md`), copied from the shipped
template on first use. Read-only here; the structure edits the file.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Footer, Label, TextArea

from citeslab_tui.domain.errors import CitesLabError
from citeslab_tui.ui.base import AppDialog


def reflow(text: str, min_line: int = 60) -> str:
    """Join the hard-wrapped lines of the notice file, so the dialog wraps them to its own
    width instead of cutting each ~80-column line again. A line is joined to the one
    before when that one is long and does not end a sentence; list items ("- ") and
    short lines (titles) keep their own line."""
    out: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        previous = out[-1] if out else ""
        if (
            stripped
            and not stripped.startswith("- ")
            and len(previous) >= min_line
            and not previous.rstrip().endswith((".", ";", ":", "?", "!"))
        ):
            out[-1] = f"{previous.rstrip()} {stripped}"
        else:
            out.append(line.rstrip())
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")


class NoticeDialog(AppDialog[None]):
    HELP_TITLE = "Notice d'information"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Fermer", id="privacy_notice_close"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(
                "Notice d'information sur les données personnelles",
                classes="privacy-title",
                markup=False,
            )
            yield TextArea("", read_only=True, soft_wrap=True, id="notice-text")
            yield Label("", id="notice-status", classes="privacy-status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        from citeslab_tui.services import privacy

        ws = self.ws
        try:
            content = privacy.notice_text(ws)
        except CitesLabError as exc:
            self.query_one("#notice-status", Label).update(exc.message)
            return
        area = self.query_one("#notice-text", TextArea)
        area.load_text(reflow(content))
        area.focus()
        self.query_one("#notice-status", Label).update(
            f"Texte modifiable par la structure : {privacy.notice_path(ws)}"
        )

    def action_close(self) -> None:
        self.dismiss(None)
