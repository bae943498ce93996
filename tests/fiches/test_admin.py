"""Back-office of the fiches expérience: moderation of the text only, the workflow stays with the services."""

import html

import pytest
from django.urls import reverse

from maillage.fiches.models import FicheExperience

from . import test_fiches as base

jeu = base.jeu  # the shared dataset fixture


def _texte(reponse) -> str:
    return html.unescape(reponse.content.decode())


@pytest.mark.django_db
def test_admin_fiches_experience(admin_client, jeu):
    fiche = FicheExperience.objects.create(
        structure=jeu.cs, titre="Un jardin partagé", theme="numerique", public_concerne="Les habitants"
    )
    liste = admin_client.get(reverse("admin:fiches_ficheexperience_changelist"))
    assert liste.status_code == 200
    assert "Un jardin partagé" in _texte(liste) and "Numérique" in _texte(liste)
    for filtre in ({"q": "jardin"}, {"statut__exact": "brouillon"}, {"structure__departement__code__exact": "94"}):
        assert admin_client.get(reverse("admin:fiches_ficheexperience_changelist"), filtre).status_code == 200
    modifier = admin_client.get(reverse("admin:fiches_ficheexperience_change", args=[fiche.pk]))
    assert modifier.status_code == 200
    # Workflow fields are read-only: no input for the status or the publication date.
    contenu = _texte(modifier)
    assert 'name="statut"' not in contenu and 'name="publiee_le"' not in contenu and 'name="titre"' in contenu
    assert admin_client.get(reverse("admin:fiches_ficheexperience_add")).status_code == 403


@pytest.mark.django_db
def test_admin_refuse_aux_non_administrateurs(client, jeu):
    client.force_login(jeu.pilote)
    page = client.get(reverse("admin:fiches_ficheexperience_changelist"))
    assert page.status_code == 302 and "/login/" in page["Location"]
