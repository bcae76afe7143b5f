"""Anonymisation does not change any bilan figure (services/reports.py)."""

from __future__ import annotations

from datetime import date

from test_privacy_support import stats

from citeslab_tui.demo import generate
from citeslab_tui.domain.bilan import activity_year
from citeslab_tui.services import privacy, reports
from citeslab_tui.services.workspace import Workspace

TODAY = date(2026, 11, 26)
LATER = date(2029, 6, 1)  # the demo plans tasks up to ~2 months after TODAY


def figures(ws: Workspace) -> list:
    result = []
    for offset in range(-10, 2):
        bilan = reports.bilan_for(ws, activity_year(TODAY, offset))
        result.append((bilan.indicators, bilan.breakdowns, bilan.sensitized_people))
    return result


def test_bilans_identical_after_anonymisation(workspace: Workspace) -> None:
    generate(workspace, 150, seed=3, today=TODAY)
    before, before_stats = figures(workspace), stats(workspace)
    due = privacy.retention_due(workspace, LATER, months=24)
    assert len(due) > 50
    result = privacy.apply_retention(workspace, LATER, months=24)
    assert result.people == len(due)
    assert figures(workspace) == before
    assert stats(workspace) == before_stats
    erased = [d for d in workspace.repo.docs("person") if d.get("erased_at")]
    assert len(erased) == len(due)
    assert all(d["family_name"] == "" and d["phone"] is None for d in erased)
