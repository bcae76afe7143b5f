"""Laptops and an office exchanging real bundle files that are lost, duplicated,
reordered and re-imported: once every bundle is delivered, all copies converge."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from citeslab_tui.domain.merge import same_state
from citeslab_tui.domain.models import RECORD_TYPES, Person, Settings
from citeslab_tui.services import sync
from citeslab_tui.store.repository import Repository

NAMES = ["Martin", "Diallo", "Bernard"]


def open_repo(folder: Path, device: str, role: str) -> Repository:
    repo = Repository.open(folder)
    repo.save_settings(
        Settings(structure="S", staff=["X"], device_id=device, device_name=device, role=role)
    )
    return repo


def state_of(repo: Repository) -> dict[str, dict]:
    return {
        doc["id"]: doc for kind in RECORD_TYPES for doc in repo.docs(kind, include_deleted=True)
    }


class Exchange(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="citeslab-sm-"))
        self.office = open_repo(self.root / "office", "bureau", "office")
        self.laptops = [open_repo(self.root / f"l{i}", f"portable{i}", "laptop") for i in range(3)]
        self.in_flight: list[Path] = []  # written, not yet delivered
        self.delivered: list[Path] = []  # may be delivered again (duplicates)
        self.lost: list[Path] = []  # delayed: delivered only at the end
        self.returns: list[Path] = []
        self.n = 0
        for i, laptop in enumerate(self.laptops):
            laptop.save(Person(family_name=NAMES[i], first_name="A"), Person(family_name="B"))
        self.office_return_first = False

    def teardown(self) -> None:
        try:
            self.converge()
        finally:
            self._close()

    def _close(self) -> None:
        for repo in [self.office, *self.laptops]:
            repo.close()
        shutil.rmtree(self.root, ignore_errors=True)

    def _folder(self) -> Path:
        self.n += 1
        folder = self.root / f"stick{self.n}"
        folder.mkdir()
        return folder

    @rule(i=st.integers(0, 2), name=st.sampled_from(NAMES))
    def create(self, i, name):
        self.laptops[i].save(Person(family_name=name, first_name="A"))

    @rule(
        i=st.integers(0, 2),
        pick=st.integers(0, 50),
        name=st.sampled_from(NAMES),
        field=st.sampled_from(["family_name", "commune"]),
    )
    def edit(self, i, pick, name, field):
        people = self.laptops[i].all(Person)
        if people:
            person = people[pick % len(people)]
            self.laptops[i].save(person.model_copy(update={field: name}))

    @rule(i=st.integers(0, 2), pick=st.integers(0, 50), erase=st.booleans())
    def delete_or_erase(self, i, pick, erase):
        people = self.laptops[i].all(Person)
        if people:
            person = people[pick % len(people)]
            if erase:
                self.laptops[i].save(
                    Person(id=person.id, erased_at=person.meta.updated_at if person.meta else None),
                    erased=True,
                )
            else:
                self.laptops[i].delete(person)

    @rule(i=st.integers(0, 2))
    def export(self, i):
        result = sync.export_bundle(self.laptops[i], self._folder(), unencrypted=True)
        if result.path is not None:
            self.in_flight.append(result.path)

    @precondition(lambda self: self.in_flight)
    @rule(pick=st.integers(0, 50), lose=st.booleans())
    def deliver_or_lose(self, pick, lose):
        path = self.in_flight.pop(pick % len(self.in_flight))
        if lose:
            self.lost.append(path)
            return
        report = sync.import_bundles(self.office, [path])
        assert not report.refused, report.lines()
        self.delivered.append(path)

    @precondition(lambda self: self.delivered)
    @rule(pick=st.integers(0, 50))
    def deliver_again(self, pick):
        before = state_of(self.office)
        report = sync.import_bundles(self.office, [self.delivered[pick % len(self.delivered)]])
        assert [f.status for f in report.files] == ["already"]
        assert state_of(self.office) == before

    @rule()
    def office_return(self):
        result = sync.write_return(self.office, self._folder(), unencrypted=True)
        self.returns.append(result.path)

    @precondition(lambda self: self.returns)
    @rule(i=st.integers(0, 2), pick=st.integers(0, 50))
    def laptop_imports_return(self, i, pick):
        report = sync.import_bundles(self.laptops[i], [self.returns[pick % len(self.returns)]])
        assert not report.refused, report.lines()

    @invariant()
    def no_private_data_of_erased(self):
        for repo in [self.office, *self.laptops]:
            for doc in repo.docs("person", include_deleted=True):
                if doc["meta"].get("erased"):
                    assert doc["family_name"] == "" and doc["first_name"] == ""

    def converge(self) -> None:
        for path in [*self.in_flight, *self.lost]:
            assert not sync.import_bundles(self.office, [path]).refused
        self.in_flight, self.lost = [], []
        for laptop in self.laptops:
            result = sync.export_bundle(laptop, self._folder(), unencrypted=True)
            if result.path:
                assert not sync.import_bundles(self.office, [result.path]).refused
        back = sync.write_return(self.office, self._folder(), unencrypted=True).path
        for laptop in self.laptops:
            assert not sync.import_bundles(laptop, [back]).refused
        office = state_of(self.office)
        for laptop in self.laptops:
            mine = state_of(laptop)
            assert mine.keys() == office.keys()
            for rid, doc in office.items():
                assert same_state(mine[rid], doc), rid

    @precondition(lambda self: self.n > 3)
    @rule()
    def everything_delivered_converges(self):
        self.converge()


Exchange.TestCase.settings = settings(
    max_examples=20, stateful_step_count=25, deadline=None, derandomize=True
)
TestExchange = Exchange.TestCase
