import datetime
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from maillage.comptes.models import Role
from maillage.structures import services
from maillage.structures.models import Contact, DocumentProjet, Gestionnaire, ProjetSocial, Structure, TypeStructure
from tests.comptes.factories import UtilisateurFactory
from tests.conftest import carre
from tests.structures.factories import AgrementFactory, GestionnaireFactory, StructureFactory
from tests.territoires.factories import CommuneFactory, DepartementFactory, QPVFactory


@pytest.fixture
def monde(territoire_94):
    creteil, vitry, ivry = territoire_94.communes
    dep93 = DepartementFactory(code="93", nom="Seine-Saint-Denis", region=territoire_94.region)
    bobigny = CommuneFactory(
        code="93008", nom="Bobigny", departement=dep93, geometrie=carre(2.44, 48.90), longitude=2.46, latitude=48.92
    )
    qpv93 = QPVFactory(code="QN09301M", nom="Quartier de Bobigny", communes=[bobigny])
    gestionnaire = GestionnaireFactory(nom="Association des Bleuets")
    structure = StructureFactory(
        nom="Centre social des Bleuets", commune=creteil, gestionnaire=gestionnaire, longitude=2.46, latitude=48.80
    )
    autre = StructureFactory(nom="Centre social de Vitry", commune=vitry, longitude=2.38, latitude=48.80)
    return type(
        "Monde",
        (),
        {
            "t": territoire_94,
            "dep94": territoire_94.departement,
            "dep93": dep93,
            "creteil": creteil,
            "vitry": vitry,
            "ivry": ivry,
            "bobigny": bobigny,
            "qpv93": qpv93,
            "gestionnaire": gestionnaire,
            "structure": structure,
            "autre": autre,
            "pilote": UtilisateurFactory(role=Role.PILOTE, departements=[territoire_94.departement]),
            "pilote93": UtilisateurFactory(role=Role.PILOTE, departements=[dep93]),
            "conseiller": UtilisateurFactory(
                role=Role.CONSEILLER, departements=[territoire_94.departement], communes=[creteil]
            ),
            "compte_structure": UtilisateurFactory(
                role=Role.STRUCTURE, departements=[territoire_94.departement], structure=structure
            ),
        },
    )


def _champs(monde, **autres):
    return {
        "type": TypeStructure.EVS,
        "nom": "Espace de vie sociale du Port",
        "gestionnaire": monde.gestionnaire,
        "commune": monde.creteil,
        **autres,
    }


# --- Création ---------------------------------------------------------------------------------


def test_creer_par_le_pilote_position_par_defaut_et_zone(monde):
    s = services.structure_creer(
        par=monde.pilote,
        **_champs(monde, siret="732 829 320 00074", communes_competence=[monde.creteil, monde.ivry]),
    )
    s.refresh_from_db()
    assert s.departement_id == "94"
    assert s.siret == "73282932000074"
    # No position given: the commune's representative point.
    assert (s.longitude, s.latitude) == (monde.creteil.longitude, monde.creteil.latitude)
    assert set(s.communes_competence.values_list("code", flat=True)) == {"94028", "94041"}


def test_creer_hors_departement_refuse(monde):
    avant = Structure.objects.count()
    with pytest.raises(PermissionDenied):
        services.structure_creer(par=monde.pilote93, **_champs(monde))
    with pytest.raises(PermissionDenied):
        services.structure_creer(par=monde.conseiller, **_champs(monde))
    assert Structure.objects.count() == avant


@pytest.mark.parametrize(
    "autres, champ",
    [
        ({"longitude": 2.37, "latitude": 48.80}, "longitude"),  # in Vitry, not Créteil
        ({"longitude": 2.46}, "longitude"),  # latitude missing
        ({"longitude": 200.0, "latitude": 48.8}, "longitude"),
        ({"siret": "73282932000075"}, "siret"),
        ({"date_ouverture": datetime.date(2015, 1, 1), "date_fermeture": datetime.date(2014, 1, 1)}, "__all__"),
    ],
)
def test_creer_donnees_invalides_rien_ecrit(monde, autres, champ):
    avant = Structure.objects.count()
    with pytest.raises(ValidationError) as erreur:
        services.structure_creer(par=monde.pilote, **_champs(monde, **autres))
    assert champ in erreur.value.message_dict
    assert Structure.objects.count() == avant


