"""What the next send will carry, what was received from each device, and clocks."""

from __future__ import annotations

from datetime import datetime

from citeslab_tui.domain.hlc import SKEW_NOTICE_MS, clock_problem
from citeslab_tui.domain.text import format_date, format_duration
from citeslab_tui.services.sync.common import holes
from citeslab_tui.services.sync.export import changed_docs
from citeslab_tui.store.repository import Repository


def pending_changes(repo: Repository) -> dict[str, int]:
    """What the next export will carry, per kind."""
    counts: dict[str, int] = {}
    for kind, _doc in changed_docs(repo, int(repo.local_state("sync_exported", 0))):
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def received_summary(repo: Repository) -> list[str]:
    """Per device: what was received, the missing ranges and clocks that were off
    (French lines)."""
    ranges = repo.local_state("sync_ranges", {}) or {}
    clocks = repo.local_state("sync_clocks", {}) or {}
    out = []
    for device in sorted(ranges.keys() | clocks.keys()):
        spans = ranges.get(device, [])
        last = max((b for _a, b in spans), default=0)
        out.append(
            f"Poste {device} : changements reçus jusqu'au n° {last}."
            if spans
            else f"Poste {device} :"
        )
        for a, b in holes(spans):
            out.append(f"  Il manque un fichier du poste {device} : changements {a} à {b}.")
        seen = clocks.get(device) or {}
        offset = int(seen.get("offset_ms", 0) or 0)
        if abs(offset) > SKEW_NOTICE_MS:
            way = "en avance" if offset > 0 else "en retard"
            when = str(seen.get("at", ""))[:10]
            try:
                day = format_date(datetime.fromisoformat(when).date())
            except ValueError:
                day = "?"
            out.append(
                f"  Horloge de ce poste {way} d'environ {format_duration(offset)} lors du "
                f"dernier import (le {day}) : faites régler sa date."
            )
    return out


def own_clock_warning(repo: Repository, wall: float | None = None) -> str | None:
    """French warning when this computer's clock is wrong (app start, `sync status`)."""
    return clock_problem(repo.clock.last, wall)
