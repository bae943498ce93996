"""Event pages: agenda, event, forms, programme, series; and who may not see or change them."""

import datetime

import pytest
from django.urls import reverse

from maillage.core.roles import Role
from maillage.reseau.models import Evenement, Intervenant, SerieAteliers, SessionProgramme
from tests.comptes.factories import OrganisationFactory, UtilisateurFactory
from tests.reseau.factories import (
    EvenementFactory,
    InscriptionFactory,
    RessourceFactory,
    SerieAteliersFactory,
    SessionProgrammeFactory,
    dans,
)
from tests.territoires.factories import DepartementFactory


@pytest.fixture
def dep(territoire_94):
    return territoire_94.departement


@pytest.fixture
def pilote(dep):
    return UtilisateurFactory(role=Role.PILOTE, departements=[dep])


def _moment(d: datetime.datetime) -> str:
    from django.utils import timezone

    return timezone.localtime(d).strftime("%Y-%m-%dT%H:%M")


def _donnees(**k):
    return {
        "titre": "Journée départementale fictive",
        "type": "journee_departementale",
        "statut": "publie",
        "acces": "public",
        "debut": _moment(dans(20, 9)),
        "fin": _moment(dans(20, 17)),
        "lieu_nom": "Salle fictive",
        "capacite": "80",
        "liste_attente": "on",
        **k,
    }


# --- Agenda -------------------------------------------------------------------------------------------------------


def test_agenda_a_venir_puis_passes_en_francais(client, dep, django_assert_max_num_queries):
    EvenementFactory(departement=dep, titre="Prochaine journée", capacite=2, lieu_commune=None)
    complet = EvenementFactory(departement=dep, titre="Atelier complet", capacite=1)
    InscriptionFactory(evenement=complet)
    InscriptionFactory(evenement=complet, statut="liste_attente")
    EvenementFactory(departement=dep, titre="Journée passée", debut=dans(-40), fin=dans(-40, 17))
    for i in range(10):
        EvenementFactory(departement=dep, titre=f"Autre {i}")
    with django_assert_max_num_queries(12):
        reponse = client.get(reverse("reseau:evenements"), {"departement": "94"})
    texte = reponse.content.decode()
    assert reponse.status_code == 200
    assert texte.index("Prochaine journée") < texte.index("Journée passée")
    assert "2 places restantes" in texte
    assert "complet" in texte and "liste d'attente (1)" in texte
    assert "Inscriptions ouvertes" in texte and "Cet événement est passé." in texte
    assert reverse("reseau:evenements_ics", args=["94"]) in texte
    assert "Nouvel événement" not in texte


def test_agenda_ne_montre_ni_brouillon_ni_autre_departement_filtre(client, dep):
    EvenementFactory(departement=dep, titre="Brouillon caché", statut="brouillon")
    EvenementFactory(departement=DepartementFactory(code="93"), titre="Ailleurs")
    EvenementFactory(departement=dep, titre="Atelier du 94", type="atelier")
    texte = client.get(reverse("reseau:evenements"), {"departement": "94"}).content.decode()
    assert "Brouillon caché" not in texte and "Ailleurs" not in texte and "Atelier du 94" in texte
    texte = client.get(reverse("reseau:evenements"), {"departement": "94", "type": "comite"}).content.decode()
    assert "Atelier du 94" not in texte


def test_agenda_bouton_nouvel_evenement_pour_le_pilote(client, dep, pilote):
    client.force_login(pilote)
    texte = client.get(reverse("reseau:evenements"), {"departement": "94"}).content.decode()
    assert reverse("reseau:evenement_creer") + "?departement=94" in texte


# --- Event page ---------------------------------------------------------------------------------------------------


def test_page_evenement_lieu_programme_ressources(client, dep):
    creteil = dep.communes.get(code="94028")
    caf = OrganisationFactory(departement=dep, nom="Caf fictive")
    ev = EvenementFactory(
        departement=dep, lieu_adresse="1 rue fictive", lieu_commune=creteil, longitude=2.45, latitude=48.79,
        organisateur=caf,
    )  # fmt: skip
    ev.coorganisateurs.add(OrganisationFactory(departement=dep, nom="Fédération fictive"))
    session = SessionProgrammeFactory(evenement=ev, titre="Table ronde fictive", salle="Salle B", capacite=30)
    Intervenant.objects.create(session=session, nom="A. Fictif", fonction="Directrice", organisation="Centre fictif")
    RessourceFactory(departement=dep, evenement=ev, titre="Restitution publique")
    RessourceFactory(departement=dep, evenement=ev, titre="Note interne", visibilite="caf")
    texte = client.get(reverse("reseau:evenement", args=[ev.pk])).content.decode()
    for attendu in ("1 rue fictive", "Créteil", "data-evenement-carte", "Table ronde fictive", "Salle B",
                    "A. Fictif, Directrice, Centre fictif", "Restitution publique", "Caf fictive",
                    "Fédération fictive", reverse("reseau:inscrire", args=[ev.pk]),
                    reverse("reseau:evenement_ics", args=[ev.pk])):  # fmt: skip
        assert attendu in texte, attendu
    assert "Note interne" not in texte
    assert reverse("reseau:pointage", args=[ev.pk]) not in texte  # no tabs for the public