def test_position_dans_la_commune_acceptee(monde):
    s = services.structure_creer(par=monde.pilote, **_champs(monde, longitude=2.47, latitude=48.81))
    assert (s.longitude, s.latitude) == (2.47, 48.81)


def test_zone_hors_departement_refusee(monde):
    avant = Structure.objects.count()
    with pytest.raises(ValidationError) as erreur:
        services.structure_creer(
            par=monde.pilote, **_champs(monde, communes_competence=[monde.bobigny], qpv_competence=[monde.qpv93])
        )
    assert "Bobigny" in erreur.value.message_dict["communes_competence"][0]
    assert "qpv_competence" in erreur.value.message_dict
    assert Structure.objects.count() == avant


def test_champ_obligatoire_manquant(monde):
    with pytest.raises(ValidationError) as erreur:
        services.structure_creer(par=monde.pilote, **_champs(monde, gestionnaire=None))
    assert erreur.value.message_dict == {"gestionnaire": ["Ce champ est obligatoire."]}


# --- Modification : ensembles de champs par rôle ---------------------------------------------------


def test_champs_modifiables_par_role(monde):
    s = monde.structure
    assert services.champs_modifiables(monde.pilote, s) == services.CHAMPS_STRUCTURE
    assert services.champs_modifiables(monde.compte_structure, s) == services.CHAMPS_PROFIL
    assert services.champs_modifiables(monde.conseiller, s) == services.CHAMPS_PROFIL
    assert "type" not in services.CHAMPS_PROFIL and "gestionnaire" not in services.CHAMPS_PROFIL
    assert services.champs_modifiables(monde.pilote93, s) == frozenset()
    assert services.champs_modifiables(monde.compte_structure, monde.autre) == frozenset()


def test_compte_structure_modifie_son_profil(monde):
    services.structure_modifier(
        par=monde.compte_structure,
        structure=monde.structure,
        nom="Centre social des Bleuets (nouveau nom)",
        presentation="Un lieu ouvert à tous.",
        communes_competence=[monde.creteil],
    )
    monde.structure.refresh_from_db()
    assert monde.structure.nom == "Centre social des Bleuets (nouveau nom)"
    assert list(monde.structure.communes_competence.values_list("code", flat=True)) == ["94028"]


@pytest.mark.parametrize(
    "champ, valeur",
    [("type", TypeStructure.EVS), ("date_fermeture", datetime.date(2020, 1, 1)), ("gestionnaire", None)],
)
def test_compte_structure_ne_touche_pas_aux_champs_du_pilote(monde, champ, valeur):
    if champ == "gestionnaire":
        valeur = GestionnaireFactory()
    with pytest.raises(ValidationError) as erreur:
        services.structure_modifier(par=monde.compte_structure, structure=monde.structure, nom="X", **{champ: valeur})
    assert erreur.value.message_dict == {champ: ["Vous ne pouvez pas modifier ce champ."]}
    monde.structure.refresh_from_db()
    assert monde.structure.nom == "Centre social des Bleuets"
    assert monde.structure.type == TypeStructure.CENTRE_SOCIAL
    assert monde.structure.date_fermeture is None


def test_pilote_modifie_type_et_gestionnaire(monde):
    g = GestionnaireFactory(forme_juridique=Gestionnaire.FormeJuridique.COMMUNE)
    services.structure_modifier(par=monde.pilote, structure=monde.structure, type=TypeStructure.EVS, gestionnaire=g)
    monde.structure.refresh_from_db()
    assert monde.structure.type == TypeStructure.EVS
    assert monde.structure.gestionnaire.mode_gestion == "collectivite"


def test_refus_autre_structure_autre_secteur_autre_departement(monde):
    with pytest.raises(PermissionDenied):
        services.structure_modifier(par=monde.compte_structure, structure=monde.autre, nom="Piraté")
    with pytest.raises(PermissionDenied):
        services.structure_modifier(par=monde.conseiller, structure=monde.autre, nom="Piraté")
    with pytest.raises(PermissionDenied):
        services.structure_modifier(par=monde.pilote93, structure=monde.structure, nom="Piraté")
    monde.autre.refresh_from_db()
    monde.structure.refresh_from_db()
    assert monde.autre.nom == "Centre social de Vitry"
    assert monde.structure.nom == "Centre social des Bleuets"


def test_conseiller_de_la_commune_modifie(monde):
    services.structure_modifier(par=monde.conseiller, structure=monde.structure, telephone="01 02 03 04 05")
    monde.structure.refresh_from_db()
    assert monde.structure.telephone == "01 02 03 04 05"


