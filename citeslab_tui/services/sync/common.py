"""What the sync use cases share: progress reports, counts in French, sequence ranges."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from citeslab_tui.domain import display

Progress = Callable[[float, str], None]


def describe_counts(counts: dict[str, int], *, empty: str = "aucun enregistrement") -> str:
    """ "12 personnes, 19 entretiens, 7 tâches" (kinds with zero left out)."""
    return display.count_phrase(counts, empty=empty)


def copy(value: Any) -> Any:
    """A deep copy of JSON-like bookkeeping."""
    return orjson.loads(orjson.dumps(value))


def notify(progress: Progress | None, fraction: float, text: str) -> None:
    if progress is not None:
        progress(min(max(fraction, 0.0), 1.0), text)


def sentence(reason: str) -> str:
    """A reason embedded in a sentence: no final period of its own ("maximum 80).")."""
    return reason.rstrip().rstrip(".")


def holes(ranges: list[list[int]]) -> list[tuple[int, int]]:
    """The sequence numbers missing from received ranges: [(from, to), ...]."""
    missing = []
    expect = 1
    for a, b in sorted(ranges):
        if a > expect:
            missing.append((expect, a - 1))
        expect = max(expect, b + 1)
    return missing


def compact(ranges: list[list[int]]) -> list[list[int]]:
    """Received ranges merged where they touch or overlap."""
    out: list[list[int]] = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return out
