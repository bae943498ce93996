"""Each role's home (/espace/): what to do next, from each app's own rules, with links and French dates."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.comptes.models import Role
from maillage.observatoire.models import Statut
from maillage.reseau.models import Evenement, Invitation
from maillage.territoires.models import Chargement
from tests.comptes.factories import MandatFactory, UtilisateurFactory
from tests.observatoire.factories import CampagneFactory, ReponseFactory
from tests.reseau.factories import EvenementFactory, InscriptionFactory
from tests.schema.factories import DecisionFactory, InstanceFactory, ReunionFactory, jeu_schema_94
from tests.structures.factories import AgrementFactory, StructureFactory

pytestmark = pytest.mark.django_db

ESPACE = reverse("accueil:espace")
JOUR = datetime.date(2016, 10, 15)


@pytest.fixture(autouse=True)
def horloge(settings):
    settings.MAILLAGE_AUJOURDHUI = JOUR.isoformat()


def texte(html: str) -> str:
    """The page's visible text, on one line."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'")


def a_l_heure(jour: datetime.date, heure: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(jour, datetime.time(heure)))


@pytest.fixture
def jeu(territoire_94):
    jeu = jeu_schema_94(territoire_94)
    cs1, cs2, evs = jeu.structures
    # Renewals: the factory's agréments end on 31/12/2017, beyond 14 months; one ends next June, one ended last month.
    AgrementFactory(structure=StructureFactory(nom="Centre social fictif à renouveler", commune=jeu.communes[0]),
                    debut=datetime.date(2013, 7, 1), fin=datetime.date(2017, 6, 30))  # fmt: skip
    AgrementFactory(structure=StructureFactory(nom="Centre social fictif échu", commune=jeu.communes[1]),
                    debut=datetime.date(2012, 10, 1), fin=datetime.date(2016, 9, 30))  # fmt: skip
    # A campaign open on the clock's day: one answer submitted, two still drafts.
    jeu.campagne = CampagneFactory(
        departement=jeu.dep,
        ouverture=datetime.date(2016, 9, 1),
        date_limite_reponse=datetime.date(2016, 11, 30),
        date_limite_relecture=datetime.date(2016, 12, 31),
    )
    jeu.soumise = ReponseFactory(campagne=jeu.campagne, structure=cs1, statut=Statut.SOUMISE, soumise_le=timezone.now())
    jeu.brouillon_cs2 = ReponseFactory(campagne=jeu.campagne, structure=cs2)
    jeu.brouillon_evs = ReponseFactory(
        campagne=jeu.campagne, structure=evs, statut=Statut.A_CORRIGER, soumise_le=timezone.now()
    )
    # A COPIL decision of the schéma, late.
    reunion = ReunionFactory(instance=InstanceFactory(schema=jeu.schema))
    DecisionFactory(reunion=reunion, echeance=datetime.date(2016, 10, 1), responsable=jeu.federation)
    DecisionFactory(reunion=reunion, echeance=datetime.date(2016, 11, 20))
    # An import refused today (real timestamps: the journal's time is the real one).
    maintenant = timezone.now()
    jeu.refus = Chargement.objects.create(
        commande="importer_structures", statut=Chargement.Statut.REFUSE, parametres={"departement": "94"},
        debut=maintenant, fin=maintenant,
    )  # fmt: skip
    Chargement.objects.create(
        commande="importer_structures", statut=Chargement.Statut.REFUSE, parametres={"departement": "93"},
        debut=maintenant, fin=maintenant,
    )  # fmt: skip
    jeu.journee = EvenementFactory(departement=jeu.dep, titre="Journée départementale fictive",
                                   debut=a_l_heure(datetime.date(2016, 11, 17)),
                                   fin=a_l_heure(datetime.date(2016, 11, 17), 17), capacite=80)  # fmt: skip
    EvenementFactory(departement=jeu.dep, titre="Journée passée fictive", debut=a_l_heure(datetime.date(2016, 9, 29)),
                     fin=a_l_heure(datetime.date(2016, 9, 29), 17))  # fmt: skip
    InscriptionFactory(evenement=jeu.journee, email=jeu.compte_structure.email)
    return jeu


def page(client, user, django_assert_max_num_queries=None, maximum=None):
    client.force_login(user)
    if django_assert_max_num_queries is None:
        reponse = client.get(ESPACE)
    else:
        with django_assert_max_num_queries(maximum):
            reponse = client.get(ESPACE)
    assert reponse.status_code == 200
    return reponse.content.decode()


