"""The bilan (activity report): indicators computed from dated events. Pure.

Input is plain stored documents (dicts with the domain field names, dates as
ISO strings or `date` objects), as `Repository.docs(kind, include_deleted=True)`
yields them; tombstoned documents (`meta.deleted`) are skipped here, as are the
events of a tombstoned person. Erased / anonymised people still count: their
gender, commune, neighbourhood, approach and events remain.

Every indicator counts distinct people whose event date lies in the period
[start, end], both days included (see ../../docs/bilan.md and the spec):

- sensitized: people with a `sensitized` stage event, plus the head counts
  (women + men + unknown) of every collective action (information meeting,
  forum, workshop) held in the period;
- received: people with at least one individual interview;
- detected / emergence: people with a `detected` / `emergence` stage event;
- created / positive_exits(_employment, _training) / abandoned: outcomes
  (a positive exit is an employment or a training outcome);
- oriented: people with an orientation to a partner.

The site of an event, for the optional site filter and the "by site"
breakdown, is the event's own `site` when it has one (interviews, stage events,
collective actions), else the person's `first_site` (orientations and outcomes
have no site of their own). Sites compare ignoring case and accents, a name of the
sites table's aliases counting under the table's name. A person
received is placed, in the "by site" breakdown, at the site of their earliest
interview of the period (among those matching the filter).

Breakdowns of the people received: gender (from the civility: F, M, unknown),
approach (individual, collective, unknown), commune, neighbourhood, site; and of the
people oriented: partner. Shares are percentages of the known values, rounded to two
decimals, `None` when no value is known; unknowns are shown, never counted in a share.

Places are read through `domain.places.Places` (the reference tables), never as typed:
- commune: the reference name of the person's commune; "Autre commune (hors
  Calvados)" for a residence outside the Calvados; unknown when blank or when the
  stored text matches no commune (listed in the data quality part);
- neighbourhood: the person's QPV under the map in force on the date of their
  earliest interview of the period (a neighbourhood that has left the map counts as
  "hors QPV" from then on; one whose membership is to confirm is shown "(à confirmer)";
  unknown when blank or unrecognised);
- partner: the partner's current name (an older name is an alias: "Pôle emploi" counts
  as "France Travail"); a name not in the table is shown as written.

`quality` (the "Qualité des données" part) says what the figures rest on: unknowns
among the people received, unrecognised and unconfirmed values, the QPV maps applied,
and one line for each funnel figure above the one before it.

Modules: `periods`, `labels` (keys and French labels), `compute` (`compute_bilan`),
`result` (`Bilan`, shares, funnel), `quality` (the data quality sentences). The names
callers use are re-exported here.
"""

from citeslab_tui.domain.bilan.compute import FIELDS_READ, compute_bilan
from citeslab_tui.domain.bilan.labels import (
    BREAKDOWN_KEYS,
    BREAKDOWN_LABELS,
    INDICATOR_KEYS,
    INDICATOR_LABELS,
    SHARE_KEYS,
    UNKNOWN,
    VALUE_LABELS,
    value_label,
)
from citeslab_tui.domain.bilan.periods import (
    PRESETS,
    Period,
    activity_year,
    month,
    preset,
    year_earlier,
)
from citeslab_tui.domain.bilan.quality import quality_lines
from citeslab_tui.domain.bilan.result import (
    REPORT_FUNNEL,
    SCHEMA_VERSION,
    Bilan,
    bar,
    change_label,
    funnel,
    report_funnel,
    share,
    structure_caption,
)

__all__ = [
    "FIELDS_READ",
    "BREAKDOWN_KEYS",
    "BREAKDOWN_LABELS",
    "INDICATOR_KEYS",
    "INDICATOR_LABELS",
    "PRESETS",
    "REPORT_FUNNEL",
    "SCHEMA_VERSION",
    "SHARE_KEYS",
    "UNKNOWN",
    "VALUE_LABELS",
    "Bilan",
    "Period",
    "activity_year",
    "bar",
    "change_label",
    "compute_bilan",
    "funnel",
    "month",
    "preset",
    "quality_lines",
    "report_funnel",
    "share",
    "structure_caption",
    "value_label",
    "year_earlier",
]
