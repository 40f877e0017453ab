"""The e-mails sent to askers: their words, in French, as plain text.

Only the confirmation right after asking is sent before a moderator has read the question, and
it carries nothing the visitor typed, so the form cannot be used to send text to a stranger.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.config import Settings


@dataclass(frozen=True)
class MailLinks:
    """Absolute links for e-mails, built from the app's routes (``app.url_path_for``)."""

    base_url: str
    path_for: Callable[..., object]

    def url(self, name: str, /, **params: object) -> str:
        return self.base_url.rstrip("/") + str(self.path_for(name, **params))


@dataclass(frozen=True)
class Mail:
    subject: str
    body: str


def _footer(settings: Settings, unsubscribe_url: str) -> str:
    return (
        f"\n\n-- \n{settings.site_name}, un service de {settings.organisation_name}\n"
        f"Ne plus recevoir d'e-mails pour cette question : {unsubscribe_url}\n"
    )


def received(settings: Settings, *, private_url: str, unsubscribe_url: str) -> Mail:
    """Right after asking: the private link; nothing the visitor typed."""
    body = (
        "Bonjour,\n\n"
        f"Nous avons bien reçu ta question sur {settings.site_name}. Notre équipe la relit "
        "avant de la publier. Un professionnel y répond en général dans les "
        f"{settings.usual_answer_days} jours ouvrables.\n\n"
        "Ton lien privé pour suivre ta question, y répondre ou la supprimer :\n"
        f"{private_url}\n\n"
        "Garde ce lien pour toi : il suffit pour lire et supprimer ta question. "
        "Ton adresse e-mail n'est jamais publiée.\n\n"
        "Tu n'as rien demandé ? Ignore ce message."
    )
    return Mail("Ta question a bien été reçue", body + _footer(settings, unsubscribe_url))


def published(settings: Settings, *, private_url: str, unsubscribe_url: str) -> Mail:
    body = (
        "Bonjour,\n\n"
        "Ta question est maintenant publiée. Un professionnel y répond en général dans les "
        f"{settings.usual_answer_days} jours ouvrables ; tu recevras un e-mail à ce moment-là.\n\n"
        f"Suivre ta question :\n{private_url}"
    )
    return Mail("Ta question est publiée", body + _footer(settings, unsubscribe_url))


def answered(settings: Settings, *, private_url: str, unsubscribe_url: str) -> Mail:
    body = (
        "Bonjour,\n\n"
        f"Un professionnel de {settings.organisation_name} a répondu à ta question.\n\n"
        f"Lire la réponse, et y répondre si tu veux :\n{private_url}"
    )
    return Mail(
        "Un professionnel a répondu à ta question", body + _footer(settings, unsubscribe_url)
    )


def rejected(
    settings: Settings, *, reason: str, text: str, ask_url: str, unsubscribe_url: str
) -> Mail:
    """A refusal, with the reason and the asker's own text so that nothing is lost."""
    body = (
        "Bonjour,\n\n"
        "Notre équipe a relu ton message et ne peut pas le publier tel quel.\n\n"
        f"La raison : {reason}\n\n"
        "Voici ton texte, pour que tu ne le perdes pas :\n\n"
        + "\n".join(f"> {line}" for line in text.splitlines())
        + "\n\n"
        f"Tu peux le reformuler et l'envoyer à nouveau :\n{ask_url}"
    )
    return Mail("Ton message n'a pas été publié", body + _footer(settings, unsubscribe_url))
