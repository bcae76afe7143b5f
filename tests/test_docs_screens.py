"""The guide's screenshots are produced from the real app by one command."""

from __future__ import annotations

from pathlib import Path

from citeslab_tui.ui import docshots


async def test_every_picture_of_the_guide_is_regenerated(tmp_path: Path) -> None:
    out = tmp_path / "images"
    saved = await docshots.make_screenshots(out, work=tmp_path)
    # make_screenshots raises ShotError when a key no longer leads to the expected screen
    assert [p.name for p in saved] == [f"{shot.name}.svg" for shot in docshots.SHOTS]
    for shot in docshots.SHOTS:
        svg = (out / f"{shot.name}.svg").read_text(encoding="utf-8")
        assert svg.lstrip().startswith("<svg") and svg.rstrip().endswith("</svg>")
        caption = shot.title.replace(" ", "&#160;").replace("'", "&#x27;")
        assert caption in svg  # the picture's title bar


def test_demo_folder_is_reproducible(tmp_path: Path) -> None:
    first = docshots.make_demo_folder(tmp_path / "a")
    second = docshots.make_demo_folder(tmp_path / "b")
    assert docshots._search_name(first) == docshots._search_name(second)
