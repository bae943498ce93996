"""The demo's network (charger_demo): the departmental day of 29/09/2016 with the founding document's programme
and 150+ fictional participants, the 2016 evaluation workshops and their restitutions, the annuaire, the SDAVS as
a public resource and the founding document as a news post. No e-mail leaves while it loads.

Loaded once for the module on the real territories of département 94, then the tables are flushed (like
tests/demo/test_demo_schema.py)."""

import datetime
from io import StringIO
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.test import override_settings

from maillage.comptes.models import Organisation
from maillage.demo import reseau as demo
from maillage.reseau import notifications
from maillage.reseau.models import (
    Actualite,
    BaseLegale,
    Evenement,
    Inscription,
    ListeDiffusion,
    Personne,
    Ressource,
    SerieAteliers,
    SessionProgramme,
)
from maillage.reseau.selectors import evenements_visibles, statistiques
from maillage.schema.models import Schema
from tests.bareme import remettre_bareme_initial

PARIS = ZoneInfo("Europe/Paris")


def compter():
    return {
        modele.__name__: modele.objects.count()
        for modele in (Evenement, SessionProgramme, Inscription, Personne, ListeDiffusion, Ressource, Actualite)
    }


@pytest.fixture(scope="module")
def chargement(django_db_setup, django_db_blocker):
    """charger_demo twice; the e-mails the réseau tried to send are counted (none may leave)."""
    with django_db_blocker.unblock():
        remettre_bareme_initial()
        with (
            override_settings(DEBUG=True, MAILLAGE_DEMO=True),
            mock.patch.object(notifications, "courriel_envoyer") as envoyer,
        ):
            sortie = StringIO()
            call_command("charger_demo", stdout=sortie, stderr=StringIO())
            apres_premier = compter()
            relance = StringIO()
            call_command("charger_demo", stdout=relance, stderr=StringIO())
            apres_second = compter()
        yield {
            "sortie": sortie.getvalue(),
            "relance": relance.getvalue(),
            "envois": envoyer.call_count,
            "comptes": (apres_premier, apres_second),
        }
        call_command("flush", interactive=False, verbosity=0)
        remettre_bareme_initial()


@pytest.fixture
def journee(chargement, db):
    return Evenement.objects.select_related("organisateur", "lieu_commune", "schema").get(
        departement_id="94", titre=demo.TITRE_JOURNEE
    )


def test_la_journee_du_29_septembre_2016_au_centre_des_bords_de_marne(journee):
    assert journee.debut.astimezone(PARIS) == datetime.datetime(2016, 9, 29, 9, 0, tzinfo=PARIS)
    assert journee.fin.astimezone(PARIS) == datetime.datetime(2016, 9, 29, 17, 0, tzinfo=PARIS)
    assert journee.lieu_nom == "Centre des Bords de Marne"
    assert "2 rue de la Prairie" in journee.lieu_adresse and "94170" in journee.lieu_adresse
    assert journee.lieu_commune_id == "94058" and journee.lieu_commune.nom == "Le Perreux-sur-Marne"
    assert abs(journee.longitude - 2.5036) < 0.01 and abs(journee.latitude - 48.837) < 0.01
    assert (journee.type, journee.acces, journee.statut, journee.capacite) == (
        Evenement.Type.JOURNEE,
        Evenement.Acces.INVITATION,
        Evenement.Statut.PUBLIE,
        180,
    )
    assert journee.organisateur.type == Organisation.Type.CAF
    assert {o.type for o in journee.coorganisateurs.all()} == {
        Organisation.Type.CONSEIL_DEPARTEMENTAL,
        Organisation.Type.PREFECTURE,
        Organisation.Type.FEDERATION,
    }
    assert journee.schema == Schema.objects.get(departement_id="94", debut=2016)
    # Public page: an anonymous visitor sees the day; the workshops are for the network's accounts.
    visibles = set(evenements_visibles(AnonymousUser(), departement="94").values_list("titre", flat=True))
    assert demo.TITRE_JOURNEE in visibles
    assert not visibles & {a.titre for a in demo.ATELIERS}


