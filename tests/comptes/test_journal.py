"""The audit trail: entries carry their actor, and a pilote reads those of their département."""

import re

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils.html import escape

from maillage.comptes import services
from maillage.comptes.models import Role
from maillage.core.audit import acteur
from tests.comptes.factories import UtilisateurFactory

pytestmark = pytest.mark.django_db


def entrees(compte):
    return LogEntry.objects.get_for_object(compte).order_by("pk")


class TestActeur:
    def test_service_hors_requete(self, pilote, val_de_marne, creteil):
        compte = services.compte_inviter(
            par=pilote,
            email="nouveau@exemple.fr",
            prenom="Léa",
            nom="Roux",
            role=Role.CONSEILLER,
            departements=[val_de_marne],
            communes=[creteil],
            url_site="http://x/",
        )
        journal = list(entrees(compte))
        assert [e.action for e in journal] == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE, LogEntry.Action.UPDATE]
        assert {e.actor for e in journal} == {pilote}
        assert journal[1].changes["departements"]["objects"] == ["Val-de-Marne (94)"]
        assert "password" not in journal[0].changes

    def test_par_une_requete(self, client, pilote, partenaire):
        client.force_login(pilote)
        client.post(
            reverse("comptes:modifier", args=[partenaire.pk]),
            {
                "prenom": "Nouveau",
                "nom": "Nom",
                "organisme": "",
                "role": Role.STRUCTURE,
                "departements": ["94"],
                "version": partenaire.version,
            },
            REMOTE_ADDR="192.0.2.7",
        )
        entree = entrees(partenaire).last()
        assert entree.actor == pilote
        assert entree.remote_addr == "192.0.2.7"
        assert entree.changes["role"] == ["partenaire", "structure"]

    def test_desactivation_journalisee(self, pilote, partenaire):
        services.compte_desactiver(par=pilote, cible=partenaire)
        entree = entrees(partenaire).last()
        assert entree.actor == pilote
        assert entree.changes == {"is_active": ["True", "False"], "version": ["1", "2"]}

    def test_le_contexte_englobant_est_retabli(self, pilote, partenaire, conseiller):
        # As in a request: AuditlogMiddleware's context, then a service naming another actor.
        with set_actor(conseiller):
            with acteur(pilote):
                partenaire.organisme = "Un"
                partenaire.save()
            partenaire.organisme = "Deux"
            partenaire.save()
        premier, second = entrees(partenaire).filter(action=LogEntry.Action.UPDATE, changes__has_key="organisme")
        assert premier.actor == pilote
        assert second.actor == conseiller


class TestPageJournal:
    def test_pilote_voit_son_departement_en_francais(self, client, pilote, conseiller, conseiller_93, pilote_93):
        services.compte_modifier(
            par=pilote,
            cible=conseiller,
            prenom="Nora",
            nom="Haddad",
            organisme="",
            role=Role.PARTENAIRE,
            departements=list(conseiller.departements.all()),
        )
        services.compte_desactiver(par=pilote_93, cible=conseiller_93)
        client.force_login(pilote)
        reponse = client.get(reverse("comptes:journal", args=["94"]))
        assert reponse.status_code == 200
        page = reponse.content.decode()
        assert "Modification" in page
        assert "Rôle</strong> :\n                    Conseiller·e territorial·e → Partenaire" in page
        assert "Communes suivies</strong> :" in page and "retrait : Créteil (94028)" in page
        assert escape(str(pilote)) in page
        assert "conseiller@caf93.fr" not in page

    def test_auteur_inconnu_affiche_systeme(self, client, pilote, val_de_marne):
        UtilisateurFactory(email="cree.par.commande@exemple.fr", role=Role.PARTENAIRE, departements=[val_de_marne])
        client.force_login(pilote)
        page = client.get(reverse("comptes:journal", args=["94"])).content.decode()
        assert "Système (commande ou chargement de données)" in page
        assert "Création" in page

    def test_pagine(self, client, pilote, partenaire):
        for i in range(55):
            partenaire.organisme = f"Organisme {i}"
            partenaire.save()
        client.force_login(pilote)
        premiere = client.get(reverse("comptes:journal", args=["94"]))
        assert len(premiere.context["entrees"]) == 50
        assert "Page 1 sur 2" in premiere.content.decode()
        assert len(client.get(reverse("comptes:journal", args=["94"]), {"page": 2}).context["entrees"]) > 0

    @pytest.mark.parametrize("fixture", ["conseiller", "partenaire", "pilote_93"])
    def test_refuse_aux_autres(self, client, request, fixture, val_de_marne):
        client.force_login(request.getfixturevalue(fixture))
        reponse = client.get(reverse("comptes:journal", args=["94"]))
        assert reponse.status_code == 403
        assert "Accès refusé" in reponse.content.decode()

    def test_historique_sur_la_fiche_du_compte(self, client, pilote, partenaire):
        services.compte_desactiver(par=pilote, cible=partenaire)
        client.force_login(pilote)
        page = client.get(reverse("comptes:modifier", args=[partenaire.pk])).content.decode()
        assert "Historique du compte" in page
        assert "Actif</strong> :\n                    oui → non" in page


def test_changements_lisibles_a_la_creation(pilote, val_de_marne):
    from maillage.comptes.selectors import changements

    compte = services.compte_inviter(
        par=pilote,
        email="lisible@exemple.fr",
        prenom="Léa",
        nom="Roux",
        role=Role.STRUCTURE,
        departements=[val_de_marne],
        url_site="http://x/",
    )
    creation = entrees(compte).get(action=LogEntry.Action.CREATE)
    lignes = {c.champ: c for c in changements(creation)}
    assert lignes["rôle"].apres == "Structure (CS / EVS)"
    assert lignes["rôle"].avant == ""
    assert "statut super-utilisateur" not in {champ.lower() for champ in lignes}  # "no" values are left out
    date = next(c.apres for champ, c in lignes.items() if champ.startswith("date"))
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4} à \d{2}:\d{2}", date)