def test_page_evenement_nombre_de_requetes_constant(client, dep, pilote, django_assert_max_num_queries):
    ev = EvenementFactory(departement=dep)
    for _ in range(6):
        session = SessionProgrammeFactory(evenement=ev)
        Intervenant.objects.create(session=session, fonction="Directrice")
        RessourceFactory(departement=dep, evenement=ev)
    client.force_login(pilote)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("reseau:evenement", args=[ev.pk])).status_code == 200


def test_page_evenement_onglets_pour_l_organisateur(client, dep, pilote):
    ev = EvenementFactory(departement=dep)
    client.force_login(pilote)
    texte = client.get(reverse("reseau:evenement", args=[ev.pk])).content.decode()
    for nom in ("programme", "inscriptions", "pointage", "statistiques", "envois", "enquete", "evenement_modifier"):
        assert reverse(f"reseau:{nom}", args=[ev.pk]) in texte


def test_page_evenement_ferme_donne_la_raison(client, dep):
    ev = EvenementFactory(departement=dep, inscriptions_fermees=True)
    texte = client.get(reverse("reseau:evenement", args=[ev.pk])).content.decode()
    assert "Les inscriptions sont fermées." in texte
    assert reverse("reseau:inscrire", args=[ev.pk]) not in texte


def test_brouillon_introuvable_pour_le_public_et_hors_perimetre(client, dep):
    ev = EvenementFactory(departement=dep, statut="brouillon")
    assert client.get(reverse("reseau:evenement", args=[ev.pk])).status_code == 404
    assert client.get(reverse("reseau:evenement_ics", args=[ev.pk])).status_code == 404
    client.force_login(UtilisateurFactory(role=Role.PILOTE, departements=[DepartementFactory(code="93")]))
    assert client.get(reverse("reseau:evenement", args=[ev.pk])).status_code == 404
    client.force_login(UtilisateurFactory(role=Role.PARTENAIRE, departements=[dep]))
    assert client.get(reverse("reseau:evenement", args=[ev.pk])).status_code == 404


def test_evenement_reserve_au_reseau_refuse_hors_perimetre(client, dep):
    ev = EvenementFactory(departement=dep, acces="reseau")
    assert client.get(reverse("reseau:evenement", args=[ev.pk])).status_code == 404
    client.force_login(UtilisateurFactory(role=Role.PARTENAIRE, departements=[DepartementFactory(code="93")]))
    assert client.get(reverse("reseau:evenement", args=[ev.pk])).status_code == 403
    client.force_login(UtilisateurFactory(role=Role.STRUCTURE, departements=[dep]))
    assert client.get(reverse("reseau:evenement", args=[ev.pk])).status_code == 200


# --- Forms --------------------------------------------------------------------------------------------------------


def test_pilote_cree_un_evenement_une_seule_fois(client, dep, pilote):
    client.force_login(pilote)
    url = reverse("reseau:evenement_creer") + "?departement=94"
    page = client.get(url).content.decode()
    assert 'type="datetime-local"' in page
    orga = OrganisationFactory(departement=dep)
    donnees = _donnees(lieu_commune="94028", coorganisateurs=[orga.pk], jeton_formulaire="a" * 32)
    reponse = client.post(url, donnees)
    ev = Evenement.objects.get()
    assert reponse.status_code == 302 and reponse["Location"] == reverse("reseau:evenement", args=[ev.pk])
    assert ev.departement_id == "94" and ev.lieu_commune_id == "94028" and list(ev.coorganisateurs.all()) == [orga]
    client.post(url, donnees)
    assert Evenement.objects.count() == 1


def test_creation_erreurs_en_francais(client, dep, pilote):
    client.force_login(pilote)
    url = reverse("reseau:evenement_creer") + "?departement=94"
    autre = OrganisationFactory(departement=DepartementFactory(code="93"))
    reponse = client.post(url, _donnees(titre="", fin=_moment(dans(19, 9)), coorganisateurs=[autre.pk],
                                        lieu_commune="75056"))  # fmt: skip
    assert reponse.status_code == 200
    erreurs = reponse.context["form"].errors
    assert "titre" in erreurs and "coorganisateurs" in erreurs and "lieu_commune" in erreurs
    reponse = client.post(url, _donnees(fin=_moment(dans(19, 9))))
    assert "La fin doit venir après le début." in reponse.content.decode()
    assert Evenement.objects.count() == 0


