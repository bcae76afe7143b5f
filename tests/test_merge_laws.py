"""The office merge is a join: commutative, associative, idempotent, and loses no
write that the other side had not overwritten (hypothesis, many ties)."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from citeslab_tui.domain.merge import field_values, includes, merge_docs, normalize, same_state
from citeslab_tui.domain.models import Person
from citeslab_tui.domain.records import content_of, stamp

DEVICES = ["a", "b", "c"]
# colliding clocks: the same few values on every device
CLOCKS = [f"{m:013d}-{c:04x}-x" for m in (1, 2) for c in (0, 1)]
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
RID = "0" * 32

write_op = st.tuples(
    st.just("write"),
    st.integers(0, 2),
    st.sampled_from(["family_name", "first_name", "commune", "qpv"]),
    st.sampled_from(["", "Dupont", "Diallo"]),
    st.sampled_from(CLOCKS),
)
merge_op = st.tuples(st.just("merge"), st.integers(0, 2), st.integers(0, 2))
flag_op = st.tuples(
    st.sampled_from(["delete", "erase"]), st.integers(0, 2), st.sampled_from(CLOCKS)
)
ops = st.lists(st.one_of(write_op, write_op, merge_op, merge_op, flag_op), max_size=14)


def run(history: list) -> list[dict]:
    """Replay a history of local writes and merges on three replicas (one per device)."""
    first = stamp(
        Person(id=RID, family_name="Martin"), None, device="a", staff="s", clock=CLOCKS[0], now=NOW
    )
    replicas: list[dict | None] = [first, None, None]
    seen = [first]
    for op in history:
        if op[0] == "merge":
            _, dst, src = op
            if replicas[src] is None:
                continue
            replicas[dst] = (
                replicas[src]
                if replicas[dst] is None
                else merge_docs(replicas[dst], replicas[src], "person")
            )
        else:
            i = op[1]
            old = replicas[i]
            if old is None:
                continue
            content = content_of(old)
            erased = op[0] == "erase"
            deleted = op[0] == "delete"
            if op[0] == "write":
                content[op[2]] = op[3]
            if erased:
                content.update(family_name="", first_name="", notes="")
            clock = op[-1]
            doc = stamp(
                Person.model_validate({**content, "id": RID}),
                old,
                device=DEVICES[i],
                staff="s",
                clock=clock,
                now=NOW,
                deleted=deleted,
                erased=erased,
            )
            replicas[i] = normalize(doc, "person")
        seen.append(replicas[op[1]] if replicas[op[1]] is not None else first)
    return seen + [r for r in replicas if r is not None]


states = st.builds(run, ops)


def m(x, y):
    return merge_docs(x, y, "person")


@settings(max_examples=150, deadline=None, derandomize=True)
@given(states, st.data())
def test_join_laws(pool, data):
    a = data.draw(st.sampled_from(pool))
    b = data.draw(st.sampled_from(pool))
    c = data.draw(st.sampled_from(pool))
    assert same_state(m(a, b), m(b, a))
    assert same_state(m(m(a, b), c), m(a, m(b, c)))
    ab = m(a, b)
    assert same_state(m(ab, ab), ab)
    assert same_state(m(ab, a), ab)  # absorbing what it already includes


def covers(big: dict, small: dict) -> bool:
    return all(big.get(k, 0) >= v for k, v in small.items())


@settings(max_examples=150, deadline=None, derandomize=True)
@given(states, st.data())
def test_a_version_that_has_seen_everything_is_the_merge(pool, data):
    """The import's fast path: when one side's version vector covers the other's, the
    merge is that side (so the morning import of the office's state skips the merge)."""
    a = m(data.draw(st.sampled_from(pool)), data.draw(st.sampled_from(pool)))
    b = data.draw(st.sampled_from(pool))
    # Real clocks are causal (a device's clock absorbs every clock it imports): a side
    # that has seen every write of the other also has the later clock.
    updated = ("hlc", "updated_at", "updated_by", "device")
    later = a["meta"]["hlc"] > b["meta"]["hlc"] or all(
        a["meta"].get(k) == b["meta"].get(k) for k in updated
    )
    if covers(a["meta"]["vv"], b["meta"]["vv"]) and later:
        assert same_state(m(a, b), a)
    if includes(a, b):  # the import's fast path is sound
        assert same_state(m(a, b), a)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(states, st.data())
def test_no_write_lost(pool, data):
    a = data.draw(st.sampled_from(pool))
    b = data.draw(st.sampled_from(pool))
    out = m(a, b)
    erased = out["meta"].get("erased")
    for side, other in ((a, b), (b, a)):
        vv_other = other["meta"]["vv"]
        for name in ("family_name", "first_name", "commune", "qpv"):
            if erased and name in Person.personal_fields:
                assert out[name] == ""  # erasure wins, nothing personal comes back
                continue
            kept = field_values(out, name)
            theirs = field_values(other, name)
            for dot, (value, _hlc) in field_values(side, name).items():
                if dot in theirs or vv_other.get(dot[0], 0) < dot[1]:
                    assert dot in kept and kept[dot][0] == value
    for device in set(a["meta"]["vv"]) | set(b["meta"]["vv"]):
        assert out["meta"]["vv"][device] == max(
            a["meta"]["vv"].get(device, 0), b["meta"]["vv"].get(device, 0)
        )
    assert out["meta"]["deleted"] == (a["meta"]["deleted"] or b["meta"]["deleted"])


def test_concurrent_edits_become_a_conflict_shown_deterministically():
    base = stamp(
        Person(id=RID, family_name="Martin"), None, device="a", staff="s", clock=CLOCKS[0], now=NOW
    )
    left = stamp(
        Person(id=RID, family_name="Martin", phone="+33611111111"),
        base,
        device="a",
        staff="s",
        clock=CLOCKS[1],
        now=NOW,
    )
    right = stamp(
        Person(id=RID, family_name="Martin", phone="+33622222222"),
        base,
        device="b",
        staff="s",
        clock=CLOCKS[2],
        now=NOW,
    )
    out = m(left, right)
    assert out["phone"] == "+33622222222"  # the highest clock is shown
    assert [e[2] for e in out["meta"]["conflicts"]["phone"]] == ["+33611111111"]
    assert same_state(out, m(right, left))
    # an edit on one side of another field merges field by field, no conflict
    other = stamp(
        Person(id=RID, family_name="Martin", commune="Caen"),
        base,
        device="b",
        staff="s",
        clock=CLOCKS[2],
        now=NOW,
    )
    both = m(left, other)
    assert both["commune"] == "Caen" and both["phone"] == "+33611111111"
    assert both["meta"]["conflicts"] == {}


def test_erasure_is_absorbing_and_drops_personal_data():
    base = stamp(
        Person(id=RID, family_name="Martin", phone="+33611111111"),
        None,
        device="a",
        staff="s",
        clock=CLOCKS[0],
        now=NOW,
    )
    stale = stamp(
        Person(id=RID, family_name="Martin", phone="+33699999999", notes="rdv"),
        base,
        device="b",
        staff="s",
        clock=CLOCKS[3],
        now=NOW,
    )
    erased = stamp(
        Person(id=RID, erased_at=NOW),
        base,
        device="a",
        staff="s",
        clock=CLOCKS[1],
        now=NOW,
        erased=True,
    )
    for out in (m(erased, stale), m(stale, erased), m(m(stale, erased), stale)):
        assert out["meta"]["erased"] is True
        assert out["family_name"] == "" and out["phone"] is None and out["notes"] == ""
        assert not set(out["meta"]["conflicts"]) & Person.personal_fields
        assert out["erased_at"] is not None
