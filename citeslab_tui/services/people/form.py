"""The person form (quick intake, edit): its fields and one validator per field.

Forms hand over raw typed values (`dict[str, str | bool]`). Each field of the form
(`FORM_FIELDS`, in the order of the intake sheet, DOMAIN.md) is declared once:
its title and help text come from the model (`Field(title=..., description=...)` in
domain/models.py), and its validator is derived from the model's field definition:

- a vocabulary (civility, approach): one of its values, else the default;
- a person's name (`input: name`): letters required, mandatory when `required`;
- a phone, an e-mail: `text.parse_phone`, `text.parse_email`;
- a name from a reference table (`table: ...`): the table's own spelling;
- a yes/no field: a checkbox;
- any other text: cleaned, at most the model's `max_length` (200 by default);
- the commune and the QPV: chosen from the reference (a QPV of the chosen commune, on
  the map in force), an older stored value kept when left unchanged.

Three fields exist only on the form: `notice_given` (sets `notice_given_on`), `birth`
(a year or a date: `birth_year`, `birth_date`) and `site` (the intake's site, saved by
the intake itself).

`person_from_form` validates every field given and reports each problem in French
(`FormErrors.errors`); `field_error` validates one field alone (the form, when the
cursor leaves it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pydantic

from citeslab_tui.domain import display, text
from citeslab_tui.domain import places as P
from citeslab_tui.domain.errors import ValidationError
from citeslab_tui.domain.models import Person
from citeslab_tui.domain.records import MULTILINE_FIELDS
from citeslab_tui.domain.vocabulary import Vocabulary
from citeslab_tui.reference import Reference


@dataclass
class FormContext:
    """What a field's validator may read: the reference, today's date, the person
    being edited (None at intake), every raw value of the form, and what the fields
    checked before it set (the QPV offered depends on the commune)."""

    reference: Reference
    today: date
    base: Person | None
    values: Mapping[str, Any]
    update: dict[str, Any] = field(default_factory=dict)

    def raw(self, key: str) -> str:
        value = self.values.get(key, "")
        return value if isinstance(value, str) else str(value or "")


# A validator: context -> the Person fields its form field sets; ValidationError (French).
Check = Callable[[FormContext], dict[str, Any]]


@dataclass(frozen=True)
class FormField:
    key: str
    label: str
    help: str = ""
    check: Check | None = None  # None: not a Person field (the intake's site)
    table: str = ""  # the reference table the choices come from
    required: bool = False  # checked on creation even when not given
    needs: tuple[str, ...] = ()  # fields checked first for the context (QPV: commune)


class FormErrors(ValidationError):
    """One French reason per invalid field (`errors`: field -> reason)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(
            "Corrigez les champs signalés : "
            + ", ".join(FORM_FIELDS[k].label if k in FORM_FIELDS else k for k in errors)
            + "."
        )
        self.errors = errors


def parse_birth(value: str, today: date | None = None) -> tuple[int | None, date | None]:
    """'1987' or '12/03/1987' -> (year, date); '' -> (None, None). French errors."""
    raw = text.clean_text(value, 40)
    if not raw:
        return None, None
    today = today or date.today()
    if raw.isdigit() and len(raw) == 4:
        year = int(raw)
        if not 1900 <= year <= today.year:
            raise ValidationError(f"Année de naissance impossible : {year}.")
        return year, None
    try:
        born = text.parse_date(raw, today)
    except ValidationError as exc:
        raise ValidationError(exc.message + " (ou l'année seule : 1987)") from None
    if born > today:
        raise ValidationError("La date de naissance est dans le futur.")
    if born.year < 1900:
        raise ValidationError(f"Année de naissance impossible : {born.year}.")
    return born.year, born


# --- validators derived from the model ------------------------------------------------


def _max_length(name: str) -> int:
    for rule in Person.model_fields[name].metadata:
        limit = getattr(rule, "max_length", None)
        if isinstance(limit, int):
            return limit
    return 200


def _the(title: str) -> str:
    """ "Nom de famille" -> "Le nom de famille" (the names' titles are masculine)."""
    return "Le " + title[:1].lower() + title[1:]


def _vocabulary_check(name: str, vocabulary: type[Vocabulary]) -> Check:
    default = Person.model_fields[name].default
    title = display.title("person", name)

    def check(ctx: FormContext) -> dict[str, Any]:
        value = ctx.raw(name) or default.value
        if value not in {member.value for member in vocabulary}:
            raise ValidationError(f"{title} inconnue.")
        return {name: vocabulary(value)}

    return check


def _name_check(name: str, required: bool) -> Check:
    who = _the(display.title("person", name))

    def check(ctx: FormContext) -> dict[str, Any]:
        if required:
            return {name: text.clean_name(ctx.raw(name), who)}
        value = text.clean_text(ctx.raw(name), text.MAX_NAME)
        if value and not any(ch.isalpha() for ch in value):
            raise ValidationError(f"{who} doit contenir au moins une lettre.")
        return {name: value}

    return check


