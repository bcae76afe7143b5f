"""The information notice (GDPR) read or given at intake."""

from __future__ import annotations

from pathlib import Path

from citeslab_tui.domain.errors import CitesLabError
from citeslab_tui.resources import data_file
from citeslab_tui.services.privacy.retention import format_period
from citeslab_tui.services.workspace import Workspace
from citeslab_tui.store.files import write_private

NOTICE_FILE = "notice_information.md"


def notice_path(ws: Workspace) -> Path:
    return ws.data_dir / NOTICE_FILE


def notice_text(ws: Workspace) -> str:
    """The information notice shown at intake, with {structure} and {retention} filled.

    The structure edits `<data>/notice_information.md`, copied from the shipped
    template on first use.
    """
    path = notice_path(ws)
    template = data_file("notice_template.md")
    try:
        if not path.exists():
            write_private(path, template.read_bytes())
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise CitesLabError(
            f"La notice d'information {path} est illisible : corrigez-la (texte UTF-8) "
            "ou supprimez-la pour retrouver le modèle."
        ) from None
    structure = ws.settings.structure or "la structure porteuse"
    period = format_period(ws.settings.retention_months)
    return raw.replace("{structure}", structure).replace("{retention}", period)