def test_espace_reserve_aux_comptes_connectes(client):
    reponse = client.get(ESPACE)
    assert reponse.status_code == 302 and reponse.url.startswith(reverse("comptes:connexion"))


def test_connexion_mene_a_l_accueil_du_role(client, jeu):
    jeu.pilote.set_password("mot-de-passe-solide-42")
    jeu.pilote.save()
    reponse = client.post(
        reverse("comptes:connexion"), {"username": jeu.pilote.email, "password": "mot-de-passe-solide-42"}
    )
    assert reponse.status_code == 302 and reponse.url == ESPACE


def test_accueil_du_pilote(client, jeu, django_assert_max_num_queries):
    html = page(client, jeu.pilote, django_assert_max_num_queries, 30)
    lu = texte(html)
    assert "au 15 octobre 2016" in lu
    # Renewals: the board's own count and lateness (the agrément ended last month has late steps).
    # (the one ending next June missed its evaluation step too, per the renewal milestones).
    assert re.search(
        r"2 agréments à renouveler d'ici 14 mois, dont 2 en retard Prochaine étape due le \d+ \w+ 2015", lu
    )
    assert f'href="{reverse("structures:renouvellements", args=["94"])}"' in html
    # The open campaign: one answer to review (linked to the filtered follow-up board), the response rate.
    suivi = reverse("observatoire:suivi", args=[jeu.campagne.pk])
    assert f'href="{suivi}?statut=soumise"' in html
    assert "Campagne 2016 : 1 réponse soumise à relire" in lu
    assert "2 réponses reçues sur 3 attendues (67 %)" in lu
    assert "Date limite de réponse : 30 novembre 2016" in lu
    # Schéma: the late fiche action (milestone of 1 October) and the late decision.
    fiche = jeu.fiches[0]
    assert f"Action 1.1.1 en retard : {fiche.titre}" in lu
    assert f'href="{reverse("schema:fiche", args=[fiche.pk])}"' in html
    assert "1 décision de comité en retard" in lu
    assert "1 décision de comité due dans les deux mois" in lu and "20 novembre 2016" in lu
    # Imports: the refused one of its département only.
    assert f'href="{reverse("territoires:chargement", args=[jeu.refus.pk])}"' in html
    assert lu.count("Import refusé : importer_structures") == 1
    # Next events with their registrations; past ones left out.
    assert "Journée départementale fictive Le 17 novembre 2016 · 1 inscrit sur 80 places" in lu
    assert "Journée passée fictive" not in lu
    # Its other pages, and « Mon compte » (the former « Mon espace »).
    assert f'href="{reverse("comptes:espace")}"' in html


def test_accueil_du_conseiller_ses_communes_seulement(client, jeu, django_assert_max_num_queries):
    html = page(client, jeu.conseiller, django_assert_max_num_queries, 25)
    lu = texte(html)
    assert "Vos communes (1)" in lu
    assert "2 structures actives sur vos communes" in lu
    # The renewal of the structure in Créteil, not the one in Vitry.
    assert "Centre social fictif à renouveler : agrément" in lu and "jusqu'au 30/06/2017" in lu
    assert "Centre social fictif échu" not in lu
    # Answers of its communes only: cs1's (submitted) of 1 expected.
    assert "Campagne 2016 : 1 réponse soumise à relire" in lu
    assert "1 réponse reçue sur 1 attendue (100 %)" in lu
    assert "Import refusé" not in lu


def test_accueil_de_la_structure(client, jeu, django_assert_max_num_queries):
    cs1 = jeu.structures[0]
    cs1.agrements.update(fin=datetime.date(2017, 6, 30))
    jeu.soumise.statut = Statut.A_CORRIGER
    jeu.soumise.save()
    html = page(client, jeu.compte_structure, django_assert_max_num_queries, 25)
    lu = texte(html)
    assert "Questionnaire 2016 à corriger (statut : à corriger)" in lu
    assert f'href="{reverse("observatoire:reponse", args=[jeu.soumise.pk])}"' in html
    assert "Date limite : 30 novembre 2016" in lu
    # Its agrément and the renewal steps due (the board's milestones for its structure only).
    assert "Agrément Animation globale" in lu and "Jusqu'au 30 juin 2017" in lu
    assert "Renouvellement :" in lu and "À faire avant le" in lu
    # The event it is registered to.
    assert "Journée départementale fictive Le 17 novembre 2016 · Vous êtes inscrit·e" in lu