def _phone_check(ctx: FormContext) -> dict[str, Any]:
    typed = text.clean_text(ctx.raw("phone"), 40)
    return {"phone": text.parse_phone(typed) if typed else None}


def _email_check(ctx: FormContext) -> dict[str, Any]:
    typed = text.clean_text(ctx.raw("email"), 254)
    return {"email": text.parse_email(typed) if typed else None}


def _commune_check(ctx: FormContext) -> dict[str, Any]:
    typed = text.clean_text(ctx.raw("commune"), 200)
    base = ctx.base
    if base is not None and typed and typed in (base.commune_insee, base.commune):
        return {}  # unchanged (an older value the reference no longer knows stays as it is)
    value = ctx.reference.places.read_commune_token(typed)
    if value.kind == "commune" and value.entry is not None:
        return {"commune_insee": value.entry.key, "commune": value.entry.name}
    if value.kind == "other":
        name = text.clean_text(value.text, text.MAX_NAME)
        if not any(ch.isalpha() for ch in name):
            raise ValidationError(
                "Autre commune : écrivez son nom (par exemple « Autre commune : Rennes »)."
            )
        return {"commune_insee": P.OTHER_COMMUNE, "commune": name}
    if value.kind == "unknown":
        return {"commune_insee": None, "commune": ""}
    raise ValidationError(
        f"« {typed[:40]} » n'est pas une commune du Calvados : choisissez dans la liste "
        "(Tab ou →), ou « Autre commune » pour une commune hors Calvados."
    )


def _qpv_check(ctx: FormContext) -> dict[str, Any]:
    places = ctx.reference.places
    typed = text.clean_text(ctx.raw("qpv"), 200)
    base, update = ctx.base, ctx.update
    insee = update.get("commune_insee", base.commune_insee if base is not None else None)
    commune_changed = (
        "commune_insee" in update
        and base is not None
        and places.commune_value(base.commune_insee, base.commune).token
        != places.commune_value(update["commune_insee"], update["commune"]).token
    )
    if base is not None and typed == base.qpv and not commune_changed:
        return {}  # unchanged (an older value stays as it is, shown "non reconnu")
    value = places.qpv_value(typed)
    if value.kind in ("outside", "unknown"):
        return {"qpv": value.token}
    if value.kind == "unrecognised" or value.entry is None:
        raise ValidationError(
            f"« {typed[:40]} » n'est pas un quartier de la liste : choisissez-en un "
            "(Tab ou →), « hors QPV » ou « ne sait pas »."
        )
    if value.entry not in places.qpv_choices(insee, ctx.today):
        where = places.communes.get(insee)
        raise ValidationError(
            f"{value.entry.name} n'est pas dans la liste des quartiers prioritaires"
            + (f" de {where.name}" if where else "")
            + " (carte en vigueur) : choisissez dans la liste, « hors QPV » ou « ne sait pas »."
        )
    return {"qpv": value.entry.key}


def _table_check(name: str, table: str) -> Check:
    def check(ctx: FormContext) -> dict[str, Any]:
        return {name: ctx.reference.canonical(table, text.clean_text(ctx.raw(name), 200))}

    return check


def _text_check(name: str) -> Check:
    limit = _max_length(name)
    multiline = name in MULTILINE_FIELDS

    def check(ctx: FormContext) -> dict[str, Any]:
        return {name: text.clean_text(ctx.raw(name), limit, multiline=multiline)}

    return check


def _derived_check(name: str) -> Check:
    """The validator a Person field's definition calls for (see the module docstring)."""
    kind = display.field_type("person", name)
    what = display.field_input("person", name)
    table = display.field_extra("person", name, "table")
    if isinstance(kind, type) and issubclass(kind, Vocabulary):
        return _vocabulary_check(name, kind)
    if kind is bool:
        return lambda ctx: {name: bool(ctx.values.get(name))}
    if what == "name":
        return _name_check(name, display.field_extra("person", name, "required") is True)
    special = {"phone": _phone_check, "email": _email_check}
    special.update(commune=_commune_check, qpv=_qpv_check)
    if what in special:
        return special[what]
    if table:
        return _table_check(name, table)
    return _text_check(name)


def _model_field(name: str, **options: Any) -> FormField:
    info = Person.model_fields[name]
    return FormField(
        name,
        info.title or name,
        info.description or "",
        _derived_check(name),
        table=display.field_extra("person", name, "table") or "",
        required=display.field_extra("person", name, "required") is True,
        **options,
    )


# --- fields that exist only on the form ------------------------------------------------


