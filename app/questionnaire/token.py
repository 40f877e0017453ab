"""A shorter signed token for the answers: ``age:20;statut:belge;revenus:salaire+bourse``.

The answers are the same as in ``state.py`` (the strings of their form fields, nothing about
the person), written as ``id:value+value`` pairs instead of JSON, compressed with zlib and a
preset dictionary of the questionnaire's words when it helps, signed and dated (salt
« questionnaire-2 »): about half the length. A token of the older JSON form is still read, so
links given before keep working. Reading always goes through ``parse_answer`` again.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer
from itsdangerous.encoding import base64_decode, base64_encode

from app.questionnaire import (
    AnswerValue,
    Questionnaire,
    Walk,
    form_values,
    parse_answer,
    state,
    visible_answers,
    walk,
)
from app.questionnaire.state import EXPIRED, INVALID, StateError, load_state

SALT = "questionnaire-2"
PREFIX = "2."  # marks the compact form; older tokens start with base64 JSON
MAX_TOKEN_LENGTH = 4000
# zlib's preset dictionary: the question ids and answers of 2026-12. Never edit it (tokens
# already given are read with it); new ids compress a little less, and stay correct.
DICTIONARY = (
    b"age: situation_mineur: marie enceinte enfant aucune enceinte: statut: belge ue "
    b"population refugie protection_subsidiaire apatride etrangers demandeur_asile "
    b"sans_sejour ne_sais_pas sejour_ue: plus_3_mois moins_3_mois base_sejour_ue: travailleur "
    b"demandeur_emploi etudiant famille ressources permanent vit_en_belgique: logement: "
    b"domicile sans_logement menage: partenaire parents grands_parents beaux_parents "
    b"enfants_majeurs freres_soeurs autre_famille autres personne frais_partages: oui non "
    b"enfant_mineur: enfants_nombre: garde: toujours alternee moins etudiant: handicap: "
    b"reconnu pas_reconnu revenus: salaire job_etudiant chomage mutuelle allocation_handicap "
    b"allocations_familiales bourse aide_parents autre aucun temps_travail: temps_plein "
    b"temps_partiel revenus_montant: revenus_partenaire: non_demandees: handicap "
    b"prestations_perdues: fin_droits exclusion dispense_refusee renonce capable_travailler: "
    b"sante equite pas_pret deja_cpas: jamais en_cours sans_reponse ris refus arrete sanction "
    b"remboursement decision_recente: dettes: garantie_locative: "
)
SAFE_VALUE = re.compile(r"^[^:;+]*$")


class _Compact(URLSafeTimedSerializer):
    """Signs the compact text itself (no JSON around it)."""

    def dump_payload(self, obj: object) -> bytes:
        raw = str(obj).encode()
        packer = zlib.compressobj(9, zdict=DICTIONARY)
        packed = packer.compress(raw) + packer.flush()
        if len(packed) < len(raw) - 1:
            return b"." + base64_encode(packed)
        return base64_encode(raw)

    def load_payload(
        self, payload: bytes, *args: Any, serializer: Any = None, **kwargs: Any
    ) -> Any:
        compressed = payload.startswith(b".")
        data = base64_decode(payload[1:] if compressed else payload)
        if compressed:
            decompressor = zlib.decompressobj(zdict=DICTIONARY)
            data = decompressor.decompress(data, MAX_TOKEN_LENGTH * 4)
            if decompressor.unconsumed_tail:
                raise BadData("trop long")
        return data.decode()


@lru_cache(maxsize=4)
def _serializer(secret: str) -> _Compact:
    """One per secret: building it costs a few µs on each result page otherwise."""
    return _Compact(secret, salt=SALT)


def encode_answers(q: Questionnaire, answers: Mapping[str, AnswerValue]) -> str:
    """``age:20;statut:belge``: the kept answers, in the questions' order."""
    kept = visible_answers(q, answers)
    parts = []
    for question in q.questions:
        if question.id in kept:
            values = form_values(question, kept[question.id])
            if not all(SAFE_VALUE.match(value) for value in values):
                raise ValueError(f"valeur impossible à écrire : {values!r}")
            parts.append(f"{question.id}:{'+'.join(values)}")
    return ";".join(parts)


def decode_answers(q: Questionnaire, text: str) -> Walk:
    """The answers of ``encode_answers`` and their walk; unknown questions or answers no longer
    allowed go."""
    answers: dict[str, AnswerValue] = {}
    for part in text.split(";") if text else []:
        qid, _, raw = part.partition(":")
        question = q.by_id.get(qid)
        if question is None:
            continue
        values = raw.split("+") if raw else []
        value, message = parse_answer(question, values)
        if message is None and value is not None:
            answers[qid] = value
    return walk(q, answers)


def dump_token(secret: str, q: Questionnaire, answers: Mapping[str, AnswerValue]) -> str:
    return PREFIX + str(_serializer(secret).dumps(encode_answers(q, answers)))


def load_token(secret: str, q: Questionnaire, token: str | None) -> dict[str, AnswerValue]:
    """The answers of a compact token, or of an older JSON one; ``StateError`` when bad."""
    return read_token(secret, q, token).kept


def read_token(secret: str, q: Questionnaire, token: str | None) -> Walk:
    """The walk of ``load_token``'s answers, for a page that needs the questions asked too."""
    if not token:
        return walk(q, {})
    if not token.startswith(PREFIX):
        return walk(q, load_state(secret, q, token))
    if len(token) > MAX_TOKEN_LENGTH:
        raise StateError(INVALID)
    try:
        text = str(_serializer(secret).loads(token[len(PREFIX) :], max_age=state.MAX_AGE_SECONDS))
    except SignatureExpired as error:
        raise StateError(EXPIRED) from error
    except (BadData, UnicodeDecodeError, zlib.error, ValueError) as error:
        raise StateError(INVALID) from error
    return decode_answers(q, text)
