"""The dated legal changes of ``content/changements.yaml``: the public page, the fiches' boxes.

A change says from which day it applies, in one plain sentence, with its dated sources, and
names what it touches: fiches (slugs), questionnaire parts (``droits.ris``, ``questions.logement``)
and, for an indexation, the scales of ``montants.yaml``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from app.amounts import Amounts
from app.content import Problem
from app.fiches.french import typography
from app.fiches.meta import FicheMeta, FicheSource, Slug
from app.fiches.yaml_source import YamlDocument, parse_yaml, validation_problems

CHANGES_FILE = "changements.yaml"
QUESTIONNAIRE_DIR = "questionnaire"
QUESTIONNAIRE_FILES = ("droits", "questions", "textes")
# The « Ce qui a changé » box of a fiche shows the changes of the last twelve months.
BOX_WINDOW = dt.timedelta(days=365)
# Keys whose date says from when a part of the questionnaire is written as it is.
DATED_KEYS = ("from", "since", "depuis")

Sentence = Annotated[str, Field(min_length=10, max_length=500)]


class Change(BaseModel):
    """One legal change, as ``changements.yaml`` gives it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Slug
    depuis: dt.date
    titre: Annotated[str, Field(min_length=3, max_length=120)]
    texte: Sentence
    type: Literal["regle", "indexation"] = "regle"
    sources: Annotated[list[FicheSource], Field(min_length=1)]
    fiches: list[Slug] = []
    questionnaire: list[Annotated[str, Field(pattern=r"^[a-z_]+(\.[a-z0-9_-]+)+$")]] = []
    baremes: list[Annotated[str, Field(pattern=r"^[a-z_]+$")]] = []
    # The day the change was written here: a fiche updated before it has not taken it in yet.
    enregistre: dt.date | None = None
    # Announced by a dated source (a forecast, a bill) but not confirmed: shown to the staff only
    # (/staff/fraicheur), never on the public pages nor applied to amounts or fiches.
    annonce: bool = False

    @field_validator("fiches", "questionnaire", "baremes")
    @classmethod
    def _no_repeats(cls, values: list[str]) -> list[str]:
        if len(set(values)) != len(values):
            raise ValueError("un même élément est cité deux fois")
        return values


@dataclass(frozen=True)
class ChangeNote:
    """A change as one fiche shows it in its box: in the fiche's words when it gives some."""

    change: Change
    titre: str
    texte: str
    upcoming: bool  # its date is still to come: « à partir du », not « depuis le »


@dataclass(frozen=True)
class Changes:
    """Every change, newest first, with the YAML kept for line numbers."""

    items: tuple[Change, ...]
    document: YamlDocument | None = None
    path: Path | None = None
    # The changes marked « annonce: true », soonest first: for the staff to check and confirm.
    announced: tuple[Change, ...] = ()

    def get(self, change_id: str) -> Change | None:
        return next((change for change in self.items if change.id == change_id), None)

    def touching_fiche(self, meta: FicheMeta) -> list[Change]:
        """The changes that name this fiche, or that the fiche names, newest first."""
        own = {note.id for note in meta.changements}
        return [c for c in self.items if meta.slug in c.fiches or c.id in own]

    def latest_indexation(self, *, day: dt.date) -> Change | None:
        """The most recent indexation in force on ``day``."""
        return next((c for c in self.items if c.type == "indexation" and c.depuis <= day), None)

    def line_of(self, index: int, *location: str | int) -> int:
        return self.document.line_of([index, *location]) if self.document else 1


def load_changes(content_dir: Path) -> tuple[Changes, list[Problem]]:
    """Read ``changements.yaml``: the changes newest first, or the problems found."""
    path = content_dir / CHANGES_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:  # a content folder without changes yet (a test's, a new site's)
        return Changes(()), []
    document, syntax_problem = parse_yaml(text, path=path)
    if document is None:
        return Changes(()), [syntax_problem] if syntax_problem else []
    try:
        items = TypeAdapter(list[Change]).validate_python(document.data or [])
    except ValidationError as error:
        return Changes(()), validation_problems(path, error, document=document)
    problems = []
    seen: set[str] = set()
    for index, change in enumerate(items):
        if change.id in seen:
            line = document.line_of([index, "id"])
            problems.append(Problem(path, line, f"changement « {change.id} » défini deux fois"))
        seen.add(change.id)
    # Keep the file's order for line numbers; show the newest first.
    ordered = sorted(enumerate(items), key=lambda pair: (pair[1].depuis, -pair[0]), reverse=True)
    changes = Changes(
        tuple(change for _index, change in ordered if not change.annonce),
        document,
        path,
        announced=tuple(sorted((c for c in items if c.annonce), key=lambda c: c.depuis)),
    )
    return changes, problems


