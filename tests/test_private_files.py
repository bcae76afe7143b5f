"""One writer of files (store/files.py): owner-only whatever the umask, atomic, French
errors; and no other module of the app creates a file by itself."""

from __future__ import annotations

import ast
import os
import stat
from datetime import date
from pathlib import Path

import pytest

import citeslab_tui
from citeslab_tui.domain.bilan import Period
from citeslab_tui.services import reports
from citeslab_tui.store import files
from citeslab_tui.store.errors import StoreError

PACKAGE = Path(citeslab_tui.__file__).parent
# the writer itself, and the documentation pictures (a developer tool, not the app)
ALLOWED = {PACKAGE / "store" / "files.py", PACKAGE / "ui" / "docshots.py"}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask():
    old = os.umask(0o000)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_private_public_and_pieces_whatever_the_umask(tmp_path: Path, loose_umask) -> None:
    private = files.write_private(tmp_path / "new" / "a.json", b"x", make_folder=True)
    assert mode(private) == 0o600 and mode(private.parent) == 0o700
    public = files.write_public(tmp_path / "b.pub", b"key")
    assert mode(public) == 0o666  # as the umask says: meant to be carried
    fd = files.open_private(tmp_path / "c.log")
    os.close(fd)
    assert mode(tmp_path / "c.log") == 0o600
    assert not files.temp_files(tmp_path)  # nothing half-written left


def test_a_failed_write_is_french_and_leaves_the_old_file(tmp_path: Path, monkeypatch) -> None:
    import errno

    target = tmp_path / "a.txt"
    files.write_private(target, b"old")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files, "full_fsync", full)
    with pytest.raises(StoreError, match="Impossible d'écrire .*a.txt : le disque est plein"):
        files.write_private(target, b"new")
    assert target.read_bytes() == b"old" and not files.temp_files(tmp_path)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_bilan_files_are_owner_only_in_a_new_folder(workspace, tmp_path, loose_umask) -> None:
    from citeslab_tui.domain.models import Interview, Person

    person = Person(family_name="Diallo", first_name="Awa")
    workspace.repo.save(person, Interview(person_id=person.id, on=date(2024, 10, 1)))
    bilan = reports.bilan_for(workspace, Period(date(2024, 9, 1), date(2025, 8, 31)))
    paths = reports.write_report_files(bilan, tmp_path / "bilans")
    assert [mode(p) for p in paths] == [0o600, 0o600, 0o600]
    assert mode(tmp_path / "bilans") == 0o700


def _writes_a_file(node: ast.Call) -> bool:
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if name in ("write_text", "write_bytes", "mkstemp", "NamedTemporaryFile"):
        return True
    if name == "open" and isinstance(func, ast.Attribute) and getattr(func.value, "id", "") == "os":
        return True  # os.open
    if name == "open":
        modes = [a for a in node.args[1:2]] + [k.value for k in node.keywords if k.arg == "mode"]
        return any(isinstance(m, ast.Constant) and set(str(m.value)) & set("wax+") for m in modes)
    return False


def test_no_module_writes_a_file_by_itself() -> None:
    """Files are written through store/files.py only (owner-only, atomic, French errors):
    a new file writer elsewhere would forget one of them."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path in ALLOWED:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _writes_a_file(node):
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert found == ["cli.py:73"]  # sys.stdout to os.devnull, never a file of ours
