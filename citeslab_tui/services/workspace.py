"""A workspace: one open data folder (repository + reference tables + settings)."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from citeslab_tui.domain.errors import ValidationError
from citeslab_tui.domain.models import Settings
from citeslab_tui.domain.text import clean_name, clean_text, fold
from citeslab_tui.reference import Reference
from citeslab_tui.store.files import ensure_private_dir
from citeslab_tui.store.repository import Repository

# <data folder>/exports: files written for the office or for a person (owner-only)
EXPORTS_DIR = "exports"


class Workspace:
    def __init__(self, repo: Repository, reference: Reference) -> None:
        self.repo = repo
        self.reference = reference

    @classmethod
    def open(cls, data_dir: Path, *, create: bool = True) -> Workspace:
        repo = Repository.open(data_dir, create=create)
        return cls(repo, Reference(data_dir))

    def close(self) -> None:
        self.repo.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def data_dir(self) -> Path:
        return self.repo.folder

    @property
    def settings(self) -> Settings:
        return self.repo.settings

    @property
    def exports_dir(self) -> Path:
        """`<data folder>/exports` (may not exist yet)."""
        return self.data_dir / EXPORTS_DIR

    def exports_folder(self) -> Path:
        """`<data folder>/exports`, created owner-only whatever the umask."""
        return ensure_private_dir(self.exports_dir)

    def site_names(self) -> list[str]:
        """This laptop's sites first, then the reference sites."""
        names = list(self.settings.sites)
        for name in self.reference.names("sites"):
            if fold(name) not in {fold(n) for n in names}:
                names.append(name)
        return names

    def configure(
        self,
        *,
        structure: str,
        staff: list[str],
        device: str,
        sites: list[str] | None = None,
        role: str = "laptop",
        structure_id: str | None = None,
    ) -> Settings:
        """First set-up of a laptop (or the office): `citeslab init` and the setup screen."""
        structure = clean_text(structure, 120)
        if not structure:
            raise ValidationError(
                "Le nom de la structure porteuse est obligatoire.", field="structure"
            )
        try:
            staff = [clean_name(s, "Le nom du chef de projet") for s in staff if s.strip()]
        except ValidationError as exc:
            raise ValidationError(exc.message, field="staff") from exc
        if not staff:
            raise ValidationError("Indiquez au moins un chef de projet.", field="staff")
        device_name = clean_text(device, 40)
        if not device_name:
            raise ValidationError("Le nom de l'appareil est obligatoire.", field="device")
        current = self.settings
        device_id = (
            current.device_id
            # ASCII letters and digits only: the id travels in file names and clocks
            or (
                "".join(ch for ch in fold(device_name) if ch.isascii() and ch.isalnum())[:12]
                or "poste"
            )
            + "-"
            + uuid.uuid4().hex[:6]
        )
        sites = [clean_text(s, 80) for s in (sites or []) if s.strip()]
        if structure_id is not None:  # a replacement office keeps the structure's id
            structure_id = structure_id.strip().lower()
            if not re.fullmatch(r"[0-9a-f]{32}", structure_id):
                raise ValidationError(
                    "Identifiant de structure invalide : 32 caractères 0-9 a-f, tel que "
                    "l'affiche « citeslab keys show » sur un poste de la structure."
                )
        elif role == "office":  # the office defines the structure
            structure_id = current.structure_id or uuid.uuid4().hex
        else:  # a laptop learns it from the office identity it trusts (keys trust)
            structure_id = current.structure_id
        settings = current.model_copy(
            update={
                "structure": structure,
                "staff": staff,
                "current_staff": current.current_staff
                if current.current_staff in staff
                else staff[0],
                "device_name": device_name,
                "device_id": device_id,
                "sites": sites or current.sites,
                "last_site": current.last_site or (sites[0] if sites else ""),
                "role": role,
                "structure_id": structure_id,
            }
        )
        self.repo.save_settings(settings)
        return settings
