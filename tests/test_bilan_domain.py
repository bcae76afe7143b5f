"""The bilan indicators on a hand-built dataset whose answer is known."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from citeslab_tui.domain.bilan import (
    Period,
    activity_year,
    bar,
    compute_bilan,
    month,
    preset,
    share,
)
from citeslab_tui.domain.errors import ValidationError
from citeslab_tui.domain.models import (
    Approach,
    Civility,
    CollectiveAction,
    CollectiveKind,
    Interview,
    Orientation,
    Outcome,
    OutcomeKind,
    Person,
    Record,
    Stage,
    StageEvent,
)
from citeslab_tui.reference import Reference

PLACES = Reference().places  # the shipped tables
A = "Caen – Chemin Vert"
B = "Colombelles"
YEAR = Period(date(2013, 9, 1), date(2014, 8, 31))


def doc(record: Record, deleted: bool = False) -> dict:
    return {"id": record.id, **record.content(), "meta": {"deleted": deleted}}


def dataset() -> dict[str, list[dict]]:
    p1 = Person(
        civility=Civility.MADAME,
        family_name="Diallo",
        first_name="Awa",
        approach=Approach.INDIVIDUAL,
        commune="Caen",
        qpv="Chemin Vert",
        first_site=A,
    )
    p2 = Person(
        civility=Civility.MONSIEUR,
        family_name="Martin",
        first_name="Hugo",
        approach=Approach.COLLECTIVE,
        commune="Hérouville-Saint-Clair",
        qpv="hors QPV",
        first_site=B,
    )
    p3 = Person(family_name="Koné", first_name="Issa")  # everything unknown
    p4 = Person(  # erased: identity gone, statistics kept
        civility=Civility.MADAME,
        approach=Approach.INDIVIDUAL,
        commune="Colombelles",
        qpv="Colombelles (nom du QPV inconnu)",
        first_site=B,
        erased_at=datetime(2020, 1, 1, tzinfo=UTC),
    )
    p5 = Person(family_name="Supprimé", first_name="Zoé", civility=Civility.MADAME)  # tombstone
    p6 = Person(family_name="Roux", first_name="Léa", civility=Civility.MADAME)
    stages = [
        StageEvent(person_id=p1.id, stage=Stage.SENSITIZED, on=date(2013, 9, 1), site=A),
        StageEvent(person_id=p1.id, stage=Stage.DETECTED, on=date(2013, 11, 1)),
        StageEvent(person_id=p1.id, stage=Stage.EMERGENCE, on=date(2014, 2, 1), site=B),
        StageEvent(person_id=p2.id, stage=Stage.SENSITIZED, on=date(2013, 8, 31), site=B),
        StageEvent(person_id=p6.id, stage=Stage.SENSITIZED, on=date(2014, 9, 1), site=A),
    ]
    interviews = [
        Interview(person_id=p1.id, on=date(2014, 1, 1), site=B),
        Interview(person_id=p1.id, on=date(2013, 10, 1), site=A),
        Interview(person_id=p2.id, on=date(2014, 3, 3)),
        Interview(person_id=p3.id, on=date(2014, 6, 1), site=A),
        Interview(person_id=p4.id, on=date(2014, 2, 2), site=B),
        Interview(person_id=p5.id, on=date(2014, 2, 2), site=B),
    ]
    dead_interview = Interview(person_id=p6.id, on=date(2014, 2, 2), site=A)
    outcomes = [
        Outcome(person_id=p1.id, outcome=OutcomeKind.CREATION, on=date(2014, 8, 31)),
        Outcome(person_id=p2.id, outcome=OutcomeKind.EMPLOYMENT, on=date(2014, 5, 1)),
        Outcome(person_id=p3.id, outcome=OutcomeKind.TRAINING, on=date(2014, 7, 1)),
        Outcome(person_id=p3.id, outcome=OutcomeKind.EMPLOYMENT, on=date(2014, 7, 15)),
        Outcome(person_id=p4.id, outcome=OutcomeKind.ABANDON, on=date(2014, 4, 4)),
        Outcome(person_id=p4.id, outcome=OutcomeKind.LOST_TOUCH, on=date(2014, 4, 5)),
    ]
    orientations = [Orientation(person_id=p2.id, partner="Adie", on=date(2014, 4, 1))]
    collectives = [
        CollectiveAction(on=date(2013, 12, 1), site=A, women=10, men=5, unknown=2),
        CollectiveAction(action_kind=CollectiveKind.FORUM, on=date(2014, 9, 1), women=50),
        CollectiveAction(
            action_kind=CollectiveKind.WORKSHOP, on=date(2014, 1, 15), site=B, women=3
        ),
    ]
    dead_collective = CollectiveAction(on=date(2014, 1, 1), women=100)
    return {
        "people": [doc(p) for p in (p1, p2, p3, p4, p6)] + [doc(p5, deleted=True)],
        "stages": [doc(s) for s in stages],
        "interviews": [doc(i) for i in interviews] + [doc(dead_interview, deleted=True)],
        "outcomes": [doc(o) for o in outcomes],
        "orientations": [doc(o) for o in orientations],
        "collectives": [doc(c) for c in collectives] + [doc(dead_collective, deleted=True)],
    }


def test_every_indicator_and_breakdown_all_sites() -> None:
    result = compute_bilan(YEAR, places=PLACES, **dataset()).to_json()
    assert result["period"] == {"from": "2013-09-01", "to": "2014-08-31"}
    assert result["site"] is None
    assert result["indicators"] == {
        "sensitized": 1 + 17 + 3,
        "received": 4,
        "detected": 1,
        "emergence": 1,
        "created": 1,
        "positive_exits": 2,
        "positive_exits_employment": 2,
        "positive_exits_training": 1,
        "abandoned": 1,
        "oriented": 1,
    }
    assert result["received_by_gender"] == {
        "F": 2,
        "M": 1,
        "unknown": 1,
        "share_F": 66.67,
        "share_M": 33.33,
    }
    assert result["received_by_approach"] == {
        "individual": 2,
        "collective": 1,
        "unknown": 1,
        "share_individual": 66.67,
        "share_collective": 33.33,
    }
    assert result["received_by_commune"] == {
        "Caen": 1,
        "Colombelles": 1,
        "Hérouville-Saint-Clair": 1,
        "unknown": 1,
    }
    assert result["received_by_neighbourhood"] == {
        "Chemin Vert": 1,
        "Colombelles (nom du QPV inconnu)": 1,
        "hors QPV": 1,
        "unknown": 1,
    }
    # P1's earliest interview of the period is at A; P2 falls back to its first site B
    assert result["received_by_site"] == {A: 2, B: 2, "unknown": 0}


def test_site_filter_uses_event_site_else_first_site() -> None:
    bilan = compute_bilan(YEAR, site="caen chemin vert", places=PLACES, **dataset())
    ind = bilan.indicators
    assert ind["sensitized"] == 1 + 17
    assert ind["received"] == 2  # P1 (interview at A), P3 (interview at A)
    assert ind["detected"] == 1  # no own site: P1's first site is A
    assert ind["emergence"] == 0  # held at B
    assert ind["created"] == 1  # outcomes have no site: P1's first site
    assert ind["positive_exits"] == ind["abandoned"] == ind["oriented"] == 0
    out = bilan.to_json()
    assert out["received_by_gender"] == {
        "F": 1,
        "M": 0,
        "unknown": 1,
        "share_F": 100.0,
        "share_M": 0.0,
    }
    assert out["received_by_approach"]["share_individual"] == 100.0
    assert out["received_by_approach"]["share_collective"] == 0.0

    b = compute_bilan(YEAR, site=B, places=PLACES, **dataset())
    assert b.indicators["received"] == 3
    assert b.to_json()["received_by_site"] == {B: 3, "unknown": 0}
    assert b.indicators["sensitized"] == 3  # P2 sensitized before the period; workshop 3


def test_zero_base_shares_are_null() -> None:
    empty = compute_bilan(
        Period(date(2000, 1, 1), date(2000, 12, 31)), places=PLACES, **dataset()
    ).to_json()
    assert set(empty["indicators"].values()) == {0}
    assert empty["received_by_gender"]["share_F"] is None
    assert empty["received_by_gender"]["share_M"] is None
    assert empty["received_by_approach"]["share_individual"] is None
    # only unknown genders received: unknowns shown, shares null
    only_unknown = compute_bilan(
        Period(date(2014, 6, 1), date(2014, 6, 1)), places=PLACES, **dataset()
    ).to_json()
    assert only_unknown["received_by_gender"] == {
        "F": 0,
        "M": 0,
        "unknown": 1,
        "share_F": None,
        "share_M": None,
    }


def test_shares_round_to_two_decimals() -> None:
    assert share(15, 16) == 93.75
    assert share(56, 100) == 56.0
    assert share(1, 3) == 33.33
    assert share(2, 3) == 66.67
    assert share(0, 0) is None


def test_period_rules_and_presets() -> None:
    with pytest.raises(ValidationError, match="précède"):
        Period(date(2014, 9, 1), date(2014, 8, 31))
    assert activity_year(date(2026, 11, 26)) == Period(date(2026, 9, 1), date(2027, 8, 31))
    assert activity_year(date(2026, 8, 31)) == Period(date(2025, 9, 1), date(2026, 8, 31))
    assert activity_year(date(2026, 9, 1), -1) == Period(date(2025, 9, 1), date(2026, 8, 31))
    assert month(date(2024, 3, 15), -1) == Period(date(2024, 2, 1), date(2024, 2, 29))
    assert month(date(2024, 1, 15), -1) == Period(date(2023, 12, 1), date(2023, 12, 31))
    assert preset("month", date(2026, 12, 5)) == Period(date(2026, 12, 1), date(2026, 12, 31))
    assert preset("previous_year", date(2026, 11, 26)).start == date(2025, 9, 1)


def test_bar_is_proportional() -> None:
    assert bar(10, 10, 8) == "█" * 8
    assert bar(5, 10, 8) == "█" * 4
    assert bar(0, 10, 8) == ""
    assert bar(1, 1000, 8) == "▏"  # tiny but visible


def test_domain_imports_no_ui_or_store() -> None:
    import subprocess
    import sys

    code = (
        "import sys, citeslab_tui.domain.bilan, citeslab_tui.domain.register; "
        "print(any(m.split('.')[0] in ('textual', 'tinydb', 'openpyxl') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