def test_conseiller_ne_deplace_pas_hors_de_son_secteur(monde):
    with pytest.raises(ValidationError) as erreur:
        services.structure_modifier(
            par=monde.conseiller, structure=monde.structure, commune=monde.vitry, longitude=None, latitude=None
        )
    assert erreur.value.message_dict["commune"] == ["Cette commune est hors de votre périmètre."]
    monde.structure.refresh_from_db()
    assert monde.structure.commune_id == "94028"


def test_commune_d_un_autre_departement_refusee(monde):
    with pytest.raises(ValidationError) as erreur:
        services.structure_modifier(par=monde.compte_structure, structure=monde.structure, commune=monde.bobigny)
    assert "commune" in erreur.value.message_dict
    with pytest.raises(ValidationError):
        services.structure_modifier(par=monde.pilote, structure=monde.structure, commune=monde.bobigny)
    monde.structure.refresh_from_db()
    assert monde.structure.commune_id == "94028"


def test_changer_de_commune_replace_la_position(monde):
    # The old position (Créteil) is outside Ivry: it must be given again or left empty.
    with pytest.raises(ValidationError):
        services.structure_modifier(par=monde.compte_structure, structure=monde.structure, commune=monde.ivry)
    services.structure_modifier(
        par=monde.compte_structure, structure=monde.structure, commune=monde.ivry, longitude=None, latitude=None
    )
    monde.structure.refresh_from_db()
    assert monde.structure.commune_id == "94041"
    assert (monde.structure.longitude, monde.structure.latitude) == (monde.ivry.longitude, monde.ivry.latitude)


# --- Fermeture ------------------------------------------------------------------------------------


def test_fermer(monde):
    AgrementFactory(structure=monde.structure, debut=datetime.date(2014, 1, 1), fin=datetime.date(2017, 12, 31))
    with pytest.raises(PermissionDenied):
        services.structure_fermer(par=monde.compte_structure, structure=monde.structure, date=datetime.date(2018, 1, 1))
    with pytest.raises(ValidationError) as erreur:
        services.structure_fermer(par=monde.pilote, structure=monde.structure, date=datetime.date(2016, 6, 30))
    assert "31/12/2017" in erreur.value.message_dict["date"][0]
    monde.structure.refresh_from_db()
    assert monde.structure.date_fermeture is None
    services.structure_fermer(par=monde.pilote, structure=monde.structure, date=datetime.date(2018, 1, 31))
    monde.structure.refresh_from_db()
    assert monde.structure.date_fermeture == datetime.date(2018, 1, 31)


# --- Gestionnaires ------------------------------------------------------------------------------------


def test_gestionnaire_creer(monde):
    g = services.gestionnaire_creer(
        par=monde.pilote, nom="CCAS de Créteil", forme_juridique="ccas", departement="94", commune=monde.creteil
    )
    assert g.mode_gestion == "collectivite"
    with pytest.raises(ValidationError) as erreur:
        services.gestionnaire_creer(
            par=monde.pilote, nom="Asso", forme_juridique="association", departement="94", siret="12345678901234"
        )
    assert "siret" in erreur.value.message_dict
    with pytest.raises(ValidationError):
        services.gestionnaire_creer(
            par=monde.pilote, nom="Asso", forme_juridique="association", departement="94", commune=monde.bobigny
        )
    with pytest.raises(PermissionDenied):
        services.gestionnaire_creer(
            par=monde.compte_structure, nom="Asso", forme_juridique="association", departement="94"
        )
    assert not Gestionnaire.objects.filter(nom="Asso").exists()


# --- Contacts ------------------------------------------------------------------------------------------


def _contact(**autres):
    return {"fonction": "direction", "prenom": "Alex", "nom": "Durand", "email": "direction@exemple.fr", **autres}


def test_contact_public_sans_consentement_refuse(monde):
    with pytest.raises(ValidationError) as erreur:
        services.contact_creer(par=monde.compte_structure, structure=monde.structure, **_contact(public=True))
    assert "consentement_le" in erreur.value.message_dict
    with pytest.raises(ValidationError):
        services.contact_creer(
            par=monde.compte_structure, structure=monde.structure, **_contact(base_legale="consentement")
        )
    assert Contact.objects.count() == 0