@pytest.mark.parametrize("role", [Role.PARTENAIRE, Role.STRUCTURE])
def test_partenaire_ou_structure_ne_cree_ni_ne_modifie(client, dep, role):
    ev = EvenementFactory(departement=dep)
    client.force_login(UtilisateurFactory(role=role, departements=[dep]))
    assert client.get(reverse("reseau:evenement_creer") + "?departement=94").status_code == 403
    assert client.post(reverse("reseau:evenement_creer") + "?departement=94", _donnees()).status_code == 403
    assert client.get(reverse("reseau:evenement_modifier", args=[ev.pk])).status_code == 403
    assert client.get(reverse("reseau:programme", args=[ev.pk])).status_code == 403
    assert Evenement.objects.count() == 1


def test_pilote_d_un_autre_departement_refuse(client, dep):
    ev = EvenementFactory(departement=dep)
    client.force_login(UtilisateurFactory(role=Role.PILOTE, departements=[DepartementFactory(code="93")]))
    assert client.get(reverse("reseau:evenement_creer") + "?departement=94").status_code == 403
    assert client.post(reverse("reseau:evenement_modifier", args=[ev.pk]), _donnees()).status_code == 403
    assert client.get(reverse("reseau:serie_creer") + "?departement=94").status_code == 403


def test_anonyme_renvoye_a_la_connexion(client, dep):
    ev = EvenementFactory(departement=dep)
    urls = [
        reverse("reseau:evenement_creer") + "?departement=94",
        reverse("reseau:evenement_modifier", args=[ev.pk]),
        reverse("reseau:programme", args=[ev.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 302


def test_modification_avec_version_et_capacite_minimale(client, dep, pilote):
    ev = EvenementFactory(departement=dep, capacite=10)
    InscriptionFactory(evenement=ev)
    InscriptionFactory(evenement=ev)
    client.force_login(pilote)
    url = reverse("reseau:evenement_modifier", args=[ev.pk])
    assert client.get(url).status_code == 200
    reponse = client.post(url, _donnees(capacite="1", version=ev.version))
    assert "2 inscriptions sont déjà confirmées" in reponse.content.decode()
    reponse = client.post(url, _donnees(titre="Nouveau titre", version=ev.version))
    assert reponse.status_code == 302
    ev.refresh_from_db()
    assert ev.titre == "Nouveau titre"
    # A stale version is refused.
    reponse = client.post(url, _donnees(titre="Perdu", version=ev.version - 1))
    assert reponse.status_code == 200
    ev.refresh_from_db()
    assert ev.titre == "Nouveau titre"


# --- Programme ----------------------------------------------------------------------------------------------------


def test_programme_ajouter_modifier_supprimer(client, dep, pilote):
    ev = EvenementFactory(departement=dep)
    client.force_login(pilote)
    url = reverse("reseau:programme", args=[ev.pk])
    donnees = {
        "titre": "Plénière d'ouverture", "type": "pleniere", "debut": _moment(ev.debut),
        "fin": _moment(ev.debut + datetime.timedelta(hours=1)), "salle": "Amphi",
        "intervenant_0_nom": "B. Fictive", "intervenant_0_fonction": "Présidente", "intervenant_0_organisation": "Caf",
        "intervenant_2_nom": "Sans fonction",
    }  # fmt: skip
    reponse = client.post(url, donnees)
    assert reponse.status_code == 200 and "Indiquez la fonction" in reponse.content.decode()
    donnees["intervenant_2_fonction"] = "Directeur"
    assert client.post(url, donnees).status_code == 302
    session = SessionProgramme.objects.get()
    assert [str(i) for i in session.intervenants.all()] == ["B. Fictive, Présidente, Caf", "Sans fonction, Directeur"]
    url_session = reverse("reseau:session_modifier", args=[ev.pk, session.pk])
    assert client.get(url_session).status_code == 200
    hors = {**donnees, "fin": _moment(ev.fin + datetime.timedelta(hours=1))}
    assert "pendant l&#x27;événement" in client.post(url_session, hors).content.decode()
    assert client.post(url_session, {**donnees, "salle": "Salle 2", "intervenant_2_nom": ""}).status_code == 302
    session.refresh_from_db()
    assert session.salle == "Salle 2"
    url_suppr = reverse("reseau:session_supprimer", args=[ev.pk, session.pk])
    assert client.get(url_suppr).status_code == 200
    assert client.post(url_suppr).status_code == 302
    assert not SessionProgramme.objects.exists()


def test_session_capacite_pas_sous_les_places_reservees(client, dep, pilote):
    from maillage.reseau import services

    ev = EvenementFactory(departement=dep)
    atelier = SessionProgrammeFactory(evenement=ev, capacite=5)
    for n in range(2):
        services.inscription_creer(evenement=ev, nom=f"N{n}", email=f"n{n}@exemple.fr", sessions=[atelier.pk])
    client.force_login(pilote)
    donnees = {"titre": atelier.titre, "type": "atelier", "debut": _moment(atelier.debut),
               "fin": _moment(atelier.fin), "capacite": "1", "au_choix": "on"}  # fmt: skip
    reponse = client.post(reverse("reseau:session_modifier", args=[ev.pk, atelier.pk]), donnees)
    assert "2 places sont déjà réservées" in reponse.content.decode()


def test_session_d_un_autre_evenement_introuvable(client, dep, pilote):
    ev = EvenementFactory(departement=dep)
    autre = SessionProgrammeFactory(evenement=EvenementFactory(departement=dep))
    client.force_login(pilote)
    assert client.get(reverse("reseau:session_modifier", args=[ev.pk, autre.pk])).status_code == 404
    assert client.post(reverse("reseau:session_supprimer", args=[ev.pk, autre.pk])).status_code == 404


# --- Series -------------------------------------------------------------------------------------------------------


def test_series_creer_modifier_et_page(client, dep, pilote):
    client.force_login(pilote)
    reponse = client.post(reverse("reseau:serie_creer") + "?departement=94", {"titre": "Ateliers d'évaluation"})
    serie = SerieAteliers.objects.get()
    assert reponse.status_code == 302
    EvenementFactory(departement=dep, serie=serie, titre="Séance 1")
    EvenementFactory(departement=dep, serie=serie, titre="Séance brouillon", statut="brouillon")
    RessourceFactory(departement=dep, serie=serie, titre="Restitution 1", resume="Ce qui a été dit.")
    RessourceFactory(departement=dep, serie=serie, titre="Restitution Caf", visibilite="caf")
    texte = client.get(reverse("reseau:serie", args=[serie.pk])).content.decode()
    assert "Séance 1" in texte and "Restitution 1" in texte and "Ce qui a été dit." in texte
    assert reverse("reseau:ressource_creer") + f"?serie={serie.pk}" in texte
    url = reverse("reseau:serie_modifier", args=[serie.pk])
    assert client.post(url, {"titre": "Ateliers 2016", "version": serie.version}).status_code == 302
    serie.refresh_from_db()
    assert serie.titre == "Ateliers 2016"
    assert "Ateliers 2016" in client.get(reverse("reseau:series"), {"departement": "94"}).content.decode()
    client.logout()
    texte = client.get(reverse("reseau:serie", args=[serie.pk])).content.decode()
    assert "Séance brouillon" not in texte and "Restitution Caf" not in texte and "Modifier la série" not in texte


def test_serie_refusee_au_partenaire(client, dep):
    serie = SerieAteliersFactory(departement=dep)
    client.force_login(UtilisateurFactory(role=Role.PARTENAIRE, departements=[dep]))
    assert client.post(reverse("reseau:serie_creer") + "?departement=94", {"titre": "X"}).status_code == 403
    assert client.post(reverse("reseau:serie_modifier", args=[serie.pk]), {"titre": "X"}).status_code == 403


def test_agenda_periode_a_venir_seulement(client, dep):
    EvenementFactory(departement=dep, titre="Bientôt")
    EvenementFactory(departement=dep, titre="Jadis", debut=dans(-40), fin=dans(-40, 17))
    texte = client.get(reverse("reseau:evenements"), {"departement": "94", "periode": "a_venir"}).content.decode()
    assert "Bientôt" in texte and "Jadis" not in texte
    texte = client.get(reverse("reseau:evenements"), {"departement": "94", "periode": "passes"}).content.decode()
    assert "Bientôt" not in texte and "Jadis" in texte


def test_agenda_filtre_invalide_ignore_sans_erreur(client, dep):
    EvenementFactory(departement=dep, titre="Toujours là")
    reponse = client.get(reverse("reseau:evenements"), {"departement": "zz", "periode": "x", "type": "y"})
    assert reponse.status_code == 200 and "Toujours là" in reponse.content.decode()


def test_programme_nombre_de_requetes_constant(client, dep, pilote, django_assert_max_num_queries):
    ev = EvenementFactory(departement=dep)
    for _ in range(8):
        session = SessionProgrammeFactory(evenement=ev, capacite=10)
        Intervenant.objects.create(session=session, fonction="Animatrice")
    client.force_login(pilote)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("reseau:programme", args=[ev.pk])).status_code == 200


def test_complet_sans_liste_d_attente_pas_d_appel_a_s_inscrire(client, dep):
    ev = EvenementFactory(departement=dep, capacite=1, liste_attente=False)
    InscriptionFactory(evenement=ev)
    texte = client.get(reverse("reseau:evenement", args=[ev.pk])).content.decode()
    assert "L&#x27;événement est complet." in texte
    assert reverse("reseau:inscrire", args=[ev.pk]) not in texte
