"""Shipped files: `data/` and `styles/` (inside the wheel, or at the checkout's top level)."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def shipped_dir(name: str) -> Path:
    """`citeslab_tui/<name>` in an installed wheel, else `<checkout>/<name>`."""
    inside = _PACKAGE / name
    if inside.is_dir():
        return inside
    return _PACKAGE.parent / name


def data_file(name: str) -> Path:
    return shipped_dir("data") / name


def style_file(name: str) -> Path:
    return shipped_dir("styles") / name