def test_evenement_ou_la_structure_est_invitee(client, jeu):
    jour = datetime.date(2016, 11, 24)
    atelier = EvenementFactory(departement=jeu.dep, titre="Atelier fictif sur invitation", acces="invitation",
                               debut=a_l_heure(jour), fin=a_l_heure(jour, 17))  # fmt: skip
    Invitation.objects.create(evenement=atelier, email=jeu.compte_structure.email.lower())
    lu = texte(page(client, jeu.compte_structure))
    assert "Atelier fictif sur invitation Le 24 novembre 2016 · Vous êtes invité·e : inscrivez-vous" in lu
    # The invitation is personal: another account of the département is not told it is invited.
    assert "Vous êtes invité·e" not in texte(page(client, jeu.pilote))


def test_accueil_de_la_structure_sans_questionnaire_ouvert(client, jeu):
    jeu.campagne.delete()
    lu = texte(page(client, jeu.compte_structure))
    assert "Aucun questionnaire à remplir pour l'instant." in lu


def test_accueil_du_partenaire(client, jeu, django_assert_max_num_queries):
    # The Fédération pilots fiche 1.1.1 (late milestone): to update. No mandate: no review.
    html = page(client, jeu.partenaire, django_assert_max_num_queries, 25)
    lu = texte(html)
    assert "Action 1.1.1 en retard : Comité des financeurs fictif" in lu
    assert "Convention fictive" not in lu  # piloted by the Ville
    assert "réponse soumise" not in lu
    assert "Journée départementale fictive" in lu


def test_accueil_du_partenaire_mandate_relit(client, jeu):
    jeu.campagne.federation_relit = True
    jeu.campagne.save()
    MandatFactory(organisation=jeu.federation, accorde_par=jeu.pilote)
    lu = texte(page(client, jeu.partenaire))
    assert "Campagne 2016 : 1 réponse soumise à relire" in lu


def test_accueil_du_partenaire_d_un_autre_departement(client, jeu):
    # The 93 has no schéma: no schéma block, nothing of the 94.
    lu = texte(page(client, jeu.partenaire93))
    assert "Schéma directeur 2016-2020" not in lu and "Action 1.1.1" not in lu
    assert "Aucun événement à venir." in lu  # its département's agenda: the 94's day is not listed


def test_evenement_brouillon_invisible_de_la_structure(client, jeu):
    jour = datetime.date(2016, 11, 2)
    EvenementFactory(departement=jeu.dep, titre="Brouillon fictif", statut=Evenement.Statut.BROUILLON,
                     debut=a_l_heure(jour), fin=a_l_heure(jour, 17))  # fmt: skip
    assert "Brouillon fictif" not in texte(page(client, jeu.compte_structure))
    assert "Brouillon fictif" in texte(page(client, jeu.pilote))


def test_premier_lancement_base_vide(client):
    admin = UtilisateurFactory(role=Role.ADMIN, is_staff=True)
    html = page(client, admin)
    lu = texte(html)
    assert "Mise en route de la plateforme" in lu
    assert "python manage.py charger_territoires" in lu
    # The barème comes with the migrations (the Cnaf's published rates): only it may be ticked on an empty base.
    assert "Fait Territoires" not in lu and "Fait Pilote" not in lu and "Fait Structures" not in lu
    assert "ouvrir l'administration" in lu


def test_premier_lancement_coche_d_apres_les_donnees(client, territoire_94, settings):
    from maillage.financements.models import BaremePS

    settings.MAILLAGE_PLATEFORME = {**settings.MAILLAGE_PLATEFORME, "departement_defaut": "94"}
    admin = UtilisateurFactory(role=Role.ADMIN, is_staff=True)
    html = page(client, admin)
    lu = texte(html)
    assert "Fait Territoires chargés" in lu
    assert "Pilote Caf du département créé : Val-de-Marne (94)" in lu and "Fait Pilote" not in lu
    assert f'href="{reverse("comptes:inviter", args=["94"])}"' in html
    UtilisateurFactory(role=Role.PILOTE, departements=[territoire_94.departement])
    AgrementFactory(structure=StructureFactory(commune=territoire_94.communes[0]))
    lu = texte(page(client, admin))
    assert "Fait Pilote Caf du département créé" in lu and "Fait Structures importées" in lu
    bareme = BaremePS.objects.filter(annee=2016).exists()
    assert ("Fait Barème de la prestation de service 2016 saisi" in lu) == bareme