def test_contact_creer_modifier_supprimer(monde):
    c = services.contact_creer(
        par=monde.compte_structure,
        structure=monde.structure,
        **_contact(base_legale="consentement", consentement_le=datetime.date(2024, 3, 1), public=True),
    )
    assert c.public is True
    with pytest.raises(ValidationError):
        services.contact_modifier(par=monde.compte_structure, contact=c, consentement_le=None)
    c.refresh_from_db()
    assert c.consentement_le == datetime.date(2024, 3, 1)
    with pytest.raises(PermissionDenied):
        services.contact_supprimer(par=monde.pilote93, contact=c)
    services.contact_supprimer(par=monde.compte_structure, contact=c)
    assert Contact.objects.count() == 0


# --- Projets sociaux et documents ---------------------------------------------------------------------------


def _docx() -> bytes:
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return tampon.getvalue()


def _odt() -> bytes:
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office/>")
    return tampon.getvalue()


@pytest.fixture
def projet(monde):
    return services.projet_social_creer(
        par=monde.compte_structure,
        structure=monde.structure,
        intitule="Projet social 2014-2017",
        debut=datetime.date(2014, 1, 1),
        fin=datetime.date(2017, 12, 31),
    )


def test_projet_social_dates(monde):
    with pytest.raises(ValidationError):
        services.projet_social_creer(
            par=monde.pilote,
            structure=monde.structure,
            intitule="À l'envers",
            debut=datetime.date(2018, 1, 1),
            fin=datetime.date(2017, 1, 1),
        )
    with pytest.raises(PermissionDenied):
        services.projet_social_creer(
            par=monde.compte_structure,
            structure=monde.autre,
            intitule="Ailleurs",
            debut=datetime.date(2014, 1, 1),
            fin=datetime.date(2017, 1, 1),
        )
    assert ProjetSocial.objects.count() == 0


@pytest.mark.parametrize(
    "nom, contenu",
    [("projet.pdf", b"%PDF-1.7\n..."), ("projet.docx", None), ("Projet social final.odt", None)],
)
def test_document_accepte(monde, projet, nom, contenu):
    if contenu is None:
        contenu = _docx() if nom.endswith(".docx") else _odt()
    doc = services.document_deposer(
        par=monde.compte_structure,
        projet=projet,
        nature="projet_social",
        titre="Le projet",
        fichier=SimpleUploadedFile(nom, contenu),
    )
    assert doc.depose_par == monde.compte_structure
    assert doc.fichier.name.startswith(f"structures/{monde.structure.pk}/projets/{projet.pk}/")
    assert " " not in doc.fichier.name
    with doc.fichier.open("rb") as fichier:
        assert fichier.read() == contenu


@pytest.mark.parametrize(
    "nom, contenu, message",
    [
        ("virus.exe", b"MZ...", "Format refusé"),
        ("faux.pdf", b"<html>", "n'est pas un PDF"),
        ("faux.docx", b"PK\x03\x04 pas vraiment un zip", "DOCX"),
        ("tableur.xlsx", _docx(), "XLSX"),
        ("vide.pdf", b"", "vide"),
    ],
)
def test_document_refuse(monde, projet, nom, contenu, message):
    with pytest.raises(ValidationError) as erreur:
        services.document_deposer(
            par=monde.compte_structure,
            projet=projet,
            nature="autre",
            titre="Doc",
            fichier=SimpleUploadedFile(nom, contenu),
        )
    assert message in erreur.value.message_dict["fichier"][0]
    assert DocumentProjet.objects.count() == 0


def test_document_trop_gros(monde, projet, monkeypatch):
    monkeypatch.setattr(services, "TAILLE_MAX_DOCUMENT", 10)
    with pytest.raises(ValidationError) as erreur:
        services.document_deposer(
            par=monde.compte_structure,
            projet=projet,
            nature="autre",
            titre="Doc",
            fichier=SimpleUploadedFile("gros.pdf", b"%PDF-" + b"x" * 100),
        )
    assert "taille maximale" in erreur.value.message_dict["fichier"][0]


def test_document_autre_structure_refuse(monde, projet):
    with pytest.raises(PermissionDenied):
        services.document_deposer(
            par=UtilisateurFactory(role=Role.STRUCTURE, departements=[monde.dep94], structure=monde.autre),
            projet=projet,
            nature="autre",
            titre="Doc",
            fichier=SimpleUploadedFile("a.pdf", b"%PDF-1.4"),
        )
    assert DocumentProjet.objects.count() == 0
