"""Collective actions: validated French input, counted by heads in "sensibilisées"."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from citeslab_tui.domain.bilan import Period
from citeslab_tui.domain.errors import ValidationError
from citeslab_tui.services import reports


def test_collective_action_counts_in_sensitized(workspace) -> None:
    action = reports.record_collective_action(
        workspace,
        kind="forum",
        on="15/03/2014",
        site="Colombelles",
        women="12",
        men=" 8 ",
        unknown="",
    )
    assert (action.women, action.men, action.unknown, action.heads) == (12, 8, 0, 20)
    year = Period(date(2013, 9, 1), date(2014, 8, 31))
    bilan = reports.bilan_for(workspace, year)
    assert bilan.indicators["sensitized"] == 20
    assert (bilan.sensitized_people, bilan.sensitized_heads, bilan.collective_actions) == (0, 20, 1)
    assert reports.bilan_for(workspace, year, "colombelles").indicators["sensitized"] == 20
    assert "0 personne(s) et 20 participant(s) à 1 action(s) collective(s)" in reports.render_text(
        bilan
    )


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"kind": "party"}, "Type d'action"),
        ({"on": "32/01/2014"}, "Date impossible"),
        ({"on": (date.today() + timedelta(days=2)).isoformat()}, "futur"),
        ({"women": "-3"}, "Femmes"),
        ({"men": "douze"}, "Hommes"),
        ({"women": "0", "men": "0", "unknown": "0"}, "au moins un participant"),
        ({"title": "x" * 300}, "trop long"),
    ],
)
def test_bad_collective_input_is_refused_in_french(workspace, fields, message) -> None:
    values = {"kind": "information_meeting", "on": "01/02/2014", "women": "1"} | fields
    with pytest.raises(ValidationError, match=message):
        reports.record_collective_action(workspace, **values)
    assert workspace.repo.count("collective") == 0
