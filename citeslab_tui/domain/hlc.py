"""Hybrid logical clock (Kulkarni et al. 2014).

A timestamp is a sortable string `PPPPPPPPPPPPP-CCCC-device`: 13-digit wall-clock
milliseconds, a 4-hex-digit counter, the device id. The clock never goes
backwards (a laptop whose battery swap reset its clock to 1970 still moves
forward) and absorbs the clocks it sees in imported files.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from citeslab_tui.domain.errors import ValidationError

MAX_COUNTER = 0xFFFF


@dataclass(frozen=True, order=True)
class Timestamp:
    millis: int
    counter: int
    device: str

    def __str__(self) -> str:
        return f"{self.millis:013d}-{self.counter:04x}-{self.device}"

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
        """Absorb a clock seen in an imported record."""
        other = Timestamp.parse(remote)
        if (other.millis, other.counter) > (self._last.millis, self._last.counter):
            self._last = Timestamp(other.millis, other.counter, self.device)

    def _bump(self, millis: int, counter: int) -> Timestamp:
        if counter >= MAX_COUNTER:
            return Timestamp(millis + 1, 0, self.device)
        return Timestamp(millis, counter + 1, self.device)
