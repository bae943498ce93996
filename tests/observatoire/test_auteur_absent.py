"""Pages that name who changed or commented an answer still open when nobody is named: a status change made by an
import or the demo (no account) and a comment or sending back whose account was deleted since (SET_NULL)."""

import html

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from maillage.comptes.models import Role
from maillage.observatoire.models import Commentaire, Statut, Transition
from tests.comptes.factories import UtilisateurFactory
from tests.observatoire.factories import CampagneFactory, ReponseFactory
from tests.structures.factories import StructureFactory


@pytest.fixture
def reponse_sans_auteurs(territoire_94):
    dep = territoire_94.departement
    campagne = CampagneFactory(departement=dep, annee=2016)
    structure = StructureFactory(nom="Centre social des Bleuets", commune=territoire_94.communes[0])
    reponse = ReponseFactory(
        campagne=campagne,
        structure=structure,
        statut=Statut.A_CORRIGER,
        soumise_le=timezone.now(),
        valeurs={"q_nombre": 12},
    )
    parti = UtilisateurFactory(role=Role.PILOTE, departements=[dep], email="parti@exemple.fr")
    # Imports from the command line and the demo's structures without account write no author.
    Transition.objects.create(
        reponse=reponse, de=Statut.BROUILLON, vers=Statut.SOUMISE, par=None, motif="import : export-2016.xlsx"
    )
    Transition.objects.create(reponse=reponse, de=Statut.SOUMISE, vers=Statut.A_CORRIGER, par=parti, motif="Revoir")
    Commentaire.objects.create(reponse=reponse, question="", auteur=parti, texte="Commentaire général")
    Commentaire.objects.create(reponse=reponse, question="q_nombre", auteur=parti, texte="Nombre à vérifier")
    Commentaire.objects.create(reponse=reponse, question="q_nombre", auteur=None, texte="Sans auteur")
    parti.delete()
    return reponse


def _texte(page) -> str:
    return html.unescape(page.content.decode())


@pytest.mark.django_db
def test_page_de_relecture_avec_transition_et_commentaires_sans_auteur(client, reponse_sans_auteurs):
    assert not Transition.objects.filter(reponse=reponse_sans_auteurs, par__isnull=False).exists()
    client.force_login(UtilisateurFactory(role=Role.PILOTE, departements=[reponse_sans_auteurs.campagne.departement]))
    page = client.get(reverse("observatoire:relire", args=[reponse_sans_auteurs.pk]))
    assert page.status_code == 200
    texte = _texte(page)
    assert "Système ou compte supprimé" in texte
    assert "Compte supprimé" in texte and "Nombre à vérifier" in texte and "Commentaire général" in texte


@pytest.mark.django_db
def test_pages_de_la_structure_avec_renvoi_et_commentaire_sans_auteur(client, reponse_sans_auteurs):
    client.force_login(UtilisateurFactory(role=Role.STRUCTURE, structure=reponse_sans_auteurs.structure))
    page = client.get(reverse("observatoire:reponse", args=[reponse_sans_auteurs.pk]))
    assert page.status_code == 200
    assert "par un compte supprimé : Revoir" in _texte(page)
    page = client.get(reverse("observatoire:section", args=[reponse_sans_auteurs.pk, "s1"]))
    assert page.status_code == 200
    assert "(compte supprimé)" in _texte(page) and "Nombre à vérifier" in _texte(page)


@pytest.mark.django_db
def test_portrait_avec_historique_sans_auteur(client, reponse_sans_auteurs):
    reponse = reponse_sans_auteurs
    reponse.statut, reponse.verrouillee, reponse.validee_le = Statut.VALIDEE, True, timezone.now()
    reponse.save()
    Transition.objects.create(reponse=reponse, de=Statut.A_CORRIGER, vers=Statut.VALIDEE, par=None)
    client.force_login(UtilisateurFactory(role=Role.PILOTE, departements=[reponse.campagne.departement]))
    assert client.get(reverse("observatoire:portrait", args=[2016, reponse.structure.pk])).status_code == 200
    assert client.get(reverse("observatoire:relire", args=[reponse.pk])).status_code == 200


@pytest.mark.django_db
def test_filtre_personne():
    gabarit = Template('{% load maillage %}{{ u|personne }}|{{ u|personne:"Système" }}')
    assert gabarit.render(Context({"u": None})) == "—|Système"
    sans_nom = UtilisateurFactory.build(first_name="", last_name="", email="a@exemple.fr")
    assert gabarit.render(Context({"u": sans_nom})) == "a@exemple.fr|a@exemple.fr"
    nomme = UtilisateurFactory.build(first_name="Ada", last_name="Lovelace")
    assert gabarit.render(Context({"u": nomme})) == "Ada Lovelace|Ada Lovelace"
