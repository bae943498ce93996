"""The structure form people can fix: every error at once with a summary linked to the fields, postal codes
checked, a warning (not a refusal) for a position that could not be checked against the commune's outline, the
long lists of communes and QPV as a filterable list with the checked ones first, the parts of the form."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from maillage.comptes.models import Role
from maillage.structures import services
from maillage.structures.models import Structure
from tests.comptes.factories import UtilisateurFactory
from tests.structures.factories import GestionnaireFactory, StructureFactory
from tests.territoires.factories import CommuneFactory, DepartementFactory


@pytest.fixture
def pilote(territoire_94):
    return UtilisateurFactory(role=Role.PILOTE, departements=[territoire_94.departement])


@pytest.fixture
def gestionnaire(territoire_94):
    return GestionnaireFactory(nom="Association du Port", commune=territoire_94.communes[0])


def _donnees(gestionnaire, **autres):
    return {
        "type": "evs",
        "nom": "EVS du Port",
        "siret": "",
        "gestionnaire": str(gestionnaire.pk),
        "adresse": "2 quai du Port",
        "code_postal": "94000",
        "commune": "94028",
        "situation_qpv": "aucune",
        **autres,
    }


def _creer(client, donnees):
    return client.post(reverse("structures:structure_creer", args=["94"]), donnees)


# --- All errors at once, in a summary linked to the fields ---------------------------------------------


@pytest.mark.django_db
def test_toutes_les_erreurs_en_une_fois_avec_le_resume(client, pilote, gestionnaire):
    """A wrong e-mail, postal code and position: the three errors come back together, not one per submission."""
    client.force_login(pilote)
    reponse = _creer(
        client,
        _donnees(gestionnaire, email="pas-une-adresse", code_postal="9400", longitude="2,37", latitude="48,80"),
    )
    assert reponse.status_code == 200
    erreurs = reponse.context["form"].errors
    assert set(erreurs) >= {"email", "code_postal", "longitude"}
    page = reponse.content.decode()
    resume = re.search(r'<div class="resume-erreurs[^"]*"[^>]*id="erreurs-formulaire".*?</div>', page, re.S).group(0)
    assert 'role="alert"' in resume
    for champ in ("email", "code_postal", "longitude"):
        assert f'<a href="#id_{champ}">' in resume
        assert f'id="id_{champ}"' in page
    assert "Code postal : Le code postal « 9400 » doit compter 5 chiffres" in resume
    assert not Structure.objects.filter(nom="EVS du Port").exists()


@pytest.mark.django_db
def test_resume_relie_une_liste_de_cases_a_sa_boite(client, pilote, gestionnaire, territoire_94):
    """An error on a checkbox list links to the list's box, which carries the field's id."""
    client.force_login(pilote)
    hors = CommuneFactory(code="93008", nom="Bobigny", departement=DepartementFactory(code="93"))
    reponse = _creer(client, _donnees(gestionnaire, communes_competence=["94028", hors.code]))
    page = reponse.content.decode()
    assert reponse.context["form"].errors["communes_competence"]
    assert '<a href="#id_communes_competence">' in page
    assert '<div id="id_communes_competence" class="cases-filtrables__liste">' in page


# --- Postal codes ------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("9400", "doit compter 5 chiffres"),
        ("94A00", "doit compter 5 chiffres"),
        ("93000", "n'est pas celui d'une commune du département 94 (Créteil) : il devrait commencer par 94"),
    ],
)
def test_code_postal_refuse(client, pilote, gestionnaire, code, message):
    client.force_login(pilote)
    reponse = _creer(client, _donnees(gestionnaire, code_postal=code))
    assert reponse.status_code == 200
    assert any(message in m for m in reponse.context["form"].errors["code_postal"])
    assert not Structure.objects.filter(nom="EVS du Port").exists()


@pytest.mark.django_db
def test_code_postal_avec_espace_accepte(client, pilote, gestionnaire):
    client.force_login(pilote)
    reponse = _creer(client, _donnees(gestionnaire, code_postal="94 000"))
    assert reponse.status_code == 302
    assert Structure.objects.get(nom="EVS du Port").code_postal == "94000"


@pytest.mark.django_db
def test_service_refuse_aussi_le_code_postal(pilote, gestionnaire, territoire_94):
    """The rule lives in the service: an import or the API cannot bypass it."""
    with pytest.raises(services.ValidationError) as erreur:
        services.structure_creer(
            par=pilote,
            type="evs",
            nom="EVS du Port",
            gestionnaire=gestionnaire,
            commune=territoire_94.communes[0],
            code_postal="75011",
            situation_qpv="aucune",
        )
    assert "devrait commencer par 94" in erreur.value.message_dict["code_postal"][0]


def test_prefixe_postal_corse_et_outre_mer():
    assert services.prefixe_postal("2A") == "20" and services.prefixe_postal("2B") == "20"
    assert services.prefixe_postal("971") == "971" and services.prefixe_postal("94") == "94"
    corse = type("Commune", (), {"departement_id": "2A", "nom": "Ajaccio"})()
    assert services.erreurs_code_postal("20000", corse) == []
    assert services.erreurs_code_postal("", corse) == []


# --- Position: a warning where the outline of the commune is unknown ------------------------------------


@pytest.mark.django_db
def test_position_hors_du_departement_avertie_pas_refusee(client, pilote, gestionnaire, territoire_94):
    """Orly has no outline: a point east of the département's communes is saved, with a warning."""
    CommuneFactory(
        code="94054", nom="Orly", departement=territoire_94.departement, geometrie="", longitude=2.39, latitude=48.79
    )
    client.force_login(pilote)
    reponse = _creer(
        client, _donnees(gestionnaire, commune="94054", code_postal="94310", longitude="2,70", latitude="48,80")
    )
    assert reponse.status_code == 302
    s = Structure.objects.get(nom="EVS du Port")
    assert (s.longitude, s.latitude) == (2.70, 48.80)
    avertissements = [str(m) for m in get_messages(reponse.wsgi_request) if m.level_tag == "warning"]
    assert avertissements == [
        "Cette position est en dehors du département 94 : vérifiez la longitude et la latitude (en degrés décimaux, "
        "WGS 84)."
    ]


