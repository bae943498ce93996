"""The one home of e-mails (`core.courriels`): subject from the first line, text part always, HTML when its template
exists, attachments, absolute links, a shared connection."""

import pytest
from django.core import mail
from django.core.mail import get_connection

from maillage.core.courriels import PieceJointe, courriel_envoyer, lien_absolu


@pytest.fixture
def gabarits(tmp_path, settings):
    dossier = tmp_path / "gabarits" / "essai"
    dossier.mkdir(parents=True)
    (dossier / "simple.txt").write_text("Objet :   Bonjour   {{ nom }}\nCorps pour {{ nom }}.\n", encoding="utf-8")
    (dossier / "riche.txt").write_text("\n  Objet : Riche\nTexte.\n", encoding="utf-8")
    (dossier / "riche.html").write_text("<p>Texte <strong>{{ nom }}</strong></p>", encoding="utf-8")
    (dossier / "sans_objet.txt").write_text("Bonjour\nTexte\n", encoding="utf-8")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path / "gabarits", *settings.TEMPLATES[0].get("DIRS", [])]}
    ]
    return dossier


def test_objet_premiere_ligne_et_texte_seul(gabarits):
    courriel_envoyer(a="a@exemple.fr", gabarit="essai/simple", contexte={"nom": "Léa"})
    (m,) = mail.outbox
    assert m.subject == "Bonjour Léa"
    assert m.body == "Corps pour Léa.\n"
    assert m.alternatives == [] and m.attachments == []
    assert m.to == ["a@exemple.fr"] and m.extra_headers["Content-Language"] == "fr"


def test_html_facultatif_et_pieces_jointes(gabarits):
    piece = PieceJointe("essai.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar; method=REQUEST")
    courriel_envoyer(
        a=["a@exemple.fr", "b@exemple.fr"], gabarit="essai/riche", contexte={"nom": "<Léa>"},
        pieces_jointes=[piece], repondre_a="organisation@exemple.fr",
    )  # fmt: skip
    (m,) = mail.outbox
    assert m.subject == "Riche" and m.to == ["a@exemple.fr", "b@exemple.fr"]
    assert m.reply_to == ["organisation@exemple.fr"]
    ((html, type_html),) = m.alternatives
    assert type_html == "text/html" and "&lt;Léa&gt;" in html
    assert m.attachments[0][0] == "essai.ics"
    assert "text/calendar" in m.message().as_string()


def test_gabarit_sans_objet_refuse(gabarits):
    with pytest.raises(ValueError, match="Objet"):
        courriel_envoyer(a="a@exemple.fr", gabarit="essai/sans_objet")
    assert not mail.outbox


def test_connexion_partagee(gabarits):
    connexion = get_connection()
    envoyer, appels = connexion.send_messages, []
    connexion.send_messages = lambda messages: appels.append(len(messages)) or envoyer(messages)
    courriel_envoyer(a="a@exemple.fr", gabarit="essai/simple", contexte={"nom": "A"}, connexion=connexion)
    courriel_envoyer(a="b@exemple.fr", gabarit="essai/simple", contexte={"nom": "B"}, connexion=connexion)
    assert appels == [1, 1] and len(mail.outbox) == 2


def test_lien_absolu(settings):
    settings.MAILLAGE_URL = "https://maillage.exemple"
    assert lien_absolu("/evenements/3/") == "https://maillage.exemple/evenements/3/"
    assert lien_absolu("evenements/3/") == "https://maillage.exemple/evenements/3/"
    assert lien_absolu("https://ailleurs.exemple/x") == "https://ailleurs.exemple/x"
