"""The public structure page and the back-office pages of the registry: what each role sees and may do."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from maillage.comptes.models import Mandat, Organisation, Role
from maillage.structures import services
from maillage.structures.models import Contact, DocumentProjet, ProjetSocial, Structure, TypeStructure
from tests.comptes.factories import MandatFactory, OrganisationFactory, UtilisateurFactory
from tests.conftest import carre
from tests.structures.factories import AgrementFactory, GestionnaireFactory, StructureFactory
from tests.territoires.factories import CommuneFactory, DepartementFactory


@pytest.fixture
def monde(territoire_94):
    creteil, vitry, ivry = territoire_94.communes
    dep94 = territoire_94.departement
    dep93 = DepartementFactory(code="93", nom="Seine-Saint-Denis", region=territoire_94.region)
    bobigny = CommuneFactory(
        code="93008", nom="Bobigny", departement=dep93, geometrie=carre(2.44, 48.90), longitude=2.46, latitude=48.92
    )
    gestionnaire = GestionnaireFactory(nom="Association des Bleuets", commune=creteil)
    structure = StructureFactory(
        nom="Centre social des Bleuets", commune=creteil, gestionnaire=gestionnaire, longitude=2.46, latitude=48.80
    )
    autre = StructureFactory(nom="Centre social de Vitry", commune=vitry, longitude=2.38, latitude=48.80)
    AgrementFactory(structure=structure, debut=datetime.date(2024, 1, 1), fin=datetime.date(2027, 12, 31))
    Contact.objects.create(
        structure=structure,
        fonction="direction",
        prenom="Dominique",
        nom="Publique",
        email="direction@bleuets.example",
        base_legale="consentement",
        consentement_le=datetime.date(2024, 1, 10),
        public=True,
    )
    Contact.objects.create(
        structure=structure, fonction="presidence", prenom="Claude", nom="Privée", email="claude@perso.example"
    )
    projet = ProjetSocial.objects.create(
        structure=structure,
        intitule="Projet social 2024-2027",
        debut=datetime.date(2024, 1, 1),
        fin=datetime.date(2027, 12, 31),
    )
    pilote = UtilisateurFactory(role=Role.PILOTE, departements=[dep94])
    document = services.document_deposer(
        par=pilote,
        projet=projet,
        nature="projet_social",
        titre="Projet social complet",
        fichier=SimpleUploadedFile("projet.pdf", b"%PDF-1.4 contenu confidentiel"),
    )
    return type(
        "Monde",
        (),
        {
            "dep94": dep94,
            "dep93": dep93,
            "creteil": creteil,
            "vitry": vitry,
            "ivry": ivry,
            "bobigny": bobigny,
            "gestionnaire": gestionnaire,
            "structure": structure,
            "autre": autre,
            "projet": projet,
            "document": document,
            "pilote": pilote,
            "pilote93": UtilisateurFactory(role=Role.PILOTE, departements=[dep93]),
            "partenaire": UtilisateurFactory(role=Role.PARTENAIRE, departements=[dep94]),
            # The commune of Créteil, co-financeur: reads its structures' budgets, nothing else private.
            "cofinanceur": UtilisateurFactory(
                role=Role.PARTENAIRE,
                departements=[dep94],
                organisation=MandatFactory(
                    nature=Mandat.Nature.CO_FINANCEUR,
                    organisation=OrganisationFactory(
                        departement=dep94, type=Organisation.Type.COMMUNE, communes=[creteil]
                    ),
                ).organisation,
            ),
            "conseiller": UtilisateurFactory(role=Role.CONSEILLER, departements=[dep94], communes=[creteil]),
            "conseiller_vitry": UtilisateurFactory(role=Role.CONSEILLER, departements=[dep94], communes=[vitry]),
            "compte_structure": UtilisateurFactory(role=Role.STRUCTURE, departements=[dep94], structure=structure),
            "compte_autre": UtilisateurFactory(role=Role.STRUCTURE, departements=[dep94], structure=autre),
        },
    )


def _fiche(client, monde, user=None):
    if user is not None:
        client.force_login(user)
    return client.get(reverse("structures:structure", args=[monde.structure.pk])).content.decode()


# --- Public page ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_fiche_publique_anonyme(client, monde):
    contenu = _fiche(client, monde)
    assert "Centre social des Bleuets" in contenu
    assert "Association des Bleuets" in contenu and "Associatif" in contenu
    assert "Animation globale (centre social) : du 01/01/2024 au 31/12/2027" in contenu
    assert reverse("territoires:commune", args=["94028"]) in contenu
    assert "Métropole du Grand Paris" in contenu
    # The consented contact only.
    assert "Dominique Publique" in contenu
    assert "Privée" not in contenu and "claude@perso.example" not in contenu
    assert "Données non publiques" not in contenu
    assert "Projet social complet" not in contenu
    assert reverse("structures:document", args=[monde.document.pk]) not in contenu
    assert reverse("structures:structure_modifier", args=[monde.structure.pk]) not in contenu


@pytest.mark.django_db
@pytest.mark.parametrize("qui", ["pilote", "conseiller", "compte_structure"])
def test_fiche_privee_pour_les_habilites(client, monde, qui):
    contenu = _fiche(client, monde, getattr(monde, qui))
    assert "Données non publiques" in contenu
    assert "Claude Privée" in contenu
    assert reverse("structures:document", args=[monde.document.pk]) in contenu


@pytest.mark.django_db
@pytest.mark.parametrize("qui", ["pilote93", "conseiller_vitry", "compte_autre", "partenaire", "cofinanceur"])
def test_fiche_privee_cachee_hors_perimetre(client, monde, qui):
    contenu = _fiche(client, monde, getattr(monde, qui))
    assert "Données non publiques" not in contenu
    assert "Privée" not in contenu
    assert reverse("structures:structure_modifier", args=[monde.structure.pk]) not in contenu


@pytest.mark.django_db
def test_liens_de_modification_selon_les_droits(client, monde):
    modifier = reverse("structures:structure_modifier", args=[monde.structure.pk])
    fermer = reverse("structures:structure_fermer", args=[monde.structure.pk])
    contenu = _fiche(client, monde, monde.pilote)
    assert modifier in contenu and fermer in contenu
    contenu = _fiche(client, monde, monde.compte_structure)
    assert modifier in contenu and fermer not in contenu


@pytest.mark.django_db
def test_liens_vers_agrements_et_budgets_selon_les_droits(client, monde):
    agrements = reverse("structures:agrements", args=[monde.structure.pk])
    budgets = reverse("financements:budgets", args=[monde.structure.pk])
    contenu = _fiche(client, monde, monde.pilote)
    assert agrements in contenu and budgets in contenu
    # A partner without mandate reads neither; a co-financeur of the commune reads the budgets only.
    contenu = _fiche(client, monde, monde.partenaire)
    assert agrements not in contenu and budgets not in contenu
    contenu = _fiche(client, monde, monde.cofinanceur)
    assert agrements not in contenu and budgets in contenu
    client.logout()
    contenu = _fiche(client, monde)
    assert agrements not in contenu and budgets not in contenu


@pytest.mark.django_db
def test_fiche_inconnue(client, monde):
    assert client.get(reverse("structures:structure", args=[999999])).status_code == 404


# --- Creation ----------------------------------------------------------------------------------------


def _donnees_creation(monde, **autres):
    return {
        "type": "evs",
        "nom": "EVS du Port",
        "siret": "",
        "gestionnaire": str(monde.gestionnaire.pk),
        "adresse": "2 quai du Port",
        "code_postal": "94000",
        "commune": "94028",
        "situation_qpv": "aucune",
        **autres,
    }


@pytest.mark.django_db
def test_pilote_cree_une_structure(client, monde):
    client.force_login(monde.pilote)
    url = reverse("structures:structure_creer", args=["94"])
    assert client.get(url).status_code == 200
    reponse = client.post(url, _donnees_creation(monde, communes_competence=["94028", "94041"]))
    s = Structure.objects.get(nom="EVS du Port")
    assert reponse.status_code == 302 and reponse["Location"] == reverse("structures:structure", args=[s.pk])
    assert s.type == TypeStructure.EVS
    assert (s.longitude, s.latitude) == (monde.creteil.longitude, monde.creteil.latitude)
    assert s.communes_competence.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "forge, champ",
    [
        ({"commune": "93008"}, "commune"),
        ({"communes_competence": ["93008"]}, "communes_competence"),
        ({"longitude": "2,37", "latitude": "48,80"}, "longitude"),
        ({"siret": "73282932000075"}, "siret"),
    ],
)
def test_creation_forgee_refusee_rien_ecrit(client, monde, forge, champ):
    client.force_login(monde.pilote)
    avant = Structure.objects.count()
    reponse = client.post(reverse("structures:structure_creer", args=["94"]), _donnees_creation(monde, **forge))
    assert reponse.status_code == 200
    assert reponse.context["form"].errors[champ]
    assert 'role="alert"' in reponse.content.decode()
    assert Structure.objects.count() == avant


@pytest.mark.django_db
def test_message_de_position_en_francais(client, monde):
    client.force_login(monde.pilote)
    reponse = client.post(
        reverse("structures:structure_creer", args=["94"]), _donnees_creation(monde, longitude="2,37", latitude="48,8")
    )
    assert "en dehors de la commune de Créteil" in reponse.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("qui", ["pilote93", "conseiller", "compte_structure", "partenaire"])
def test_creation_refusee(client, monde, qui):
    client.force_login(getattr(monde, qui))
    url = reverse("structures:structure_creer", args=["94"])
    assert client.get(url).status_code == 403
    assert client.post(url, _donnees_creation(monde)).status_code == 403
    assert not Structure.objects.filter(nom="EVS du Port").exists()


@pytest.mark.django_db
def test_creation_anonyme_vers_connexion(client, monde):
    reponse = client.get(reverse("structures:structure_creer", args=["94"]))
    assert reponse.status_code == 302 and reverse("comptes:connexion") in reponse["Location"]


# --- Editing --------------------------------------------------------------------------------------------


def _donnees_profil(**autres):
    return {"nom": "Centre social des Bleuets", "commune": "94028", "situation_qpv": "dans_qpv", "version": 1, **autres}


@pytest.mark.django_db
def test_compte_structure_modifie_son_profil_sans_champs_du_pilote(client, monde):
    client.force_login(monde.compte_structure)
    url = reverse("structures:structure_modifier", args=[monde.structure.pk])
    formulaire = client.get(url)
    assert "type" not in formulaire.context["form"].fields
    assert "gestionnaire" not in formulaire.context["form"].fields
    # A forged POST with pilot-only fields: they are ignored, the profile is saved.
    reponse = client.post(
        url,
        _donnees_profil(presentation="Bienvenue", type="evs", date_fermeture="2020-01-01", gestionnaire="999"),
    )
    assert reponse.status_code == 302
    monde.structure.refresh_from_db()
    assert monde.structure.presentation == "Bienvenue"
    assert monde.structure.situation_qpv == "dans_qpv"
    assert monde.structure.type == TypeStructure.CENTRE_SOCIAL
    assert monde.structure.date_fermeture is None
    assert monde.structure.gestionnaire_id == monde.gestionnaire.pk


@pytest.mark.django_db
@pytest.mark.parametrize("qui", ["compte_autre", "conseiller_vitry", "pilote93"])
def test_modification_refusee_rien_ecrit(client, monde, qui):
    client.force_login(getattr(monde, qui))
    url = reverse("structures:structure_modifier", args=[monde.structure.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, _donnees_profil(nom="Piraté")).status_code == 403
    monde.structure.refresh_from_db()
    assert monde.structure.nom == "Centre social des Bleuets"


@pytest.mark.django_db
def test_modification_commune_d_un_autre_departement(client, monde):
    client.force_login(monde.compte_structure)
    url = reverse("structures:structure_modifier", args=[monde.structure.pk])
    reponse = client.post(url, _donnees_profil(commune="93008"))
    assert reponse.status_code == 200 and reponse.context["form"].errors["commune"]
    monde.structure.refresh_from_db()
    assert monde.structure.commune_id == "94028"


@pytest.mark.django_db
def test_ma_structure(client, monde):
    client.force_login(monde.compte_structure)
    reponse = client.get(reverse("structures:ma_structure"))
    assert reponse["Location"] == reverse("structures:structure_modifier", args=[monde.structure.pk])
    client.force_login(monde.pilote)
    assert client.get(reverse("structures:ma_structure")).status_code == 404


@pytest.mark.django_db
def test_fermeture(client, monde):
    url = reverse("structures:structure_fermer", args=[monde.structure.pk])
    client.force_login(monde.compte_structure)
    assert client.post(url, {"date": "2028-01-31"}).status_code == 403
    client.force_login(monde.pilote)
    reponse = client.post(url, {"date": "2025-06-30"})
    assert "31/12/2027" in reponse.content.decode()
    assert client.post(url, {"date": "2028-01-31"}).status_code == 302
    monde.structure.refresh_from_db()
    assert monde.structure.date_fermeture == datetime.date(2028, 1, 31)


@pytest.mark.django_db
def test_gestionnaire_creer_et_retour(client, monde):
    client.force_login(monde.pilote)
    suite = reverse("structures:structure_creer", args=["94"])
    url = reverse("structures:gestionnaire_creer", args=["94"])
    reponse = client.post(url, {"nom": "CCAS de Créteil", "forme_juridique": "ccas", "siret": "", "suite": suite})
    assert reponse["Location"] == suite
    # An outside URL is never followed.
    reponse = client.post(
        url, {"nom": "Asso 2", "forme_juridique": "association", "suite": "https://ailleurs.example/"}
    )
    assert reponse["Location"] == suite
    client.force_login(monde.pilote93)
    assert client.get(url).status_code == 403


# --- Contacts and documents ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_contact_public_sans_consentement_message(client, monde):
    client.force_login(monde.compte_structure)
    avant = Contact.objects.count()
    reponse = client.post(
        reverse("structures:contact_creer", args=[monde.structure.pk]),
        {"fonction": "accueil", "prenom": "Sam", "nom": "Accueil", "base_legale": "mission_publique", "public": "on"},
    )
    assert reponse.status_code == 200
    assert reponse.context["form"].errors["consentement_le"] == [
        "Un contact n'est affiché sur la fiche publique qu'avec le consentement daté de la personne."
    ]
    assert "consentement daté de la personne" in reponse.content.decode()
    assert Contact.objects.count() == avant


@pytest.mark.django_db
def test_contact_d_une_autre_structure(client, monde):
    contact = monde.structure.contacts.get(nom="Privée")
    client.force_login(monde.compte_autre)
    assert client.post(reverse("structures:contact_supprimer", args=[contact.pk])).status_code == 403
    assert (
        client.post(
            reverse("structures:contact_modifier", args=[contact.pk]),
            {"fonction": "autre", "prenom": "X", "nom": "Y", "base_legale": "mission_publique"},
        ).status_code
        == 403
    )
    contact.refresh_from_db()
    assert contact.nom == "Privée"


@pytest.mark.django_db
@pytest.mark.parametrize("qui", ["pilote", "conseiller", "compte_structure"])
def test_telechargement_autorise(client, monde, qui):
    client.force_login(getattr(monde, qui))
    reponse = client.get(reverse("structures:document", args=[monde.document.pk]))
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/pdf"
    assert "attachment" in reponse["Content-Disposition"]
    assert b"".join(reponse.streaming_content) == b"%PDF-1.4 contenu confidentiel"


@pytest.mark.django_db
@pytest.mark.parametrize("qui", ["pilote93", "conseiller_vitry", "compte_autre", "partenaire", "cofinanceur"])
def test_telechargement_refuse(client, monde, qui):
    client.force_login(getattr(monde, qui))
    assert client.get(reverse("structures:document", args=[monde.document.pk])).status_code == 403


@pytest.mark.django_db
def test_telechargement_anonyme(client, monde):
    reponse = client.get(reverse("structures:document", args=[monde.document.pk]))
    assert reponse.status_code == 302 and reverse("comptes:connexion") in reponse["Location"]


@pytest.mark.django_db
def test_depot_de_document_par_la_page(client, monde):
    client.force_login(monde.compte_structure)
    url = reverse("structures:document_deposer", args=[monde.projet.pk])
    reponse = client.post(
        url, {"nature": "autre", "titre": "Faux", "fichier": SimpleUploadedFile("faux.pdf", b"<script>")}
    )
    assert reponse.status_code == 200
    assert reponse.context["form"].errors["fichier"] == ["Ce fichier n'est pas un PDF valide."]
    assert DocumentProjet.objects.count() == 1
    reponse = client.post(
        url, {"nature": "evaluation", "titre": "Évaluation", "fichier": SimpleUploadedFile("eval.pdf", b"%PDF-1.5")}
    )
    assert reponse.status_code == 302
    assert DocumentProjet.objects.filter(titre="Évaluation", depose_par=monde.compte_structure).exists()
    client.force_login(monde.compte_autre)
    assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_fiche_requetes_constantes(client, monde):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(monde.pilote)
    url = reverse("structures:structure", args=[monde.structure.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as avant:
        assert client.get(url).status_code == 200
    for i in range(10):
        Contact.objects.create(structure=monde.structure, fonction="autre", prenom="P", nom=f"N{i}")
        projet = ProjetSocial.objects.create(
            structure=monde.structure,
            intitule=f"Projet {i}",
            debut=datetime.date(2000 + i, 1, 1),
            fin=datetime.date(2001 + i, 1, 1),
        )
        DocumentProjet.objects.create(projet=projet, nature="autre", titre=f"D{i}", fichier="x.pdf")
    monde.structure.communes_competence.set([monde.creteil, monde.vitry, monde.ivry])
    with CaptureQueriesContext(connection) as apres:
        assert client.get(url).status_code == 200
    assert len(apres) == len(avant)


@pytest.mark.django_db
def test_suppression_de_document(client, monde, django_capture_on_commit_callbacks):
    stockage, nom = monde.document.fichier.storage, monde.document.fichier.name
    url = reverse("structures:document_supprimer", args=[monde.document.pk])
    client.force_login(monde.compte_autre)
    assert client.post(url).status_code == 403
    assert stockage.exists(nom)
    client.force_login(monde.compte_structure)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    assert not DocumentProjet.objects.filter(pk=monde.document.pk).exists()
    assert not stockage.exists(nom)


@pytest.mark.django_db
def test_projet_d_une_autre_structure(client, monde):
    client.force_login(monde.compte_autre)
    reponse = client.post(
        reverse("structures:projet_modifier", args=[monde.projet.pk]),
        {"intitule": "Piraté", "debut": "2024-01-01", "fin": "2027-12-31"},
    )
    assert reponse.status_code == 403
    monde.projet.refresh_from_db()
    assert monde.projet.intitule == "Projet social 2024-2027"


# --- Double sending of a creation form ---------------------------------------------------------------


def _jeton(page) -> str:
    return re.search(r'name="jeton_formulaire" value="([0-9a-f]{32})"', page.content.decode()).group(1)


@pytest.mark.django_db
def test_double_envoi_cree_une_seule_structure(client, monde):
    client.force_login(monde.pilote)
    url = reverse("structures:structure_creer", args=["94"])
    jeton = _jeton(client.get(url))
    donnees = _donnees_creation(monde, jeton_formulaire=jeton)
    reponses = [client.post(url, donnees) for _ in range(20)]
    s = Structure.objects.get(nom="EVS du Port")
    fiche = reverse("structures:structure", args=[s.pk])
    assert all(r.status_code == 302 and r["Location"] == fiche for r in reponses)
    assert "Ce formulaire a déjà été envoyé" in client.get(fiche).content.decode()
    # A new display of the form is a new token: a deliberate second creation is allowed.
    client.post(url, _donnees_creation(monde, nom="EVS du Port 2", jeton_formulaire=_jeton(client.get(url))))
    assert Structure.objects.filter(nom__startswith="EVS du Port").count() == 2


@pytest.mark.django_db
def test_envoi_refuse_puis_corrige_avec_le_meme_jeton(client, monde):
    client.force_login(monde.pilote)
    url = reverse("structures:structure_creer", args=["94"])
    jeton = _jeton(client.get(url))
    refus = client.post(url, _donnees_creation(monde, commune="93008", jeton_formulaire=jeton))
    assert refus.status_code == 200 and not Structure.objects.filter(nom="EVS du Port").exists()
    assert client.post(url, _donnees_creation(monde, jeton_formulaire=jeton)).status_code == 302
    assert Structure.objects.filter(nom="EVS du Port").count() == 1


@pytest.mark.django_db
def test_double_envoi_d_un_contact(client, monde):
    client.force_login(monde.compte_structure)
    url = reverse("structures:contact_creer", args=[monde.structure.pk])
    jeton = _jeton(client.get(url))
    avant = Contact.objects.count()
    donnees = {"fonction": "accueil", "prenom": "Sam", "nom": "Accueil", "base_legale": "mission_publique"}
    for _ in range(3):
        client.post(url, {**donnees, "jeton_formulaire": jeton})
    assert Contact.objects.count() == avant + 1
