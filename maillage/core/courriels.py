"""The one home of outgoing e-mails: French, a plain-text part always, an HTML part when its template exists,
attachments (an iCalendar invitation…), absolute links built from settings.MAILLAGE_URL (no request in background
work).

`courriel_envoyer(...)` renders `<gabarit>.txt` (required: the subject is its first line, after "Objet : ") and
`<gabarit>.html` (optional), and sends one message. It raises on an SMTP failure: a batch records the failure per
recipient (see the réseau's sending task) and a single notification lets the caller decide.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string

__all__ = ["PieceJointe", "courriel_envoyer", "lien_absolu"]

PREFIXE_OBJET = "Objet :"


@dataclass(frozen=True)
class PieceJointe:
    nom: str
    contenu: bytes
    type_contenu: str


def lien_absolu(chemin: str) -> str:
    """`/evenements/3/` → `https://maillage.example/evenements/3/` (MAILLAGE_URL)."""
    if chemin.startswith(("http://", "https://")):
        return chemin
    return f"{settings.MAILLAGE_URL}{chemin if chemin.startswith('/') else '/' + chemin}"


def _objet_et_corps(texte: str) -> tuple[str, str]:
    premiere, _, reste = texte.lstrip().partition("\n")
    if not premiere.startswith(PREFIXE_OBJET):
        raise ValueError("Le gabarit texte d'un courriel commence par « Objet : … ».")
    return " ".join(premiere[len(PREFIXE_OBJET) :].split()), reste.strip() + "\n"


def courriel_envoyer(
    *,
    a: str | list[str],
    gabarit: str,
    contexte: dict | None = None,
    pieces_jointes: list[PieceJointe] | tuple = (),
    repondre_a: str = "",
    connexion=None,
) -> None:
    """Render and send one e-mail (`gabarit` without extension, e.g. "reseau/courriels/confirmation").

    `connexion`: an open `get_connection()` reused by a batch (one SMTP session for thousands of messages)."""
    contexte = {"plateforme": getattr(settings, "MAILLAGE_NOM", "Maillage"), **(contexte or {})}
    objet, corps = _objet_et_corps(render_to_string(f"{gabarit}.txt", contexte))
    message = EmailMultiAlternatives(
        subject=objet,
        body=corps,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[a] if isinstance(a, str) else list(a),
        reply_to=[repondre_a] if repondre_a else None,
        headers={"Content-Language": "fr"},
        connection=connexion,
    )
    try:
        html = render_to_string(f"{gabarit}.html", contexte)
    except TemplateDoesNotExist:
        html = ""
    if html:
        message.attach_alternative(html, "text/html")
    for piece in pieces_jointes:
        message.attach(piece.nom, piece.contenu, piece.type_contenu)
    message.send(fail_silently=False)