def reference_problems(
    changes: Changes,
    *,
    fiches: Mapping[str, FicheMeta],
    fiche_paths: Mapping[str, Path],
    fiche_documents: Mapping[str, YamlDocument | None],
    scales: Iterable[str],
) -> list[Problem]:
    """A change naming a fiche or a scale that does not exist; a fiche naming an unknown change."""
    problems = []
    known_scales = set(scales)
    if changes.path is not None and changes.document is not None:
        raw = changes.document.data if isinstance(changes.document.data, list) else []
        for index, item in enumerate(raw):
            change = _raw_change(item)
            for position, slug in enumerate(change.get("fiches") or []):
                if slug not in fiche_paths:
                    line = changes.document.line_of([index, "fiches", position])
                    problems.append(Problem(changes.path, line, f"fiche inconnue : « {slug} »"))
            for position, name in enumerate(change.get("baremes") or []):
                if name not in known_scales:
                    line = changes.document.line_of([index, "baremes", position])
                    message = f"barème inconnu de montants.yaml : « {name} »"
                    problems.append(Problem(changes.path, line, message))
            if change.get("type") == "indexation" and not change.get("baremes"):
                line = changes.document.line_of([index, "type"])
                message = "une indexation nomme les barèmes qu'elle change (baremes)"
                problems.append(Problem(changes.path, line, message))
    for slug, meta in fiches.items():
        document = fiche_documents.get(slug)
        for position, note in enumerate(meta.changements):
            if changes.get(note.id) is None:
                line = document.line_of(["changements", position, "id"]) if document else 1
                message = f"changement inconnu de changements.yaml : « {note.id} »"
                if any(change.id == note.id for change in changes.announced):
                    message = (
                        f"le changement « {note.id} » est seulement annoncé (annonce: true) : "
                        "une fiche ne le cite qu'une fois confirmé"
                    )
                problems.append(Problem(fiche_paths[slug], line, message))
    return problems


def indexation_problems(changes: Changes, amounts: Amounts, *, amounts_path: Path) -> list[Problem]:
    """``montants.yaml`` and ``changements.yaml`` must tell the same indexations.

    An indexation of ``changements.yaml`` needs, for each scale it names, either the new figures
    (a period of ``montants.yaml`` from that day) or an ``indexations`` entry of ``montants.yaml``
    (so that pages say beside the amounts that they are out of date); and each ``indexations``
    entry needs its change (so that ``/changements`` and the staff freshness page know it).
    """
    problems = []
    told = {
        (change.depuis, name)
        for change in changes.items
        if change.type == "indexation"
        for name in change.baremes
    }
    pending = {(entry.depuis, name) for entry in amounts.indexations for name in entry.baremes}
    for day, name in sorted(pending - told):
        problems.append(
            Problem(
                amounts_path,
                1,
                (
                    f"l'indexation du {day.isoformat()} du barème « {name} » manque dans "
                    "changements.yaml (type: indexation)"
                ),
            )
        )
    for day, name in sorted(told - pending):
        scale = amounts.baremes.get(name)
        if scale is not None and all(period.depuis != day for period in scale.periodes):
            where = changes.path if changes.path is not None else amounts_path
            problems.append(
                Problem(
                    where,
                    1,
                    (
                        f"l'indexation du {day.isoformat()} change « {name} » : ajoute ses "
                        "montants dans montants.yaml, ou une entrée « indexations » qui les dit "
                        "en attente"
                    ),
                )
            )
    return problems


def _raw_change(item: object) -> dict[str, Any]:
    return item if isinstance(item, dict) else {}


def french(text: str) -> str:
    """French spacing, and a no-break space before « % » so that « 2 % » stays on one line."""
    return typography(text).replace(" %", "\u00a0%")


