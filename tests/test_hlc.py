"""Hybrid logical clock: never goes backwards, absorbs remote clocks, sorts as text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citeslab_tui.domain.errors import ValidationError
from citeslab_tui.domain.hlc import (
    ABSORB_AHEAD_MS,
    MAX_COUNTER,
    HybridLogicalClock,
    Timestamp,
    clock_problem,
)


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
            ceiling = int(now * 1000) + ABSORB_AHEAD_MS
            if remote <= ceiling:  # absorbed: the next stamp sorts after it
                assert Timestamp.parse(stamp) > Timestamp.parse(seen)
            else:  # a clock from the future is absorbed only up to the ceiling
                assert Timestamp.parse(stamp).millis >= ceiling
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


DAY = 24 * 3600


def test_a_clock_from_the_future_is_not_absorbed_whole() -> None:
    """Case 3 of issue #12: one laptop whose clock ran 30 days ahead must not drag the
    office (and through it every laptop) 30 days into the future."""
    wall = FakeWall()
    wall.now = 1_764_000_000.0
    office = HybridLogicalClock("bureau", wall=wall)
    future = str(Timestamp(int((wall.now + 30 * DAY) * 1000), 7, "portable1"))
    office.observe(future)
    stamp = Timestamp.parse(office.now())
    assert stamp.millis <= wall.now * 1000 + ABSORB_AHEAD_MS + 1
    # a clock a little ahead (within the tolerance) is absorbed exactly
    near = str(Timestamp(int(wall.now * 1000) + 60_000, 3, "portable2"))
    office.observe(near)
    assert Timestamp.parse(office.now()) > Timestamp.parse(near)


def test_clock_problem_when_the_wall_clock_is_behind_the_saved_clock() -> None:
    now = 1_764_000_000.0
    saved = str(Timestamp(int((now + 30 * DAY) * 1000), 0, "p1"))
    message = clock_problem(saved, now)
    assert message and "en retard sur la dernière modification" in message
    assert clock_problem(str(Timestamp(int(now * 1000) - 5000, 0, "p1")), now) is None
    assert clock_problem("", now) is None


@pytest.mark.parametrize("year_start", [0.0, 946_684_800.0, 4_200_000_000.0])
def test_clock_problem_when_the_wall_clock_is_obviously_wrong(year_start: float) -> None:
    message = clock_problem("", year_start)  # 1970, 2000, 2103
    assert message and "déréglée" in message


def test_parse_strict_refuses_clocks_that_sort_wrong_as_text() -> None:
    assert Timestamp.parse_strict("1764000000000-0001-portable1-ab12cd").counter == 1
    for bad in ["5-1-x", "1764000000000-1-x", "01764000000000-0001-x", "1764000000000-00G1-x"]:
        with pytest.raises(ValidationError):
            Timestamp.parse_strict(bad)
        assert bad  # Timestamp.parse reads some of these: sorting them as text would lie