def test_programme_du_document_fondateur_intervenants_par_fonction_aux_noms_fictifs(journee):
    sessions = list(journee.sessions.prefetch_related("intervenants").order_by("debut", "ordre"))
    titres = " | ".join(s.titre for s in sessions)
    for mot in ("Accueil", "Ouverture", "schéma directeur", "partenaires", "Déjeuner", "évaluation", "Restitution",
                "Débat", "Clôture"):  # fmt: skip
        assert mot in titres, mot
    assert all(journee.debut <= s.debut <= s.fin <= journee.fin for s in sessions)
    assert all(a.fin <= b.debut for a, b in zip(sessions, sessions[1:], strict=False))  # one after the other
    intervenants = [i for s in sessions for i in s.intervenants.all()]
    assert intervenants and all(i.fonction for i in intervenants)
    assert all(i.nom.endswith("(nom fictif)") for i in intervenants if i.nom)
    fonctions = " | ".join(f"{i.fonction} {i.organisation}" for i in intervenants)
    for attendu in ("Directeur de la Caf", "TMO Régions", "Vice-président", "cohésion sociale", "Fédération",
                    "Sociologue"):  # fmt: skip
        assert attendu in fonctions, attendu
    restitution = next(s for s in sessions if s.titre.startswith("Restitution"))
    assert [i.fonction for i in restitution.intervenants.all()] == [
        "Directrice de centre social",
        "Directeur de centre social",
    ]


def test_plus_de_150_presents_de_toutes_les_categories_liste_d_attente_et_annulations(journee):
    stats = statistiques(journee)
    assert stats["inscrits"] >= 150 and stats["presents"] > 150
    assert stats["liste_attente"] > 0 and stats["annulees"] > 0 and stats["sur_place"] > 0
    categories = [p for p in stats["par_categorie"] if p["presents"]]
    assert len(categories) >= 8
    assert {"elu", "conseil_departemental", "prefecture", "ddets", "centre_social", "evs", "ccas", "rpe",
            "caf"} <= {p["cle"] for p in categories}  # fmt: skip
    assert len([p for p in stats["par_commune"] if p["presents"]]) >= 10
    inscriptions = journee.inscriptions.all()
    # The room's capacity held: only the walk-ins came on top of it.
    enregistrees = inscriptions.filter(statut=Inscription.Statut.CONFIRMEE).exclude(origine="sur_place")
    assert enregistrees.count() == journee.capacite
    assert all(i.email.endswith("@exemple.fr") for i in inscriptions)
    assert {i.origine for i in inscriptions} == {"demo", "organisateur", "sur_place"}
    assert not inscriptions.filter(statut=Inscription.Statut.ANNULEE, present_le__isnull=False).exists()
    # The speakers of the programme who are in the annuaire came.
    orateurs = inscriptions.filter(nom__in=["Lefort", "Fontaine", "Delorme", "Castagne", "Benhamou", "Provost"])
    assert orateurs.count() == 6 and all(i.present for i in orateurs)
    # Told in 2016: registered before the day, checked in on the day.
    assert all(i.cree_le.year == 2016 and i.cree_le <= journee.fin for i in inscriptions)
    assert all(i.present_le.astimezone(PARIS).date() == demo.JOUR for i in inscriptions if i.present_le)
    attente = list(inscriptions.filter(statut=Inscription.Statut.LISTE_ATTENTE).order_by("cree_le"))
    annulees = inscriptions.filter(statut=Inscription.Statut.ANNULEE)
    assert max(a.annulee_le for a in annulees) < attente[0].cree_le
    confirmees = inscriptions.filter(statut=Inscription.Statut.CONFIRMEE).exclude(origine="sur_place")
    assert max(i.cree_le for i in confirmees) < attente[0].cree_le < journee.debut


