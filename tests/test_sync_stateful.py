"""Laptops and an office exchanging real, signed bundle files that are lost,
duplicated, reordered and re-imported, written by laptops whose clock is sometimes
far off, with crashes between writing a bundle and recording it, and forged bundles
(a lying version vector, a key that is not enrolled) that must be refused without
changing anything: once every genuine bundle is delivered, all copies converge."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import orjson
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from synckit import link_repos

from citeslab_tui.bundles import codec, keys
from citeslab_tui.domain.merge import same_state
from citeslab_tui.domain.models import RECORD_TYPES, Person, Settings
from citeslab_tui.services import sync
from citeslab_tui.store.repository import Repository

NAMES = ["Martin", "Diallo", "Bernard"]


STRUCTURE = "5" * 32
DAY_MS = 24 * 3600 * 1000


def open_repo(folder: Path, device: str, role: str) -> Repository:
    repo = Repository.open(folder)
    repo.save_settings(
        Settings(
            structure="S",
            staff=["X"],
            device_id=device,
            device_name=device,
            role=role,
            structure_id=STRUCTURE if role == "office" else "",
        )
    )
    return repo


def imported(repo: Repository, path: Path) -> sync.ImportReport:
    return sync.import_bundles(repo, [path], allow_unencrypted=True)


def forge(repo: Repository, docs: list, signer: Path, folder: Path, n: int) -> Path:
    """A bundle of `docs` claiming to come from `repo`'s device, signed with the key
    of `signer` (a laptop writing a forged file, or a stranger's key)."""
    payload = codec.encode_payload(docs)
    manifest = codec.Manifest(
        structure=STRUCTURE,
        device=repo.device,
        seq_from=1,
        seq_to=repo.lseq,
        count=len(docs),
        counts={k: sum(1 for kk, _ in docs if kk == k) for k, _ in docs},
        hlc_max=repo.clock.last,
        encryption="none",
        payload_sha256=codec.sha256(payload),
        payload_bytes=len(payload),
    )
    signature = keys.sign(keys.signer(signer), codec.signed_message(manifest.line()))
    path = folder / f"citeslab-forged-{n}.cslb"
    path.write_bytes(codec.encode_bundle(manifest, payload, signature))
    return path


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
        link_repos(self.office, *self.laptops)
        self.stranger = self.root / "stranger"
        keys.ensure_identity(self.stranger)  # a key pair nobody enrolled
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

    @rule(i=st.integers(0, 2), days=st.sampled_from([-1, 30]), name=st.sampled_from(NAMES))
    def edit_with_a_wrong_clock(self, i, days, name):
        """The laptop's clock is a day behind or a month ahead for one write."""
        laptop = self.laptops[i]
        people = laptop.all(Person)
        if not people:
            return
        laptop.clock._wall = lambda: time.time() + days * DAY_MS / 1000
        try:
            laptop.save(people[0].model_copy(update={"commune": name}))
        finally:
            laptop.clock._wall = time.time

    @rule(i=st.integers(0, 2))
    def export(self, i):
        result = sync.export_bundle(self.laptops[i], self._folder(), unencrypted=True)
        if result.path is not None:
            self.in_flight.append(result.path)

    @rule(i=st.integers(0, 2))
    def crash_between_write_and_record(self, i):
        """The bundle is written and verified, then the app dies before recording it:
        the orphan file may still travel; the next export resumes its range."""
        plan = sync.plan_export(self.laptops[i], unencrypted=True)
        if plan is not None:
            self.in_flight.append(sync.write_export(plan, self._folder()))

    @precondition(lambda self: self.in_flight)
    @rule(pick=st.integers(0, 50), lose=st.booleans())
    def deliver_or_lose(self, pick, lose):
        path = self.in_flight.pop(pick % len(self.in_flight))
        if lose:
            self.lost.append(path)
            return
        report = imported(self.office, path)
        assert not report.refused, report.lines()
        assert not report.gaps or self.lost or self.in_flight, report.lines()
        self.delivered.append(path)

    @precondition(lambda self: self.delivered)
    @rule(pick=st.integers(0, 50))
    def deliver_again(self, pick):
        before = state_of(self.office)
        report = imported(self.office, self.delivered[pick % len(self.delivered)])
        assert [f.status for f in report.files] == ["already"]
        assert state_of(self.office) == before

    @rule(i=st.integers(0, 2), j=st.integers(0, 2), stranger=st.booleans())
    def forged_bundle_refused(self, i, j, stranger):
        """Laptop i sends its records claiming 10**12 writes of laptop j (or of itself),
        or a file signed with a key nobody enrolled: refused whole, nothing changes."""
        laptop = self.laptops[i]
        docs = [("person", orjson.loads(orjson.dumps(d))) for d in laptop.docs("person")][:3]
        if not docs:
            return
        if not stranger:
            docs[0][1]["meta"]["vv"][self.laptops[j].device] = 10**12
        self.n += 1
        signer = self.stranger if stranger else laptop.folder
        path = forge(laptop, docs, signer, self._folder(), self.n)
        before = state_of(self.office)
        report = imported(self.office, path)
        assert [f.status for f in report.files] == ["refused"], report.lines()
        reason = report.files[0].reason
        assert ("signature invalide" if stranger else "vecteur de versions annonce") in reason
        assert state_of(self.office) == before

    @rule(full=st.booleans())
    def office_return(self, full):
        """One return file per laptop: what it has not acknowledged (or everything)."""
        result = sync.write_return(self.office, self._folder(), unencrypted=True, full=full)
        self.returns.extend(result.paths)

    @precondition(lambda self: self.returns)
    @rule(i=st.integers(0, 2), pick=st.integers(0, 50))
    def laptop_imports_return(self, i, pick):
        """Laptops import some return files, in any order, and miss others; a file
        written for another laptop is set aside."""
        path = self.returns[pick % len(self.returns)]
        report = imported(self.laptops[i], path)
        assert not report.refused, report.lines()
        if self.laptops[i].device not in path.name:
            assert [f.status for f in report.files] == ["ignored"], report.lines()

    @invariant()
    def no_private_data_of_erased(self):
        for repo in [self.office, *self.laptops]:
            for doc in repo.docs("person", include_deleted=True):
                if doc["meta"].get("erased"):
                    assert doc["family_name"] == "" and doc["first_name"] == ""

    def converge(self) -> None:
        for path in [*self.in_flight, *self.lost]:
            assert not imported(self.office, path).refused
        self.in_flight, self.lost = [], []
        for laptop in self.laptops:
            result = sync.export_bundle(laptop, self._folder(), unencrypted=True)
            if result.path:
                report = imported(self.office, result.path)
                assert not report.refused
                assert not report.gaps, report.lines()  # every change was delivered
        # incremental: each laptop gets what it has not acknowledged, even after missing
        # return files; the folder holds every laptop's file (the others' set aside)
        back = self._folder()
        written = sync.write_return(self.office, back, unencrypted=True)
        for laptop in self.laptops:
            if not any(laptop.device in p.name for p in written.paths):
                assert laptop.device in written.up_to_date  # holds everything already
                continue
            report = imported(laptop, back)
            assert not report.refused and not report.gaps, report.lines()
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
    max_examples=20, stateful_step_count=30, deadline=None, derandomize=True
)
TestExchange = Exchange.TestCase
