"""The payload of a bundle is parsed piece by piece (codec.iter_payload): the same
records as one parse, whatever the text holds, without the whole JSON in memory."""

from __future__ import annotations

import gzip
import tracemalloc
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citeslab_tui.bundles import codec
from citeslab_tui.bundles.codec import BundleError

TRICKY = ['],["', '"],["person",{', "]]", "\\", '"', "[", "\n", "é", ""]

texts = st.one_of(st.sampled_from(TRICKY), st.text(max_size=12))
values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 5), texts),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(texts, inner, max_size=3)),
    max_leaves=8,
)
records = st.lists(
    st.tuples(st.sampled_from(["person", "task"]), st.dictionaries(texts, values, max_size=4)),
    max_size=8,
)


@settings(max_examples=300, deadline=None)
@given(records, st.integers(1, 64))
def test_the_records_are_those_of_one_parse(generated: Any, chunk: int) -> None:
    items = [list(r) for r in generated]
    payload = codec.encode_payload(items)
    old = codec.CHUNK_BYTES
    codec.CHUNK_BYTES = chunk  # cuts everywhere, inside strings and nested arrays too
    try:
        assert codec.decode_payload(payload, len(items)) == items
    finally:
        codec.CHUNK_BYTES = old


@pytest.mark.parametrize(
    "text",
    [b"", b"{}", b'[["person",{}]', b'[["person",{}]] x', b"[1,2", b'[["a",{"b":"],["}]]'],
)
def test_damaged_payloads_are_refused_as_before(text: bytes) -> None:
    payload = gzip.compress(text)
    try:
        expected: Any = orjson.loads(text)
    except orjson.JSONDecodeError:
        expected = None
    if isinstance(expected, list):
        assert codec.decode_payload(payload) == expected
    else:
        with pytest.raises(BundleError):
            codec.decode_payload(payload)


def test_truncated_and_padded_payloads_are_refused() -> None:
    payload = codec.encode_payload([["person", {"id": "a" * 32}]] * 100)
    with pytest.raises(BundleError, match="tronqué"):
        codec.decode_payload(payload[:-12])
    with pytest.raises(BundleError, match="en trop"):
        codec.decode_payload(payload + b"xx")


def test_the_whole_json_is_never_in_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: the decompressed JSON and its parse were both whole in memory (the peak
    of the office's first full sync: 431 MiB at 10,000 people, 60 MB of it the JSON)."""
    monkeypatch.setattr(codec, "CHUNK_BYTES", 64 * 1024)
    items = [["person", {"id": f"{i:032x}", "n": "x" * 2000}] for i in range(2000)]
    payload = codec.encode_payload(items)
    text = len(orjson.dumps(items))
    tracemalloc.start()
    try:
        parsed = codec.decode_payload(payload, len(items))
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert parsed == items
    assert peak - held < text // 2  # above the records: a piece or two, not the text


def test_a_bad_record_in_a_later_piece_is_named_by_its_number_in_the_file() -> None:
    from citeslab_tui.bundles import wire

    with pytest.raises(BundleError, match="enregistrement n° 6 "):
        wire.canonical_records([["person", {"id": "a" * 32}]], first=6)


def test_a_payload_that_never_cuts_into_records_is_refused_without_parsing_it_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A forged payload whose every cut falls inside one long text would be parsed
    again at each piece (quadratic): refused once a piece passes MAX_PIECE, far more
    than any record."""
    monkeypatch.setattr(codec, "CHUNK_BYTES", 1024)
    monkeypatch.setattr(codec, "MAX_PIECE", 64 * 1024)
    text = '],["' * 40_000
    payload = codec.encode_payload([["person", {"notes": text}]])
    with pytest.raises(BundleError, match="illisible"):
        codec.decode_payload(payload, 10_000)