def test_aucun_courriel_et_chargement_idempotent(chargement):
    assert chargement["envois"] == 0
    avant, apres = chargement["comptes"]
    assert avant == apres
    assert avant["Inscription"] > 200 and avant["Personne"] >= 30
    assert "journée départementale déjà chargée" in chargement["relance"]
    assert "inscriptions confirmées" in chargement["sortie"] and "FICTIVES" in chargement["sortie"]


def test_actualite_du_21_novembre_2016_par_communication_caf94(journee):
    actualite = Actualite.objects.prefetch_related("etiquettes").get(departement_id="94", evenement=journee)
    assert (actualite.titre, actualite.date, actualite.auteur_libelle, actualite.statut) == (
        "Retour sur la journée départementale de l’animation de la vie sociale",
        datetime.date(2016, 11, 21),
        "Communication caf94",
        Actualite.Statut.PUBLIEE,
    )
    assert "29 septembre 2016" in actualite.resume
    assert "Plus de 150 partenaires ont participé" in actualite.texte and "Centre des Bords de Marne" in actualite.texte
    etiquettes = {e.nom for e in actualite.etiquettes.all()}
    assert {"animation de la vie sociale", "schéma directeur", "journée départementale"} <= etiquettes


def test_serie_des_ateliers_2016_et_ses_restitutions(chargement, db):
    serie = SerieAteliers.objects.get(departement_id="94", titre=demo.TITRE_SERIE)
    seances = list(serie.seances.order_by("debut"))
    assert 4 <= len(seances) <= 5
    assert all(s.type == Evenement.Type.ATELIER and s.statut == Evenement.Statut.PUBLIE for s in seances)
    assert all(datetime.date(2016, 2, 1) <= s.debut.date() <= datetime.date(2016, 6, 30) for s in seances)
    assert all(s.capacite <= 30 and s.lieu_nom.endswith("(fictif)") and s.lieu_commune_id for s in seances)
    assert all(statistiques(s)["presents"] >= 10 for s in seances)
    restitutions = list(serie.restitutions.all())
    assert len(restitutions) == len(seances)
    assert {r.evenement_id for r in restitutions} == {s.pk for s in seances}
    for r in restitutions:
        assert (r.nature, r.visibilite) == (Ressource.Nature.RESTITUTION, "reseau")
        assert "fictive" in r.resume and r.lien.endswith(f"/evenements/{r.evenement_id}/")


def test_le_sdavs_ressource_publique(journee):
    ressource = Ressource.objects.get(departement_id="94", nature=Ressource.Nature.SCHEMA)
    assert ressource.visibilite == "public" and ressource.schema == journee.schema
    assert ressource.lien.endswith(f"/schemas/{journee.schema_id}/") and ressource.evenement == journee
    assert ressource.date == datetime.date(2016, 9, 29)


def test_annuaire_fictif_avec_bases_legales_et_une_liste(chargement, db):
    personnes = Personne.objects.filter(departement_id="94")
    assert 30 <= personnes.count() <= 40
    assert all(p.origine == Personne.Origine.DEMO and p.email.endswith("@exemple.fr") for p in personnes)
    consentements = personnes.filter(base_legale=BaseLegale.CONSENTEMENT)
    assert consentements.exists() and all(p.consentement_le and p.consentement_objet for p in consentements)
    assert personnes.filter(base_legale=BaseLegale.MISSION_PUBLIQUE).count() > personnes.count() / 2
    assert len({p.categorie for p in personnes}) >= 8
    liste = ListeDiffusion.objects.get(departement_id="94", nom=demo.NOM_LISTE)
    assert set(liste.categories) == {"centre_social", "evs"} and liste.personnes.exists()


def test_en_silence_n_envoie_rien_et_rien_de_plus(db):
    from tests.reseau.factories import EvenementFactory, InscriptionFactory

    inscription = InscriptionFactory(evenement=EvenementFactory())
    with mock.patch.object(notifications, "courriel_envoyer") as envoyer:
        with notifications.en_silence():
            notifications.inscription_enregistree(inscription.pk)
        assert envoyer.call_count == 0
        notifications.inscription_enregistree(inscription.pk)
        assert envoyer.call_count == 1