def _notice_check(ctx: FormContext) -> dict[str, Any]:
    previous = ctx.base.notice_given_on if ctx.base is not None else None
    given = bool(ctx.values.get("notice_given"))
    return {"notice_given_on": (previous or ctx.today) if given else None}


def _birth_check(ctx: FormContext) -> dict[str, Any]:
    year, born = parse_birth(ctx.raw("birth"), ctx.today)
    return {"birth_year": year, "birth_date": born}


FORM_FIELDS: dict[str, FormField] = {
    f.key: f
    for f in (
        FormField("notice_given", "Notice d'information remise", check=_notice_check),
        _model_field("civility"),
        _model_field("family_name"),
        _model_field("usage_name"),
        _model_field("first_name"),
        FormField("birth", "Naissance (année ou date)", "1987 ou 12/03/1987", _birth_check),
        _model_field("phone"),
        _model_field("email"),
        _model_field("commune"),
        _model_field("qpv", needs=("commune",)),
        _model_field("qpv_checked"),
        _model_field("situation"),
        _model_field("training_level"),
        _model_field("project_idea"),
        _model_field("sector"),
        _model_field("approach"),
        _model_field("heard_from"),
        _model_field("next_step"),
        _model_field("notes"),
        FormField(
            "site",
            display.title("person", "first_site"),
            Person.model_fields["first_site"].description or "",
        ),
    )
}


# --- validating -----------------------------------------------------------------------


def _run(form_field: FormField, ctx: FormContext) -> None:
    assert form_field.check is not None
    ctx.update.update(form_field.check(ctx))


def field_error(
    key: str,
    values: Mapping[str, Any],
    reference: Reference,
    *,
    today: date | None = None,
    base: Person | None = None,
) -> str:
    """The French reason why one field of the form is refused, or "" (only this field
    and the fields its choices depend on are read: the form calls it on leaving a field)."""
    form_field = FORM_FIELDS.get(key)
    if form_field is None or form_field.check is None:
        return ""
    ctx = FormContext(reference, today or date.today(), base, values)
    for need in form_field.needs:
        try:
            _run(FORM_FIELDS[need], ctx)
        except ValidationError:
            pass  # reported on its own field
    try:
        _run(form_field, ctx)
    except ValidationError as exc:
        return exc.message
    return ""


def person_from_form(
    values: Mapping[str, Any],
    reference: Reference,
    *,
    today: date | None = None,
    base: Person | None = None,
) -> Person:
    """A validated Person from raw form values (over `base` when editing).

    Raises FormErrors (French reason per field); fields absent from `values` keep
    the value of `base`.
    """
    ctx = FormContext(reference, today or date.today(), base, values)
    errors: dict[str, str] = {}
    for key, form_field in FORM_FIELDS.items():
        if form_field.check is None:
            continue
        if key not in values and not (form_field.required and base is None):
            continue
        try:
            _run(form_field, ctx)
        except ValidationError as exc:
            errors[key] = exc.message
    if errors:
        raise FormErrors(errors)
    try:
        if base is None:
            return Person(**ctx.update)
        data = base.model_dump()
        data.update(ctx.update)
        return Person.model_validate(data)
    except pydantic.ValidationError as exc:
        name = str(exc.errors()[0].get("loc", ("?",))[0])
        raise FormErrors({name: "Valeur refusée."}) from None


def form_values(person: Person, places: P.Places | None = None) -> dict[str, Any]:
    """A person's fields as a form shows them (the inverse of person_from_form).

    Commune and QPV are given as the pickers hold them: an INSEE code (or
    `autre:<name>`) and a QPV key; with `places`, older stored values are normalised
    first (a QPV name becomes its key)."""
    if person.birth_date is not None:
        birth = text.format_date(person.birth_date)
    else:
        birth = str(person.birth_year) if person.birth_year else ""
    return {
        "notice_given": person.notice_given_on is not None,
        "civility": person.civility.value,
        "family_name": person.family_name,
        "usage_name": person.usage_name,
        "first_name": person.first_name,
        "birth": birth,
        "phone": text.format_phone(person.phone),
        "email": person.email or "",
        "commune": commune_token(person, places),
        "qpv": places.qpv_value(person.qpv).token if places is not None else person.qpv,
        "qpv_checked": person.qpv_checked,
        "situation": person.situation,
        "training_level": person.training_level,
        "project_idea": person.project_idea,
        "sector": person.sector,
        "approach": person.approach.value,
        "heard_from": person.heard_from,
        "next_step": person.next_step,
        "notes": person.notes,
    }


def commune_token(person: Person, places: P.Places | None = None) -> str:
    """The commune as a form holds it: INSEE code, `autre:<name>`, or older text."""
    if places is not None:
        return places.commune_value(person.commune_insee, person.commune).token
    if person.commune_insee == P.OTHER_COMMUNE:
        return f"{P.OTHER_COMMUNE}:{person.commune}"
    return person.commune_insee or person.commune
