"""The built wheel works outside the checkout, with data/ and styles/ inside it.

Builds the wheel (python -m build), installs it with --no-deps into a fresh venv
that sees this environment's dependencies through a .pth line (fast, offline),
then runs `citeslab init` and `citeslab check` from another folder.
"""

from __future__ import annotations

import os
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None):
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, env=env, timeout=300
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return result


@pytest.mark.skipif(os.name != "posix", reason="venv layout below is POSIX")
def test_wheel_installs_and_runs_from_another_folder(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    run(sys.executable, "-m", "build", "--wheel", "--outdir", dist, ROOT, cwd=tmp_path)
    (wheel,) = dist.glob("citeslab_tui-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped_data = {p.name for p in (ROOT / "data").iterdir() if p.is_file()}
    shipped_styles = {p.name for p in (ROOT / "styles").glob("*.tcss")}
    assert {f"citeslab_tui/data/{n}" for n in shipped_data} <= names
    assert {f"citeslab_tui/styles/{n}" for n in shipped_styles} <= names
    fonts = {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LICENSE-DejaVu.txt"}  # PDF bilan
    assert {f"citeslab_tui/data/fonts/{n}" for n in fonts} <= names
    assert not any(n.startswith(("tests/", "bench/")) for n in names)

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    (target,) = (venv / "lib").glob("python3*/site-packages")
    # dependencies come from this environment, after the venv's own site-packages
    (target / "zz_deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    run(
        sys.executable, "-m", "pip", "--python", venv / "bin" / "python",
        "install", "--quiet", "--no-deps", "--no-index", wheel,
        cwd=tmp_path,
    )  # fmt: skip

    elsewhere = tmp_path / "ailleurs"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CITESLAB_DATA_DIR")}
    located = run(
        venv / "bin" / "python",
        "-c",
        "import citeslab_tui.resources as r; print(r.__file__); print(r.shipped_dir('data'));"
        " print(r.shipped_dir('styles'))",
        cwd=elsewhere,
        env=env,
    ).stdout.split()
    package = target / "citeslab_tui"
    assert [Path(p) for p in located] == [
        package / "resources.py",
        package / "data",
        package / "styles",
    ]
    assert shipped_data <= {p.name for p in (package / "data").iterdir()}
    assert shipped_styles <= {p.name for p in (package / "styles").iterdir()}

    data = tmp_path / "donnees"
    citeslab = venv / "bin" / "citeslab"
    init = run(
        citeslab, "--data-dir", data, "init", "--structure", "Mife du Calvados",
        "--staff", "Céline", "--device", "portable-1", cwd=elsewhere, env=env,
    )  # fmt: skip
    assert "Poste prêt" in init.stdout
    assert run(citeslab, "--data-dir", data, "check", cwd=elsewhere, env=env).stdout.startswith(
        "Base saine"
    )
    run(citeslab, "--data-dir", data, "demo", "--people", "20", cwd=elsewhere, env=env)
    pdf = run(
        citeslab, "--data-dir", data, "report", "--from", "2012-09-01", "--to", "2030-08-31",
        "--format", "pdf",
        "--output", "b.pdf",
        cwd=elsewhere, env=env,
    )  # fmt: skip
    assert "Bilan écrit" in pdf.stdout and (elsewhere / "b.pdf").read_bytes()[:5] == b"%PDF-"
    version = run(
        venv / "bin" / "python", "-m", "citeslab_tui", "--version", cwd=elsewhere, env=env
    )
    assert version.stdout.startswith("citeslab ")