@pytest.mark.django_db
def test_position_dans_le_departement_sans_avertissement(client, pilote, gestionnaire, territoire_94):
    CommuneFactory(
        code="94054", nom="Orly", departement=territoire_94.departement, geometrie="", longitude=2.39, latitude=48.79
    )
    client.force_login(pilote)
    reponse = _creer(
        client, _donnees(gestionnaire, commune="94054", code_postal="94310", longitude="2,41", latitude="48,80")
    )
    assert reponse.status_code == 302
    assert not [m for m in get_messages(reponse.wsgi_request) if m.level_tag == "warning"]


@pytest.mark.django_db
def test_position_loin_de_la_commune_sans_contour(territoire_94):
    """No outline known in the département at all: only the distance to the commune's centre can be said."""
    dep = DepartementFactory(code="2A", nom="Corse-du-Sud", region=territoire_94.region)
    ajaccio = CommuneFactory(code="2A004", nom="Ajaccio", departement=dep, geometrie="", longitude=8.74, latitude=41.93)
    assert services.avertissements_position(ajaccio, 8.74, 41.93) == []
    (avertissement,) = services.avertissements_position(ajaccio, 9.0, 41.93)
    assert avertissement.startswith("Cette position est à 22 km du centre de Ajaccio")
    # With the commune's outline, the position is checked strictly (refused outside), never warned about.
    assert services.avertissements_position(territoire_94.communes[0], 3.0, 48.8) == []


# --- The long checkbox lists ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_listes_filtrables_cases_cochees_en_tete(client, pilote, territoire_94):
    creteil, vitry, ivry = territoire_94.communes
    structure = StructureFactory(commune=vitry, longitude=2.38, latitude=48.80)
    structure.communes_competence.set([ivry, vitry])
    client.force_login(pilote)
    page = client.get(reverse("structures:structure_modifier", args=[structure.pk])).content.decode()
    bloc = re.search(r'<div class="cases-filtrables".*?id="id_communes_competence".*?</div>\s*</div>', page, re.S)
    assert bloc, "la liste des communes est dans sa boîte filtrable"
    bloc = bloc.group(0)
    assert 'data-nom-pluriel="communes"' in bloc
    assert "2 communes cochées" in bloc
    # Checked first (in the list's order, by name), then the others; each input keeps its own id.
    cases = re.findall(
        r'<input type="checkbox" name="communes_competence" value="(\d+)"[^>]*id="([\w]+)"([^>]*)>', bloc
    )
    assert [(code, "checked" in reste) for code, _, reste in cases] == [
        ("94041", True),
        ("94081", True),
        ("94028", False),
    ]
    assert [ident for _, ident, _ in cases] == [
        "id_communes_competence_1",
        "id_communes_competence_2",
        "id_communes_competence_0",
    ]
    assert "1 quartier prioritaire coché" in page or "Aucun quartier prioritaire coché" in page
    assert "/static/maillage/js/formulaires.js" in page


@pytest.mark.django_db
def test_formulaire_en_parties_avec_sommaire(client, pilote):
    client.force_login(pilote)
    page = client.get(reverse("structures:structure_creer", args=["94"])).content.decode()
    sommaire = re.search(r'<nav class="sommaire-formulaire" aria-label="Parties du formulaire">.*?</nav>', page, re.S)
    liens = re.findall(r'<a href="#(partie-\d+)">([^<]+)</a>', sommaire.group(0))
    assert [texte for _, texte in liens][:3] == ["Identité", "Adresse et position", "Territoire d&#x27;intervention"]
    for ancre, legende in liens:
        assert re.search(rf'<fieldset id="{ancre}">\s*<legend>{re.escape(legende)}</legend>', page)
