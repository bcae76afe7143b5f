"""Hybrid logical clock: never goes backwards, absorbs remote clocks, sorts as text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citeslab_tui.domain.errors import ValidationError
from citeslab_tui.domain.hlc import MAX_COUNTER, HybridLogicalClock, Timestamp


class FakeWall:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(min_value=0, max_value=4e9, allow_nan=False),  # wall clock, any jumps
            st.one_of(st.none(), st.integers(0, 4_000_000_000_000), st.integers(0, MAX_COUNTER)),
        ),
        min_size=1,
        max_size=60,
    )
)
def test_timestamps_strictly_increase_whatever_the_wall_clock(steps) -> None:
    wall = FakeWall()
    clock = HybridLogicalClock("portable-1-ab12cd", wall=wall)
    issued: list[str] = []
    for now, remote in steps:
        wall.now = now
        if isinstance(remote, int):
            seen = str(Timestamp(remote, remote % (MAX_COUNTER + 1), "bureau-99"))
            clock.observe(seen)
            stamp = clock.now()
            assert Timestamp.parse(stamp) > Timestamp.parse(seen)
        else:
            stamp = clock.now()
        issued.append(stamp)
    parsed = [Timestamp.parse(s) for s in issued]
    assert parsed == sorted(parsed) and len(set(issued)) == len(issued)
    assert issued == sorted(issued)  # the text form sorts the same way
    assert all(p.device == "portable-1-ab12cd" for p in parsed)


def test_a_laptop_reset_to_1970_still_moves_forward() -> None:
    wall = FakeWall()
    wall.now = 1_764_000_000.0
    clock = HybridLogicalClock("p1", wall=wall)
    before = clock.now()
    wall.now = 0.0  # battery swap: the clock went back to 1970
    after = clock.now()
    assert after > before
    restarted = HybridLogicalClock("p1", clock.last, wall=wall)  # persisted and reloaded
    assert restarted.now() > after


def test_counter_overflow_moves_to_the_next_millisecond() -> None:
    clock = HybridLogicalClock("p1", str(Timestamp(5, MAX_COUNTER, "p1")), wall=lambda: 0.0)
    assert clock.now() == str(Timestamp(6, 0, "p1"))


@pytest.mark.parametrize("bad", ["", "abc", "12-zz-p1", "-1-0", "x-0000-p1"])
def test_unreadable_clock_is_a_french_validation_error(bad: str) -> None:
    with pytest.raises(ValidationError, match="Horloge illisible"):
        Timestamp.parse(bad)


@given(st.text(max_size=40))
def test_parse_never_escapes(value: str) -> None:
    try:
        Timestamp.parse(value)
    except ValidationError:
        pass
