"""Hybrid logical clock (Kulkarni et al. 2014).

A timestamp is a sortable string `PPPPPPPPPPPPP-CCCC-device`: 13-digit wall-clock
milliseconds, a 4-hex-digit counter, the device id. The clock never goes
backwards (a laptop whose battery swap reset its clock to 1970 still moves
forward) and absorbs the clocks it sees in imported files, but never more than
ABSORB_AHEAD_MS ahead of its own wall clock: one laptop whose clock ran a month
ahead does not drag every other device's clock a month into the future (the
bounded drift of Kulkarni et al.; data is never refused for its clock).

What a clock decides, and what it does not (docs/sync-format.md#clocks): clocks only
order *concurrent* values of a field (the one shown is the highest (hlc, device,
counter); the others stay listed as a conflict) and the audit trail. Which write
replaces which is decided by version vectors, never by clocks: a write made after
seeing a value replaces it even when its clock is lower (a value stamped in the future
by a wrong clock stays shown only until somebody edits or resolves that field).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from citeslab_tui.domain.errors import ValidationError

MAX_COUNTER = 0xFFFF
# 13-digit milliseconds, 4 hex digits, the device id (see bundles/identity.py: DEVICE_PATTERN)
HLC_PATTERN = r"^[0-9]{13}-[0-9a-f]{4}-[a-z0-9][a-z0-9-]{0,63}$"
HLC_RE = re.compile(HLC_PATTERN)
ABSORB_AHEAD_MS = 5 * 60 * 1000  # a remote clock is absorbed up to 5 minutes ahead of ours
SKEW_NOTICE_MS = 15 * 60 * 1000  # a clock this far off is reported (import, status, start)
# A wall clock outside these years is obviously wrong (battery swap: 1970, 2000...).
PLAUSIBLE_YEARS = (2025, 2099)


@dataclass(frozen=True, order=True)
class Timestamp:
    millis: int
    counter: int
    device: str

    def __str__(self) -> str:
        return f"{self.millis:013d}-{self.counter:04x}-{self.device}"

    @classmethod
    def parse_strict(cls, value: object) -> Timestamp:
        """A clock as written by this app (13 digits, 4 hex digits, device), nothing
        else: a clock read from a sync file must sort as text the way it sorts as time."""
        if not isinstance(value, str) or not HLC_RE.match(value):
            raise ValidationError(f"Horloge illisible : « {str(value)[:40]} ».")
        return cls.parse(value)

    @classmethod
    def parse(cls, value: str) -> Timestamp:
        try:
            millis, counter, device = value.split("-", 2)
            return cls(int(millis), int(counter, 16), device)
        except (ValueError, AttributeError):
            raise ValidationError(f"Horloge illisible : « {str(value)[:40]} ».") from None


class HybridLogicalClock:
    def __init__(
        self, device: str, last: str | None = None, wall: Callable[[], float] = time.time
    ) -> None:
        self.device = device
        self._wall = wall
        self._last = Timestamp.parse(last) if last else Timestamp(0, 0, device)

    @property
    def last(self) -> str:
        return str(self._last)

    def now(self) -> str:
        """A new timestamp greater than every one issued or observed so far."""
        wall = int(self._wall() * 1000)
        if wall > self._last.millis:
            stamp = Timestamp(wall, 0, self.device)
        else:
            stamp = self._bump(self._last.millis, self._last.counter)
        self._last = stamp
        return str(stamp)

    def observe(self, remote: str) -> None:
        """Absorb a clock seen in an imported record, up to ABSORB_AHEAD_MS ahead of our
        wall clock (a clock further in the future comes from a wrong clock elsewhere)."""
        other = Timestamp.parse(remote)
        ceiling = int(self._wall() * 1000) + ABSORB_AHEAD_MS
        if other.millis > ceiling:
            other = Timestamp(ceiling, 0, other.device)
        if (other.millis, other.counter) > (self._last.millis, self._last.counter):
            self._last = Timestamp(other.millis, other.counter, self.device)

    def _bump(self, millis: int, counter: int) -> Timestamp:
        if counter >= MAX_COUNTER:
            return Timestamp(millis + 1, 0, self.device)
        return Timestamp(millis, counter + 1, self.device)


def clock_problem(last: str, wall: float | None = None) -> str | None:
    """French warning when this device's wall clock is obviously wrong, or behind the
    last clock it saved (its clock is wrong now, or was ahead before); None when fine."""
    wall = time.time() if wall is None else wall
    now = datetime.fromtimestamp(wall, UTC)
    shown = now.astimezone().strftime("%d/%m/%Y %H:%M")
    if not PLAUSIBLE_YEARS[0] <= now.year <= PLAUSIBLE_YEARS[1]:
        return (
            f"L'horloge de cet ordinateur indique le {shown} : elle est déréglée. "
            "Réglez la date et l'heure de l'ordinateur (les données restent cohérentes)."
        )
    try:
        saved = Timestamp.parse(last) if last else None
    except ValidationError:
        return None
    if saved is not None and saved.millis - wall * 1000 > SKEW_NOTICE_MS:
        when = datetime.fromtimestamp(saved.millis / 1000, UTC).astimezone()
        return (
            f"L'horloge de cet ordinateur ({shown}) est en retard sur la dernière "
            f"modification enregistrée ici ({when:%d/%m/%Y %H:%M}) : la date est déréglée, "
            "ou l'était. Vérifiez la date et l'heure de l'ordinateur ; les données restent "
            "cohérentes et la synchronisation continue."
        )
    return None