def box(changes: Changes, meta: FicheMeta, *, day: dt.date) -> list[ChangeNote]:
    """The « Ce qui a changé » box of a fiche on ``day``: changes of the last twelve months
    (and those already announced), newest first, in the fiche's own words when it has some."""
    own = {note.id: note.texte for note in meta.changements}
    return [
        ChangeNote(
            change,
            french(change.titre),
            french(own.get(change.id) or change.texte),
            change.depuis > day,
        )
        for change in changes.touching_fiche(meta)
        if change.depuis > day - BOX_WINDOW
    ]


def next_box_change(changes: Changes, *, day: dt.date) -> dt.date | None:
    """The next day a box gains or loses a change: render the library again from that day."""
    edges = [c.depuis for c in changes.items if c.depuis > day]
    edges += [c.depuis + BOX_WINDOW for c in changes.items if c.depuis + BOX_WINDOW > day]
    return min(edges, default=None)


# --- The questionnaire parts a change names --------------------------------------------------


def questionnaire_data(content_dir: Path) -> dict[str, Any]:
    """The raw YAML of ``droits``, ``questions`` and ``textes`` (an unreadable file is empty)."""
    data: dict[str, Any] = {}
    for name in QUESTIONNAIRE_FILES:
        path = content_dir / QUESTIONNAIRE_DIR / f"{name}.yaml"
        try:
            data[name] = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError, ValueError):
            data[name] = None
    return data


def _step(node: Any, part: str) -> Any:
    """A key of a mapping, or the item with this ``id`` in a list (directly or one level down)."""
    if isinstance(node, dict):
        if part in node:
            return node[part]
        lists = [value for value in node.values() if isinstance(value, list)]
    elif isinstance(node, list):
        lists = [node]
    else:
        return None
    for items in lists:
        for item in items:
            if isinstance(item, dict) and item.get("id") == part:
                return item
    return None


def resolve(data: Mapping[str, Any], reference: str) -> Any:
    """``droits.ris.criteria.ressources`` → that part of the YAML, or ``None``."""
    node: Any = dict(data)
    for part in reference.split("."):
        node = _step(node, part)
        if node is None:
            return None
    return node


def latest_date(node: Any) -> dt.date | None:
    """The latest ``from``/``since``/``depuis`` date written inside a part of the YAML."""
    found: list[dt.date] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in DATED_KEYS and isinstance(item, dt.date):
                    found.append(item)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(node)
    return max(found, default=None)


def questionnaire_problems(changes: Changes, data: Mapping[str, Any]) -> list[Problem]:
    """A change naming a questionnaire part that does not exist."""
    if changes.path is None or changes.document is None:
        return []
    problems = []
    raw = changes.document.data if isinstance(changes.document.data, list) else []
    for index, item in enumerate(raw):
        for position, reference in enumerate(_raw_change(item).get("questionnaire") or []):
            if isinstance(reference, str) and resolve(data, reference) is None:
                line = changes.document.line_of([index, "questionnaire", position])
                message = (
                    f"partie du questionnaire inconnue : « {reference} » "
                    "(fichier.identifiant, par exemple droits.ris ou questions.logement)"
                )
                problems.append(Problem(changes.path, line, message))
    return problems


# --- The public page ------------------------------------------------------------------------


@dataclass(frozen=True)
class FicheLink:
    slug: str
    title: str


@dataclass(frozen=True)
class PublicChange:
    """A change as ``/changements`` shows it: its sentence and the fiches that speak of it."""

    change: Change
    titre: str
    texte: str
    upcoming: bool
    fiches: tuple[FicheLink, ...]


def public_changes(
    changes: Changes, fiches: Mapping[str, Any], *, day: dt.date
) -> list[PublicChange]:
    """Every change, newest first; each with the fiches it names or that name it, by title."""
    shown = []
    for change in changes.items:
        slugs = [slug for slug in change.fiches if slug in fiches]
        slugs += [
            slug
            for slug, fiche in fiches.items()
            if slug not in slugs and change.id in {note.id for note in fiche.meta.changements}
        ]
        links = tuple(FicheLink(slug, fiches[slug].title) for slug in slugs)
        texts = french(change.titre), french(change.texte)
        shown.append(PublicChange(change, *texts, change.depuis > day, links))
    return shown
