"""The documentation stays true: key table, links between docs, French CLI help."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from citeslab_tui.cli import build_parser
from citeslab_tui.ui import docshots

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"(?<!\!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)|!\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
ENGLISH_ARGPARSE = ("usage:", "positional arguments", "show this help", "optional arguments")


# --- key table ----------------------------------------------------------------------


def test_guide_key_table_matches_the_app_bindings() -> None:
    guide = (ROOT / "docs" / "guide.md").read_text(encoding="utf-8")
    assert docshots.keys_block(guide) == docshots.key_table(), (
        "La table des touches de docs/guide.md ne correspond plus aux touches de "
        "l'application : lancez `.venv/bin/python -m citeslab_tui.ui.docshots --keys-only`."
    )


def test_key_table_lists_every_binding_once_per_screen() -> None:
    from citeslab_tui.ui.keys import all_bindings

    table = docshots.key_table()
    rows = [line for line in table.splitlines() if line.startswith("| ")]
    rows = [row for row in rows if not row.startswith("| Touche |")]
    assert len(rows) == len(all_bindings())
    assert "**Partout**" in table
    assert "| F1 | Aide | Aide : toutes les touches |" in table


KEY_WORD = re.compile(r"^(Ctrl\+\S+|Maj\+\S+|F\d{1,2}|[a-z])$")


def test_keys_named_in_the_guide_text_exist() -> None:
    """Keys written by hand in the guide (bold, or first cell of a table) are real keys."""
    from citeslab_tui.ui.keys import all_bindings

    guide = (ROOT / "docs" / "guide.md").read_text(encoding="utf-8")
    start, end = guide.index(docshots.KEYS_START), guide.index(docshots.KEYS_END)
    text = guide[:start] + guide[end:]
    named = [m.split()[0] for m in re.findall(r"\*\*([^*]+)\*\*", text)]
    named += re.findall(r"^\| (\S+) \|", text, re.M)
    real = {key for _title, key, _d, _id in all_bindings()}
    unknown = sorted({k for k in named if KEY_WORD.match(k) and k not in real})
    assert not unknown, f"docs/guide.md cite des touches qui n'existent pas : {unknown}"


def test_key_table_rewrite_is_idempotent_and_keeps_the_rest(tmp_path: Path) -> None:
    guide = tmp_path / "guide.md"
    guide.write_text(
        f"# Guide\n\navant\n\n{docshots.KEYS_START}\nvieille table\n{docshots.KEYS_END}\n\naprès\n",
        encoding="utf-8",
    )
    assert docshots.write_key_table(guide) is True
    text = guide.read_text(encoding="utf-8")
    assert text.startswith("# Guide\n\navant\n\n") and text.endswith("\n\naprès\n")
    assert docshots.keys_block(text) == docshots.key_table()
    assert docshots.write_key_table(guide) is False  # second run: nothing to do
    assert docshots.main(["--guide", str(guide), "--check"]) == 0


def test_check_reports_a_stale_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    guide = tmp_path / "guide.md"
    guide.write_text(f"{docshots.KEYS_START}\n| F9 | rien |\n{docshots.KEYS_END}\n", "utf-8")
    assert docshots.main(["--guide", str(guide), "--check"]) == 1
    assert "stale" in capsys.readouterr().out


def test_missing_markers_are_an_error() -> None:
    with pytest.raises(ValueError):
        docshots.keys_block("# un guide sans table\n")


# --- links between docs ---------------------------------------------------------------


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"`([^`]*)`", r"\1", heading.strip()).lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    found: set[str] = set()
    seen: dict[str, int] = {}
    for line in text.splitlines():
        match = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if match:
            base = slug(match.group(1))
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
    found |= set(re.findall(r'<a (?:name|id)="([^"]+)"', text))
    return found


def links(path: Path) -> list[str]:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    text = re.sub(r"`[^`\n]*`", "", text)  # inline code is not a link
    return [a or b for a, b in LINK.findall(text)]


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_relative_links_and_anchors_resolve(doc: Path) -> None:
    broken = []
    for target in links(doc):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
            continue
        file_part, _, anchor = target.partition("#")
        path = (doc.parent / file_part).resolve() if file_part else doc
        if not path.exists():
            broken.append(f"{target} (fichier absent)")
        elif anchor and path.suffix == ".md" and anchor not in anchors(path):
            broken.append(f"{target} (ancre absente)")
    assert not broken, f"{doc.name} : liens cassés : {broken}"


def test_guide_and_office_exist_and_are_linked_from_the_readme() -> None:
    readme = links(ROOT / "README.md")
    for target in ("docs/guide.md", "docs/office.md", "docs/architecture.md"):
        assert target in readme
    guide_images = [t for t in links(ROOT / "docs" / "guide.md") if t.startswith("images/")]
    expected = {f"images/{shot.name}.svg" for shot in docshots.SHOTS}
    assert expected <= set(guide_images)
    on_disk = {f"images/{p.name}" for p in (ROOT / "docs" / "images").glob("*.svg")}
    assert on_disk == expected, "docs/images : images en trop ou manquantes (relancez docshots)"


def test_slug_matches_github_for_french_headings() -> None:
    assert slug("Quand ça ne va pas") == "quand-ça-ne-va-pas"
    assert slug("5. La clé USB est introuvable !") == "5-la-clé-usb-est-introuvable-"
    assert slug("`citeslab check` : vérifier") == "citeslab-check--vérifier"


# --- the command line's help ----------------------------------------------------------


def subcommands(
    parser: argparse.ArgumentParser, prefix: str = "citeslab"
) -> list[tuple[str, argparse.ArgumentParser]]:
    found = [(prefix, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += subcommands(sub, f"{prefix} {name}")
    return found


COMMANDS = subcommands(build_parser())


@pytest.mark.parametrize("name,parser", COMMANDS, ids=[name for name, _ in COMMANDS])
def test_every_command_help_is_french_with_an_example(
    name: str, parser: argparse.ArgumentParser
) -> None:
    text = parser.format_help()
    assert "Exemple" in text, f"« {name} --help » n'a pas d'exemple"
    assert "utilisation :" in text
    for english in ENGLISH_ARGPARSE:
        assert english not in text, f"« {name} --help » contient « {english} »"
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            continue
        assert action.help, f"« {name} » : {action.option_strings or action.dest} sans aide"


def test_every_subcommand_is_described_in_the_office_procedure() -> None:
    office = (ROOT / "docs" / "office.md").read_text(encoding="utf-8")
    top = [name.split()[1] for name, _ in COMMANDS if name.count(" ") == 1]
    missing = [cmd for cmd in top if f"citeslab {cmd}" not in office]
    assert not missing, f"docs/office.md ne parle pas de : {missing}"
