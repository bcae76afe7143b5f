"""The roll-up of several structures: bilan JSON forms of the same period added up into
one bilan (`citeslab report merge`). Pure: takes the parsed JSON objects.

Each file must be a bilan of SCHEMA_VERSION and of the same period as the others;
indicators and breakdown counts are added up, shares computed again from the sums;
the data-quality counts are added up (reference tables are shared: their counts are
the largest one). These files carry no personal data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from citeslab_tui.domain.bilan.labels import BREAKDOWN_KEYS, INDICATOR_KEYS
from citeslab_tui.domain.bilan.periods import Period
from citeslab_tui.domain.bilan.result import SCHEMA_VERSION, Bilan
from citeslab_tui.domain.errors import ValidationError
from citeslab_tui.domain.text import format_date

QUALITY_COUNTS = (
    "received_unknown_gender",
    "received_unknown_commune",
    "received_unknown_neighbourhood",
)
QUALITY_NAMES = (
    "unrecognised_communes",
    "unrecognised_neighbourhoods",
    "unconfirmed_neighbourhoods",
    "unconfirmed_partners",
    "unlisted_partners",
)


def _count(value: Any, name: str, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError(f"{name} : « {where} » n'est pas un nombre entier positif.")
    return value


def _period(document: Mapping[str, Any], name: str) -> Period:
    try:
        raw = document["period"]
        return Period(date.fromisoformat(raw["from"]), date.fromisoformat(raw["to"]))
    except (KeyError, TypeError, ValueError):
        raise ValidationError(f"{name} : période absente ou illisible.") from None


def _add(into: dict[str, int], values: Any, name: str, where: str) -> None:
    if not isinstance(values, Mapping):
        raise ValidationError(f"{name} : « {where} » illisible.")
    for key, value in values.items():
        if str(key).startswith("share_"):
            continue  # shares are computed again from the sums
        into[str(key)] = into.get(str(key), 0) + _count(value, name, f"{where}.{key}")


def merge_bilans(documents: Sequence[tuple[str, Mapping[str, Any]]]) -> Bilan:
    """One bilan adding up `documents` ((file name, parsed bilan JSON)); a French
    ValidationError naming the file when one is not a bilan, of another schema
    version or another period."""
    if len(documents) < 2:
        raise ValidationError("Indiquez au moins deux bilans JSON à additionner.")
    period: Period | None = None
    first_name = ""
    indicators = dict.fromkeys(INDICATOR_KEYS, 0)
    breakdowns: dict[str, dict[str, int]] = {key: {} for key in BREAKDOWN_KEYS}
    quality: dict[str, Any] = {key: 0 for key in QUALITY_COUNTS}
    quality.update({key: {} for key in QUALITY_NAMES})
    quality.update(
        qpv_maps=[],
        before_first_map=False,
        first_map_rule="",
        reference_unconfirmed={"qpv": 0, "partners": 0},
    )
    structures: list[str] = []
    sites: set[str | None] = set()
    for name, document in documents:
        if not isinstance(document, Mapping) or "indicators" not in document:
            raise ValidationError(f"{name} : ce n'est pas un bilan JSON de CitésLab.")
        version = document.get("schema_version")
        if version != SCHEMA_VERSION:
            raise ValidationError(
                f"{name} : version de format {version if version is not None else 'absente'}, "
                f"{SCHEMA_VERSION} attendue (refaites ce bilan avec la même version de "
                "CitésLab que les autres)."
            )
        this = _period(document, name)
        if period is None:
            period, first_name = this, name
        elif this != period:
            raise ValidationError(
                f"{name} : période du {format_date(this.start)} au {format_date(this.end)}, "
                f"différente de celle de {first_name} ({period.label}) : "
                "seuls des bilans de la même période s'additionnent."
            )
        values = document["indicators"]
        if not isinstance(values, Mapping):
            raise ValidationError(f"{name} : indicateurs illisibles.")
        for key in INDICATOR_KEYS:
            indicators[key] += _count(values.get(key, 0), name, f"indicators.{key}")
        for key in BREAKDOWN_KEYS:
            _add(breakdowns[key], document.get(key, {}), name, key)
        _merge_quality(quality, document.get("data_quality") or {}, name)
        structure = str(document.get("structure") or "").strip() or f"(sans nom : {name})"
        if structure in structures:
            other = documents[structures.index(structure)][0]
            raise ValidationError(
                f"{name} : la structure « {structure[:80]} » figure déjà ({other}) : "
                "chaque structure ne s'additionne qu'une fois."
            )
        structures.append(structure)
        site = document.get("site")
        sites.add(site if isinstance(site, str) and site else None)
    assert period is not None
    bilan = Bilan(
        period=period,
        site=sites.pop() if len(sites) == 1 else None,
        indicators=indicators,
        breakdowns={key: _unknown_last(values) for key, values in breakdowns.items()},
        quality=quality,
        structure=", ".join(structures),
    )
    bilan.extra["structures"] = structures
    return bilan


def _unknown_last(values: dict[str, int]) -> dict[str, int]:
    """Largest counts first (names), "unknown" last, as a bilan lists them."""
    fixed = ("F", "M", "individual", "collective")
    head = {k: values[k] for k in fixed if k in values}
    rest = sorted(
        ((k, v) for k, v in values.items() if k not in fixed and k != "unknown"),
        key=lambda item: (-item[1], item[0]),
    )
    out = {**head, **dict(rest)}
    if "unknown" in values:
        out["unknown"] = values["unknown"]
    return out


def _merge_quality(quality: dict[str, Any], found: Any, name: str) -> None:
    if not isinstance(found, Mapping):
        return
    for key in QUALITY_COUNTS:
        quality[key] += _count(found.get(key, 0), name, f"data_quality.{key}")
    for key in QUALITY_NAMES:
        _add(quality[key], found.get(key, {}), name, f"data_quality.{key}")
    for qpv_map in found.get("qpv_maps") or []:
        if isinstance(qpv_map, str) and qpv_map not in quality["qpv_maps"]:
            quality["qpv_maps"].append(qpv_map)
    if found.get("before_first_map") is True:
        quality["before_first_map"] = True
        quality["first_map_rule"] = quality["first_map_rule"] or str(
            found.get("first_map_rule") or ""
        )
    reference = found.get("reference_unconfirmed") or {}
    if isinstance(reference, Mapping):
        merged = quality["reference_unconfirmed"]
        for key in ("qpv", "partners"):
            count = _count(reference.get(key, 0), name, f"data_quality.reference.{key}")
            merged[key] = max(merged.get(key, 0), count)
