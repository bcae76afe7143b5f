"""The bilan reads places through the reference: QPV maps by date, statuses, aliases.

Each test here failed on the code before issue #11: the bilan counted `Person.qpv` as
typed ("caen" printed as a neighbourhood), ignored the 2024 map and the `statut`
column, split "HEROUVILLE ST CLAIR" from "Hérouville-Saint-Clair", and had no partner
breakdown nor data quality part.
"""

from __future__ import annotations

from datetime import date

from citeslab_tui.domain.bilan import Period, compute_bilan, quality_lines
from citeslab_tui.domain.models import (
    Civility,
    Interview,
    Orientation,
    Person,
    Record,
    Stage,
    StageEvent,
)
from citeslab_tui.reference import Reference

PLACES = Reference().places
BEFORE = Period(date(2022, 9, 1), date(2023, 8, 31))  # the 2015 map
AFTER = Period(date(2024, 9, 1), date(2025, 8, 31))  # the 2024 map
HEROUVILLE_QPV = (
    "Hérouville (Grand Parc / Belles Portes / Val / Le Bois / Haute Folie / Grande Delle)"
)
COLOMBELLES_QPV = "Colombelles (nom du QPV inconnu)"


def doc(record: Record) -> dict:
    return {"id": record.id, **record.content(), "meta": {"deleted": False}}


def bilan(period: Period, people: list[Person], *extra: Record, on: list[date] | None = None):
    interviews = [
        Interview(person_id=p.id, on=day, site="Caen – Chemin Vert")
        for p in people
        for day in (on or [date(2023, 3, 1), date(2025, 3, 1)])
    ]
    docs: dict[str, list[dict]] = {"stages": [], "orientations": [], "outcomes": []}
    for record in extra:
        key = {"stage": "stages", "orientation": "orientations", "outcome": "outcomes"}
        docs[key[record.kind]].append(doc(record))
    return compute_bilan(
        period,
        people=[doc(p) for p in people],
        interviews=[doc(i) for i in interviews],
        places=PLACES,
        **docs,
    )


def person(qpv: str, commune: str = "Caen", insee: str | None = None) -> Person:
    return Person(
        family_name="X",
        first_name="Y",
        civility=Civility.MADAME,
        commune=commune,
        commune_insee=insee,
        qpv=qpv,
    )


def test_bilans_before_and_after_2024_differ_exactly_as_the_maps_say() -> None:
    # the same people, received in 2022-23 and again in 2024-25; stored values of
    # every generation: new keys, old names, aliases, a town with one QPV
    people = [
        person("chemin-vert"),
        person("Pierre Heuzé"),
        person("la guériniere"),
        person("grace-de-dieu"),
        person("calvaire-saint-pierre"),
        person("herouville", "Hérouville-Saint-Clair", "14327"),
        person(COLOMBELLES_QPV, "Colombelles", "14167"),
        person("colombelles", "Colombelles", "14167"),  # town name = its single QPV
        person("hors QPV"),
        person(""),
    ]
    before = bilan(BEFORE, people).to_json()["received_by_neighbourhood"]
    after = bilan(AFTER, people).to_json()["received_by_neighbourhood"]
    assert before == {
        COLOMBELLES_QPV: 2,
        "Calvaire Saint-Pierre": 1,
        "Chemin Vert": 1,
        "Grâce de Dieu": 1,
        "Guérinière": 1,
        "hors QPV": 1,
        HEROUVILLE_QPV: 1,
        "Pierre Heuzé": 1,
        "unknown": 1,
    }
    assert after == {
        "hors QPV": 3,  # Colombelles left the priority geography on 1 January 2024
        "Calvaire Saint-Pierre": 1,
        "Chemin Vert": 1,
        "Grâce de Dieu": 1,
        "Guérinière": 1,
        f"{HEROUVILLE_QPV} (à confirmer)": 1,  # its place on the 2024 map is to confirm
        "Pierre Heuzé": 1,
        "unknown": 1,
    }
    assert COLOMBELLES_QPV not in after
    changed = {k for k in before.keys() ^ after.keys()}
    assert changed == {COLOMBELLES_QPV, HEROUVILLE_QPV, f"{HEROUVILLE_QPV} (à confirmer)"}


def test_a_period_across_1_january_2024_uses_the_date_of_each_first_interview() -> None:
    year = Period(date(2023, 9, 1), date(2024, 8, 31))
    early, late = person("colombelles"), person("colombelles")
    result = compute_bilan(
        year,
        people=[doc(early), doc(late)],
        interviews=[
            doc(Interview(person_id=early.id, on=date(2023, 12, 31))),
            doc(Interview(person_id=early.id, on=date(2024, 2, 1))),
            doc(Interview(person_id=late.id, on=date(2024, 1, 1))),
        ],
        places=PLACES,
    )
    assert result.to_json()["received_by_neighbourhood"] == {
        COLOMBELLES_QPV: 1,
        "hors QPV": 1,
        "unknown": 0,
    }
    assert result.quality["qpv_maps"] == ["2015", "2024"]


