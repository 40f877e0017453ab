"""Characters that no form of the site accepts: the NUL byte, control characters and what is
left of invalid UTF-8.

PostgreSQL refuses a NUL in a text column, and none of these characters belong in a pseudonym,
an address or a message. A form that carries one is refused on its own page, with a French
message on each field concerned, and what the person typed is shown back without them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# C0 controls but tab and line breaks, DEL and C1 controls, lone surrogates, and U+FFFD: the
# character a form parser puts for bytes that were not UTF-8.
UNUSABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffd]")

MESSAGE_TU = (
    "Ce champ contenait un caractère invisible ou illisible (octet nul, caractère de contrôle "
    "ou octet qui n'est pas du texte) ; nous l'avons retiré. Vérifie le texte, puis envoie à "
    "nouveau."
)
MESSAGE_VOUS = (
    "Ce champ contenait un caractère invisible ou illisible (octet nul, caractère de contrôle "
    "ou octet qui n'est pas du texte) ; il a été retiré. Vérifiez le texte, puis envoyez à "
    "nouveau."
)


def usable(text: str) -> str:
    """``text`` without the characters the site refuses."""
    return UNUSABLE.sub("", text)


def unusable_fields(values: Mapping[str, str], *, formal: bool = False) -> dict[str, str]:
    """A French message for each field whose text holds a refused character.

    ``formal`` says « vous » (staff pages); the public pages say « tu »."""
    message = MESSAGE_VOUS if formal else MESSAGE_TU
    return {name: message for name, value in values.items() if UNUSABLE.search(value)}
