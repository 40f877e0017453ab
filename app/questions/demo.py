"""Demonstration threads for ``make run``, written for the demo (no real person's words).

They go through the same functions as real ones: asked, moderated, answered, replied to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.config import Settings
from app.db import utcnow
from app.mail import OutgoingMail
from app.questions import answering, asking, moderation
from app.questions.mails import MailLinks
from app.questions.models import Message
from app.questions.routes import router
from app.staff.models import StaffUser


@dataclass(frozen=True)
class Step:
    """Something said in a demo thread, ``days`` ago: by the asker, or by a professional."""

    days: float
    body: str
    professional: bool = False


@dataclass(frozen=True)
class DemoThread:
    pseudonym: str
    fiche: str | None
    days: float
    question: str
    published: bool = True
    steps: list[Step] = field(default_factory=list)


THREADS = [
    DemoThread(
        pseudonym="Yasmine_19",
        fiche="piis-contrat-integration",
        days=18,
        question=(
            "Bonjour, j'ai 19 ans et je viens de demander le revenu d'intégration. "
            "L'assistante sociale me parle de signer un PIIS.\n"
            "Est-ce que je peux refuser de le signer si je ne suis pas d'accord avec ce qu'il "
            "contient ? J'ai peur de perdre l'aide."
        ),
        steps=[
            Step(
                16,
                "Bonjour Yasmine,\n\n"
                "À ton âge, le PIIS fait en principe partie du droit au revenu d'intégration : "
                "le CPAS peut te le demander. Mais ce n'est pas un papier qu'on t'impose tel "
                "quel :\n\n"
                "- le projet se construit **avec toi** (études, formation, recherche d'emploi, "
                "logement…) ;\n"
                "- tu as **5 jours ouvrables** pour réfléchir avant de signer ;\n"
                "- tu peux venir avec une personne de ton choix.\n\n"
                "Si un point ne te convient pas, dis-le et propose autre chose. Si le CPAS "
                "refuse ou suspend l'aide, sa décision doit t'arriver par écrit, et tu peux la "
                "contester devant le tribunal du travail dans les 3 mois.\n\n"
                "Bien à toi,",
                professional=True,
            ),
            Step(
                15,
                "Merci beaucoup ! Et si je commence une formation en cours d'année, "
                "on peut changer le contrat ?",
            ),
            Step(
                14,
                "Oui. Le PIIS est évalué plusieurs fois par an et peut être adapté quand ta "
                "situation change. Parles-en à ton assistante sociale dès que tu as ton "
                "inscription : vous changerez les objectifs ensemble.\n\nBonne formation !",
                professional=True,
            ),
        ],
    ),
    DemoThread(
        pseudonym="Tom.B",
        fiche="conditions-revenu-integration",
        days=9,
        question=(
            "Je vis chez mes parents et je n'ai plus rien depuis que j'ai arrêté l'école. "
            "Est-ce que le CPAS va regarder ce que gagnent mes parents ?"
        ),
        steps=[
            Step(
                7,
                "Bonjour Tom,\n\n"
                "Le CPAS **peut** tenir compte des revenus des parents qui vivent avec toi, mais "
                "ce n'est pas automatique : il décide au cas par cas. Ceux d'un ou d'une "
                "partenaire comptent toujours ; ceux des frères et sœurs, jamais.\n\n"
                "Même si tu penses que tes parents gagnent trop, fais la demande : le CPAS doit "
                "te donner un accusé de réception, puis une décision écrite dans les 30 jours.\n\n"
                "Bien à toi,",
                professional=True,
            ),
        ],
    ),
    DemoThread(
        pseudonym="Kevin",
        fiche=None,
        days=5,
        question=(
            "Est-ce que je peux travailler le week-end comme étudiant sans perdre mon revenu "
            "d'intégration ?"
        ),
        steps=[
            Step(
                4,
                "Bonjour Kevin,\n\n"
                "Oui, un job étudiant est possible. Une partie de ce que tu gagnes n'est pas "
                "retirée de ton revenu d'intégration, si tu as un PIIS pour tes études. "
                "Préviens toujours ton CPAS **avant** de commencer, avec ton contrat : un revenu "
                "non déclaré peut devoir être remboursé.\n\nBien à toi,",
                professional=True,
            ),
            Step(2, "Merci, je passe au CPAS avec mon contrat demain matin."),
        ],
    ),
    DemoThread(
        pseudonym="Nour",
        fiche=None,
        days=3,
        question=(
            "Bonjour, mon RIS a été suspendu un mois parce que j'ai raté deux rendez-vous. "
            "Je n'avais pas reçu les lettres. Qu'est-ce que je peux faire ?"
        ),
    ),
    DemoThread(
        pseudonym="Sam",
        fiche=None,
        days=1,
        published=False,
        question=(
            "Je vais avoir 18 ans le mois prochain et je ne peux plus rester chez ma mère. "
            "Je peux déjà aller au CPAS avant mon anniversaire ?"
        ),
    ),
    DemoThread(
        pseudonym="Jade",
        fiche="moins-de-25-ans",
        days=0.2,
        published=False,
        question=(
            "Mon copain et moi, on veut habiter ensemble. Si on vit ensemble, est-ce que "
            "chacun garde son revenu d'intégration ?"
        ),
    ),
]


def seed_demo_threads(
    session: Session, settings: Settings, *, moderator: StaffUser, professional: StaffUser
) -> Iterator[str]:
    """Create the demo threads once (skipped when they are already there)."""
    first = THREADS[0].pseudonym
    if session.exec(select(Message).where(col(Message.author_name) == first)).first():
        return
    links = MailLinks(base_url=settings.base_url, path_for=router.url_path_for)
    now = utcnow()
    thread_ids = []
    for index, demo in enumerate(THREADS):

        def ago(days: float) -> dt.datetime:
            return now - dt.timedelta(days=days)

        asked = asking.ask(
            session,
            settings=settings,
            links=links,
            pseudonym=demo.pseudonym,
            email=f"demandeur-{index}@example.org",
            body=demo.question,
            fiche_slug=demo.fiche,
            address=f"demo-{index}",
            now=ago(demo.days),
        )
        thread_ids.append(asked.thread.id)
        if demo.published:
            moderation.approve(
                session,
                settings=settings,
                links=links,
                message=asked.question,
                version=asked.question.version,
                staff=moderator,
                now=ago(demo.days - 0.1),
            )
        for step in demo.steps:
            if step.professional:
                answering.answer(
                    session,
                    settings=settings,
                    links=links,
                    thread=asked.thread,
                    parent_id=None,
                    body=step.body,
                    staff=professional,
                    now=ago(step.days),
                )
            else:
                asking.reply(
                    session,
                    settings=settings,
                    thread=asked.thread,
                    parent_id=None,
                    body=step.body,
                    address=f"demo-{index}",
                    now=ago(step.days),
                )
        state = "publiée" if demo.published else "à modérer"
        yield f"Question de démonstration ({state}) : {demo.pseudonym}"
    # Nobody is waiting for the demo's e-mails.
    session.exec(delete(OutgoingMail).where(col(OutgoingMail.thread_id).in_(thread_ids)))
    session.commit()