def test_free_text_typed_as_a_neighbourhood_is_never_printed_as_one() -> None:
    result = bilan(AFTER, [person("caen"), person("Chemin Vert")])
    out = result.to_json()
    assert out["received_by_neighbourhood"] == {"Chemin Vert": 1, "unknown": 1}
    assert out["data_quality"]["unrecognised_neighbourhoods"] == {"caen": 1}
    assert out["data_quality"]["received_unknown_neighbourhood"] == 1
    assert any(
        "Quartiers saisis hors de la liste" in line and "caen (1)" in line
        for line in quality_lines(result)
    )


def test_unconfirmed_rows_are_shown_as_such_and_counted_in_the_quality_part() -> None:
    result = bilan(AFTER, [person("herouville", "Hérouville-Saint-Clair", "14327")])
    quality = result.to_json()["data_quality"]
    assert quality["unconfirmed_neighbourhoods"] == {f"{HEROUVILLE_QPV} (à confirmer)": 1}
    assert quality["reference_unconfirmed"]["qpv"] == 1
    lines = quality_lines(result)
    assert any("à confirmer" in line and "carte QPV en vigueur" in line for line in lines)
    # on the 2015 map the same row is verified: nothing to confirm
    assert bilan(BEFORE, [person("herouville")]).quality["unconfirmed_neighbourhoods"] == {}


def test_communes_written_any_way_count_as_one_reference_commune() -> None:
    people = [
        person("", "HEROUVILLE ST CLAIR"),
        person("", "Hérouville-Saint-Clair", "14327"),
        person("", "herouville saint-clair"),
        person("", "Lasson"),  # a former commune, merged into Rots
        person("", "Rennes", "autre"),  # outside the Calvados, chosen as such
        person("", "Caen 2"),  # matches nothing
    ]
    out = bilan(AFTER, people).to_json()
    assert out["received_by_commune"] == {
        "Hérouville-Saint-Clair": 3,
        "Autre commune (hors Calvados)": 1,
        "Rots": 1,
        "unknown": 1,
    }
    assert out["data_quality"]["unrecognised_communes"] == {"Caen 2": 1}


def test_partners_count_under_their_current_name() -> None:
    a, b, c, d = (person("") for _ in range(4))
    orientations = [
        Orientation(person_id=a.id, partner="Pôle emploi", on=date(2025, 1, 5)),
        Orientation(person_id=b.id, partner="France Travail (ex-Pôle emploi)", on=date(2025, 1, 5)),
        Orientation(person_id=c.id, partner="CMA du Calvados", on=date(2025, 1, 5)),
        Orientation(person_id=d.id, partner="Garage Dupont", on=date(2025, 1, 5)),
        Orientation(person_id=d.id, partner="garage dupont", on=date(2025, 2, 5)),
    ]
    result = bilan(AFTER, [a, b, c, d], *orientations)
    out = result.to_json()
    assert out["oriented_by_partner"] == {
        "France Travail": 2,
        "CMA Normandie — « Ici je monte ma boîte »": 1,
        "Garage Dupont": 1,
        "unknown": 0,
    }
    assert out["data_quality"]["unlisted_partners"] == {"Garage Dupont": 1}


def test_a_funnel_figure_above_the_one_before_it_says_why() -> None:
    a, b = person(""), person("")
    stages = [
        StageEvent(person_id=a.id, stage=Stage.SENSITIZED, on=date(2024, 6, 1)),  # before
        StageEvent(person_id=a.id, stage=Stage.DETECTED, on=date(2024, 10, 1)),
        StageEvent(person_id=b.id, stage=Stage.DETECTED, on=date(2024, 10, 1)),
    ]
    result = bilan(AFTER, [a, b], *stages)
    assert result.indicators["detected"] == 2 and result.indicators["sensitized"] == 0
    (line,) = [x for x in quality_lines(result) if x.startswith("Projets détectés (2)")]
    assert "sensibilisées avant le début de la période" in line


def test_a_period_before_2015_says_how_it_is_counted() -> None:
    old = Period(date(2013, 9, 1), date(2014, 8, 31))
    result = bilan(old, [person("colombelles")], on=[date(2014, 1, 6)])
    assert result.to_json()["received_by_neighbourhood"] == {COLOMBELLES_QPV: 1, "unknown": 0}
    assert any("carte 2015" in line and "ZUS" in line for line in quality_lines(result))
    assert not any("ZUS" in line for line in quality_lines(bilan(AFTER, [person("")])))
