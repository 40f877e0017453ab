"""« Dernière actualisation » that follows the text: a fingerprint per fiche, kept in a file.

``content/fiches/.empreintes.yaml`` records, for each fiche, a hash of its text (title, summary,
its own « Ce qui a changé » sentences and body) with the ``version`` and ``updated`` it had then.
``check-content`` fails when a text no longer matches its record; ``python -m app
actualiser-fiches`` brings the record up to date, raising ``version`` and moving ``updated`` to the
day for each fiche whose text changed (unless the writer already did).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from app.content import Problem
from app.fiches.meta import FicheMeta

FINGERPRINTS_FILE = ".empreintes.yaml"
COMMAND = "python -m app actualiser-fiches"
# When an update catches up with the review date, the next review comes this much later.
REVIEW_AFTER_UPDATE = dt.timedelta(days=182)
HEADER = (
    "# Généré par « python -m app actualiser-fiches » : ne pas modifier à la main.\n"
    "# Pour chaque fiche : l'empreinte de son texte, et la version et la date de mise à jour\n"
    "# qu'elle avait alors (voir content/README.md).\n"
)
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*\n?(.*)\Z", re.DOTALL)


@dataclass(frozen=True)
class Record:
    empreinte: str
    version: int
    updated: dt.date


def split_front_matter(text: str) -> tuple[str, str]:
    """(the YAML between the ``---`` lines, the body); no front matter gives ("", text)."""
    match = FRONT_MATTER.match(text)
    return (match.group(1), match.group(2)) if match else ("", text)


def fingerprint(meta: FicheMeta, body: str) -> str:
    """A hash of what a reader reads; spaces at line ends and blank edges do not count."""
    lines = [meta.title, meta.summary, *(note.texte or "" for note in meta.changements), body]
    text = "\n".join(line.rstrip() for part in lines for line in part.strip().splitlines())
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def fiche_fingerprint(meta: FicheMeta, path: Path) -> str:
    return fingerprint(meta, split_front_matter(path.read_text(encoding="utf-8"))[1])


def load_records(fiches_dir: Path) -> tuple[dict[str, Record], list[Problem]]:
    path = fiches_dir / FINGERPRINTS_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        return {}, []
    except (yaml.YAMLError, ValueError) as error:
        return {}, [Problem(path, 1, f"YAML invalide : {error} ; relance « {COMMAND} »")]
    records: dict[str, Record] = {}
    problems = []
    for slug, value in data.items() if isinstance(data, dict) else []:
        try:
            records[str(slug)] = Record(
                str(value["empreinte"]), int(value["version"]), value["updated"]
            )
        except (KeyError, TypeError, ValueError):
            problems.append(
                Problem(path, 1, f"entrée illisible « {slug} » ; relance « {COMMAND} »")
            )
    return records, problems


def record_problem(meta: FicheMeta, current: str, record: Record | None) -> str | None:
    """Why a fiche and its record disagree, in French, or ``None`` when they agree."""
    if record is None:
        return f"fiche sans empreinte enregistrée : lance « {COMMAND} »"
    if current != record.empreinte:
        if (meta.version, meta.updated) == (record.version, record.updated):
            return (
                f"le texte a changé mais ni version ({meta.version}) ni updated ({meta.updated}) : "
                f"lance « {COMMAND} »"
            )
        return f"texte et version changés : enregistre la nouvelle empreinte avec « {COMMAND} »"
    if (meta.version, meta.updated) != (record.version, record.updated):
        return (
            f"version ou updated changés sans changement du texte (enregistré : version "
            f"{record.version} du {record.updated}) : lance « {COMMAND} »"
        )
    return None


def fingerprint_problems(
    fiches_dir: Path, fiches: dict[str, tuple[FicheMeta, Path]]
) -> list[Problem]:
    """The fiches whose text, version or date do not match ``.empreintes.yaml``."""
    records, problems = load_records(fiches_dir)
    for slug, (meta, path) in sorted(fiches.items()):
        message = record_problem(meta, fiche_fingerprint(meta, path), records.get(slug))
        if message is not None:
            problems.append(Problem(path, 1, message))
    for slug in sorted(set(records) - set(fiches)):
        if (fiches_dir / f"{slug}.md").exists():
            continue  # a fiche with a broken front matter: its own problem says so
        message = f"empreinte d'une fiche qui n'existe plus : « {slug} » ; lance « {COMMAND} »"
        problems.append(Problem(fiches_dir / FINGERPRINTS_FILE, 1, message))
    return problems


def set_field(front: str, name: str, value: str) -> str:
    """Replace the value of a top-level field of the front matter, keeping everything else."""
    return re.sub(rf"(?m)^{name}:[^\n]*$", f"{name}: {value}", front, count=1)


def bump(text: str, meta: FicheMeta, record: Record, *, day: dt.date) -> tuple[str, list[str]]:
    """The file with ``version``/``updated`` (and ``relire_avant`` if now too early) moved."""
    front, body = split_front_matter(text)
    done = []
    if meta.version <= record.version:
        front = set_field(front, "version", str(record.version + 1))
        done.append(f"version {record.version + 1}")
    updated = meta.updated
    if meta.updated <= record.updated and day > meta.updated:
        updated = day
        front = set_field(front, "updated", updated.isoformat())
        done.append(f"actualisée le {updated}")
    if meta.relire_avant <= updated:
        review = updated + REVIEW_AFTER_UPDATE
        front = set_field(front, "relire_avant", review.isoformat())
        done.append(f"à relire avant le {review}")
    return f"---\n{front}---\n{body}", done


def refresh(
    fiches_dir: Path, fiches: dict[str, tuple[FicheMeta, Path]], *, day: dt.date
) -> list[str]:
    """Bring every fiche and ``.empreintes.yaml`` in step; one French line per fiche touched."""
    records, _problems = load_records(fiches_dir)
    new_records: dict[str, Record] = {}
    report = []
    for slug, (meta, path) in sorted(fiches.items()):
        current = fiche_fingerprint(meta, path)
        record = records.get(slug)
        if record is None:
            report.append(f"{slug} : empreinte enregistrée (version {meta.version})")
        elif current != record.empreinte:
            text, done = bump(path.read_text(encoding="utf-8"), meta, record, day=day)
            path.write_text(text, encoding="utf-8")
            front, _body = split_front_matter(text)
            fields = yaml.safe_load(front)
            meta = meta.model_copy(
                update={"version": fields["version"], "updated": fields["updated"]}
            )
            report.append(f"{slug} : texte changé, " + (", ".join(done) or "déjà daté"))
        elif (meta.version, meta.updated) != (record.version, record.updated):
            report.append(f"{slug} : version {meta.version} du {meta.updated} enregistrée")
        new_records[slug] = Record(current, meta.version, meta.updated)
    for slug, record in records.items():
        if slug not in fiches and (fiches_dir / f"{slug}.md").exists():
            new_records[slug] = record  # unreadable today: keep what it was
    write_records(fiches_dir, new_records)
    return report


def write_records(fiches_dir: Path, records: dict[str, Record]) -> None:
    data = {
        slug: {"empreinte": r.empreinte, "version": r.version, "updated": r.updated}
        for slug, r in sorted(records.items())
    }
    text = HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=True)
    (fiches_dir / FINGERPRINTS_FILE).write_text(text, encoding="utf-8")
