"""A computed bilan: its figures, shares, JSON form, the funnel and its bars."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from citeslab_tui.domain.bilan.labels import BREAKDOWN_KEYS, INDICATOR_KEYS, SHARE_KEYS
from citeslab_tui.domain.bilan.periods import Period
from citeslab_tui.domain.bilan.quality import quality_lines
from citeslab_tui.domain.text import format_int, format_percent

# The version of the bilan's JSON form: `report merge` adds up files of one version only
SCHEMA_VERSION = 1


def share(part: int, base: int) -> float | None:
    """Percentage rounded to two decimals; None when the base is zero."""
    if base <= 0:
        return None
    return round(part * 100.0 / base, 2)


@dataclass
class Bilan:
    period: Period
    site: str | None
    indicators: dict[str, int]
    breakdowns: dict[str, dict[str, int]]
    # detail of "sensitized": people with an event, heads at collective actions
    sensitized_people: int = 0
    sensitized_heads: int = 0
    collective_actions: int = 0
    quality: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    # the structure's name (settings), shown on every report; not a figure: two bilans of
    # the same records compare equal whichever laptop computed them
    structure: str = field(default="", compare=False)
    # the same dates one year earlier (`report --compare`), None when not asked
    previous: Bilan | None = None

    @property
    def empty(self) -> bool:
        """Nothing recorded in the period: every indicator and every count is zero."""
        return not any(self.indicators.values()) and not any(
            count for values in self.breakdowns.values() for count in values.values()
        )

    def shares(self, key: str) -> dict[str, float | None]:
        """{value: share} for the breakdowns that have shares (gender, approach)."""
        values = self.breakdowns[key]
        known = SHARE_KEYS.get(key, ())
        base = sum(values.get(k, 0) for k in known)
        return {k: share(values.get(k, 0), base) for k in known}

    def to_json(self) -> dict[str, Any]:
        """The machine-readable form of the spec (keys, nulls, rounding)."""
        out: dict[str, Any] = {
            "period": {"from": self.period.start.isoformat(), "to": self.period.end.isoformat()},
            "site": self.site,
            "indicators": {k: self.indicators[k] for k in INDICATOR_KEYS},
        }
        for key in BREAKDOWN_KEYS:
            values: dict[str, float | None] = dict(self.breakdowns[key])
            for name, value in self.shares(key).items():
                values[f"share_{name}"] = value
            out[key] = values
        out["data_quality"] = {**self.quality, "lines": quality_lines(self)}
        out["structure"] = self.structure
        if "structures" in self.extra:  # a roll-up (report merge): the structures added up
            out["structures"] = list(self.extra["structures"])
        out["schema_version"] = SCHEMA_VERSION
        if self.previous is not None:
            prev = self.previous
            out["previous"] = {
                "period": {
                    "from": prev.period.start.isoformat(),
                    "to": prev.period.end.isoformat(),
                },
                "indicators": {k: prev.indicators[k] for k in INDICATOR_KEYS},
            }
        return out

    def change(self, key: str) -> tuple[int, float | None] | None:
        """(difference, change in percent or None when the previous value is 0) of one
        indicator against `previous`; None without a previous period."""
        if self.previous is None:
            return None
        before, now = self.previous.indicators[key], self.indicators[key]
        return now - before, share(now - before, before)


def structure_caption(bilan: Bilan) -> tuple[str, str]:
    """("Structure", name), or for a roll-up ("Structures additionnées (3)", names)."""
    structures = bilan.extra.get("structures")
    if structures:
        return f"Structures additionnées ({len(structures)})", ", ".join(structures)
    return "Structure", bilan.structure or "non renseignée"


def change_label(bilan: Bilan, key: str) -> str:
    """An indicator's change against one year earlier in French: "+12 (+8,57 %)",
    "−3 (−20,00 %)", "0"; "" without a previous period."""
    change = bilan.change(key)
    if change is None:
        return ""
    difference, percent = change
    sign = "+" if difference > 0 else ("−" if difference < 0 else "")
    out = f"{sign}{format_int(abs(difference))}"
    if percent is not None and difference:
        out += f" ({sign}{format_percent(abs(percent))})"
    return out


# The funnel of the report files (XLSX chart, PDF bars): (indicator key, French label)
REPORT_FUNNEL = (
    ("sensitized", "Sensibilisés"),
    ("received", "Reçus"),
    ("detected", "Détectés"),
    ("emergence", "Émergence"),
    ("created", "Créations"),
)


def report_funnel(bilan: Bilan) -> list[tuple[str, int]]:
    """sensibilisés → reçus → détectés → Émergence → créations, as (label, count)."""
    return [(label, bilan.indicators[key]) for key, label in REPORT_FUNNEL]


def funnel(bilan: Bilan) -> list[tuple[str, int]]:
    """The F4 screen's funnel: the report files' steps, then positive exits."""
    return [*report_funnel(bilan), ("Sorties positives", bilan.indicators["positive_exits"])]


def bar(value: int, maximum: int, width: int) -> str:
    """A bar of full blocks (and one eighth-block) proportional to value/maximum."""
    if maximum <= 0 or value <= 0 or width <= 0:
        return ""
    eighths = round(value * width * 8 / maximum)
    full, part = divmod(max(eighths, 1), 8)
    return "█" * full + ("" if part == 0 else " ▏▎▍▌▋▊▉"[part])
