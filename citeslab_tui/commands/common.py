"""What several subcommands share."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from citeslab_tui.domain.errors import CitesLabError
from citeslab_tui.store.paths import resolve_data_dir

if TYPE_CHECKING:
    from citeslab_tui.services.workspace import Workspace


def open_configured(args: argparse.Namespace) -> Workspace:
    """The data folder of `--data-dir`, opened; refused if `citeslab init` never ran."""
    from citeslab_tui.services.workspace import Workspace

    ws = Workspace.open(resolve_data_dir(args.data_dir), create=False)
    if not ws.settings.configured:
        ws.close()
        raise CitesLabError("Ce poste n'est pas préparé : lancez d'abord « citeslab init ».")
    return ws
