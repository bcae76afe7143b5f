"""`bundles.read.read_bundle`: every check of one received file, behind one entry point
(the import use case calls it for each file; the CLI and screen cases are in
test_sync_trust.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_sync_trust import add, export, sites  # noqa: F401 - `sites` is a fixture

from citeslab_tui.bundles.codec import BundleError
from citeslab_tui.bundles.read import BundleIgnored, Trust, read_bundle, read_file
from citeslab_tui.domain.models import Person
from citeslab_tui.services.workspace import Workspace


def trust_of(folder: Path, **options) -> Trust:
    with Workspace.open(folder) as ws:
        return Trust.of(ws.data_dir, ws.settings, ws.repo.device, **options)


def test_a_laptops_file_read_at_the_office(sites, tmp_path) -> None:  # noqa: F811
    office, l1, l2 = sites
    (person,) = add(l1, Person(family_name="Diallo"))
    raw = read_file(export(l1, tmp_path / "cle"))
    bundle = read_bundle(raw, trust_of(office))
    assert bundle.manifest.counts == {"person": 1}
    assert [(kind, doc["id"]) for kind, doc in bundle.records] == [("person", person.id)]
    # not for the laptop that wrote it, nor for another laptop
    with pytest.raises(BundleIgnored, match="écrit par ce poste-ci"):
        read_bundle(raw, trust_of(l1))
    with pytest.raises(BundleIgnored, match="pour le bureau"):
        read_bundle(raw, trust_of(l2))


def test_every_refusal_is_a_french_bundle_error(sites, tmp_path) -> None:  # noqa: F811
    office, l1, _ = sites
    add(l1, Person(family_name="Diallo"))
    raw = read_file(export(l1, tmp_path / "cle"))
    trust = trust_of(office)
    with pytest.raises(BundleError, match="autre structure"):
        read_bundle(raw, Trust(**{**trust.__dict__, "structure": "0" * 32}))
    with pytest.raises(BundleError, match="n'est pas inscrit au bureau"):
        read_bundle(raw, Trust(**{**trust.__dict__, "enrolled": {}}))
    with pytest.raises(BundleError, match="somme de contrôle"):
        read_bundle(raw[:-1] + bytes([raw[-1] ^ 1]), trust)
    with pytest.raises(BundleError, match="pas un fichier de synchronisation"):
        read_bundle(b"PK\x03\x04 a spreadsheet", trust)


def test_a_large_file_is_validated_as_it_is_parsed(
    sites,  # noqa: F811
    tmp_path,
    monkeypatch,
) -> None:
    """Each piece of the payload is validated as it is parsed: the records as read are
    never all in memory beside their canonical form (before: the decompressed JSON,
    then every record as read, then their canonical copies: the first full sync's
    peak at 10,000 people, 431 MiB, now 193)."""
    import tracemalloc

    import orjson

    from citeslab_tui.bundles import codec

    office, l1, _l2 = sites
    add(l1, *(Person(family_name=f"Nom{i}", notes="n" * 600) for i in range(3000)))
    raw = read_file(export(l1, tmp_path / "cle"))
    trust = trust_of(office)
    text = len(codec.decompress(trust.decrypt(codec.split_bundle(raw).payload), 1 << 30))
    monkeypatch.setattr(codec, "CHUNK_BYTES", 64 * 1024)
    tracemalloc.start()
    try:
        bundle = read_bundle(raw, trust)
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(bundle.records) == 3000
    assert orjson.dumps(bundle.records)  # whole and readable
    assert peak - held < text // 2
