"""The domain is pure: importing it loads no Textual, Rich nor TinyDB; services load no Textual."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import citeslab_tui.domain
import citeslab_tui.services

PROBE = """
import importlib, sys
for name in sys.argv[2:]:
    importlib.import_module(name)
banned = sys.argv[1].split(",")
print(",".join(sorted({m.split(".")[0] for m in sys.modules} & set(banned))))
"""


def modules_of(package) -> list[str]:
    names = [package.__name__]
    for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        names.append(info.name)
    return names


def loaded(banned: list[str], modules: list[str]) -> str:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, ",".join(banned), *modules],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_domain_loads_no_ui_nor_store() -> None:
    modules = modules_of(citeslab_tui.domain)
    assert len(modules) > 5
    assert loaded(["textual", "rich", "tinydb"], modules) == ""


def test_services_load_no_textual() -> None:
    modules = modules_of(citeslab_tui.services)
    assert loaded(["textual"], modules) == ""


def test_the_probe_can_fail() -> None:
    assert loaded(["textual"], ["citeslab_tui.ui.app"]) == "textual"
