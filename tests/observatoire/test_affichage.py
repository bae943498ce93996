"""Display of the observatoire: answers as they read (labels, Oui/Non, French numbers, tables), the portrait's
links, the back-office."""

import html
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.comptes.models import Role
from maillage.observatoire import affichage, services
from maillage.observatoire.models import Commentaire, Statut, Transition
from maillage.observatoire.relecture import selectors as selectors_relecture
from tests.comptes.factories import UtilisateurFactory
from tests.observatoire.factories import CampagneFactory, ReponseFactory
from tests.structures.factories import StructureFactory

from .conftest import SOCLE, THEME, reponse_complete

MAINTENANT = timezone.now()
NNBSP, NBSP = "\u202f", "\xa0"


def _texte(reponse) -> str:
    return html.unescape(reponse.content.decode())


def _repondre(campagne, structure, statut, valeurs=None):
    return ReponseFactory(
        campagne=campagne,
        structure=structure,
        statut=statut,
        valeurs=valeurs or {},
        soumise_le=None if statut == Statut.BROUILLON else MAINTENANT,
        validee_le=MAINTENANT if statut == Statut.VALIDEE else None,
        verrouillee=statut == Statut.VALIDEE,
    )


# --- Formatting (pure) ---------------------------------------------------------------------------------------

CHOIX = {
    "code": "q",
    "type": "choix_unique",
    "choix": [{"code": "culture_loisirs", "libelle": "Culture et loisirs"}, {"code": "sport", "libelle": "Sport"}],
}
TABLEAU = {
    "code": "t",
    "type": "tableau",
    "lignes": [
        {"code": "cdi", "libelle": "CDI"},
        {"code": "cdd", "libelle": "CDD"},
        {"code": "autre", "libelle": "Autre"},
    ],
    "colonnes": [
        {"code": "effectif", "libelle": "Effectif", "type": "entier"},
        {"code": "etp", "libelle": "ETP", "type": "decimal"},
    ],
}


def test_choix_par_leur_libelle_et_code_inconnu_tel_quel():
    assert affichage.texte(CHOIX, "culture_loisirs") == "Culture et loisirs"
    assert affichage.texte(CHOIX, "code_disparu") == "code_disparu"
    multiple = {**CHOIX, "type": "choix_multiple"}
    assert affichage.texte(multiple, ["sport", "culture_loisirs", "inconnu"]) == "Sport, Culture et loisirs, inconnu"
    assert affichage.texte(multiple, "sport") == "Sport"


@pytest.mark.parametrize("vide", [None, "", "  ", [], {}])
@pytest.mark.parametrize("type_", ["choix_unique", "choix_multiple", "oui_non", "entier", "euros", "tableau", None])
def test_reponse_vide_tiret(vide, type_):
    question = {**CHOIX, "type": type_} if type_ else None
    assert affichage.texte(question, vide) == "—"


def test_oui_non_et_nombres_a_la_francaise():
    assert affichage.texte({"type": "oui_non"}, True) == "Oui"
    assert affichage.texte({"type": "oui_non"}, False) == "Non"
    assert affichage.texte({"type": "entier"}, 1234567) == f"1{NNBSP}234{NNBSP}567"
    assert affichage.texte({"type": "decimal"}, 17.5) == "17,5"
    assert affichage.texte({"type": "decimal"}, 3.0) == "3"
    assert affichage.texte({"type": "euros"}, 500000) == f"500{NNBSP}000{NBSP}€"
    assert affichage.texte({"type": "euros"}, 1234.5) == f"1{NNBSP}234,50{NBSP}€"
    assert affichage.texte({"type": "euros"}, -2500) == f"-2{NNBSP}500{NBSP}€"
    assert affichage.texte({"type": "pourcentage"}, 66.7) == f"66,7{NBSP}%"
    assert affichage.texte({"type": "texte_court"}, "Une phrase") == "Une phrase"
    # The portrait's units: a mean of counts keeps one decimal.
    assert affichage.nombre(162.5, "nombre") == "162,5"
    assert affichage.nombre(None, "euros") == "—"
    assert affichage.nombre(-0.01, "entier") == "0"


def test_tableau_lignes_libellees_total_et_code_inconnu():
    valeur = {"cdd": {"effectif": 10, "etp": 3.5}, "cdi": {"effectif": 20, "etp": 14}, "zz": {"effectif": 1}}
    lu = affichage.tableau(TABLEAU, valeur)
    assert lu.colonnes == ["Effectif", "ETP"]
    # Definition order, unknown row last (as stored), rows without values left out.
    assert [(ligne.libelle, ligne.cellules) for ligne in lu.lignes] == [
        ("CDI", ["20", "14"]),
        ("CDD", ["10", "3,5"]),
        ("zz", ["1", "—"]),
    ]
    assert lu.total == ["31", "17,5"]
    assert (
        affichage.texte(TABLEAU, valeur) == "CDI : Effectif 20, ETP 14 ; CDD : Effectif 10, ETP 3,5 ; zz : Effectif 1"
    )
    seul = affichage.tableau(TABLEAU, {"cdi": {"effectif": 2}, "autre": {}})
    assert len(seul.lignes) == 1 and seul.total is None
    assert affichage.tableau(TABLEAU, {}) is None
    assert affichage.tableau(TABLEAU, {"cdi": {}}) is None


def test_sans_question_valeur_generique():
    assert affichage.texte(None, {"b": 2, "a": [True, 1.5]}) == "a : Oui, 1,5 ; b : 2"


def test_les_listes_du_questionnaire_senacs(definition):
    q = definition.questions
    assert affichage.texte(q["id_mode_gestion"], "association") == "Association"
    assert affichage.texte(q["proj_enjeux"], ["acces_droits", "isolement_lien_social"]) == (
        "Accès aux droits, Isolement et lien social"
    )
    assert affichage.texte(q["part_commune"], "convention") == "Oui, avec une convention"


# --- Review page: labels and the portrait link ---------------------------------------------------------------


@pytest.fixture
def senacs(territoire_94):
    socle, _ = services.questionnaire_charger(chemin=SOCLE)
    theme, _ = services.questionnaire_charger(chemin=THEME)
    dep = territoire_94.departement
    campagne = CampagneFactory(departement=dep, questionnaire=socle, bloc_thematique=theme)
    cs = StructureFactory(nom="Centre social des Bleuets", commune=territoire_94.communes[0])
    return SimpleNamespace(
        dep=dep,
        campagne=campagne,
        cs=cs,
        communes=territoire_94.communes,
        pilote=UtilisateurFactory(role=Role.PILOTE, departements=[dep]),
        compte_structure=UtilisateurFactory(role=Role.STRUCTURE, structure=cs, departements=[dep]),
    )


@pytest.mark.django_db
def test_relecture_montre_les_libelles(client, senacs):
    reponse = _repondre(senacs.campagne, senacs.cs, Statut.SOUMISE, reponse_complete())
    client.force_login(senacs.pilote)
    page = client.get(reverse("observatoire:relire", args=[reponse.pk]))
    assert page.status_code == 200
    texte = _texte(page)
    assert "<dd>Association</dd>" in texte and "<dd>association</dd>" not in texte
    assert "<dd>Urbain</dd>" in texte
    assert "<dd>Oui, avec une convention</dd>" in texte
    assert "<dd>Accès aux droits, Isolement et lien social</dd>" in texte
    assert "<dd>Oui</dd>" in texte and "<dd>Non</dd>" in texte and "True" not in texte
    assert f"<dd>500{NNBSP}000{NBSP}€</dd>" in texte and "<dd>17,5</dd>" in texte
    # A table reads as a table, its rows and columns labelled.
    assert '<th scope="row">CDI</th><td class="nombre">20</td><td class="nombre">14</td>' in texte
    assert '<th scope="row">CDD</th><td class="nombre">10</td><td class="nombre">3,5</td>' in texte
    assert '<th scope="row">Total</th><td class="nombre">30</td><td class="nombre">17,5</td>' in texte
    assert 'aria-labelledby="libelle-pers_contrats"' in texte


@pytest.mark.django_db
def test_relecture_code_inconnu_tel_quel(client, senacs):
    reponse = _repondre(senacs.campagne, senacs.cs, Statut.SOUMISE, {"id_mode_gestion": "code_ancien"})
    client.force_login(senacs.pilote)
    assert "<dd>code_ancien</dd>" in _texte(client.get(reverse("observatoire:relire", args=[reponse.pk])))


@pytest.mark.django_db
def test_lien_portrait_depuis_la_relecture(client, senacs):
    soumise = _repondre(senacs.campagne, senacs.cs, Statut.SOUMISE, reponse_complete())
    url_portrait = reverse("observatoire:portrait", args=[senacs.campagne.annee, senacs.cs.pk])
    client.force_login(senacs.pilote)
    assert url_portrait not in _texte(client.get(reverse("observatoire:relire", args=[soumise.pk])))
    services.reponse_valider(par=senacs.pilote, reponse=soumise)
    texte = _texte(client.get(reverse("observatoire:relire", args=[soumise.pk])))
    assert f'href="{url_portrait}"' in texte and "Portrait 2016 de la structure" in texte
    assert client.get(url_portrait).status_code == 200


@pytest.mark.django_db
def test_lien_portrait_depuis_la_saisie(client, senacs):
    reponse = _repondre(senacs.campagne, senacs.cs, Statut.BROUILLON, {"pub_personnes": 10})
    url_page = reverse("observatoire:reponse", args=[reponse.pk])
    url_portrait = reverse("observatoire:portrait", args=[senacs.campagne.annee, senacs.cs.pk])
    client.force_login(senacs.compte_structure)
    assert url_portrait not in _texte(client.get(url_page))  # a draft: no portrait yet
    reponse.statut, reponse.verrouillee, reponse.soumise_le, reponse.validee_le = (
        Statut.VALIDEE,
        True,
        MAINTENANT,
        MAINTENANT,
    )
    reponse.save()
    texte = _texte(client.get(url_page))
    assert f'href="{url_portrait}"' in texte
    portrait = client.get(url_portrait)
    assert portrait.status_code == 200
    # The portrait's figures through the same formatting.
    assert "Centre social des Bleuets" in _texte(portrait)


@pytest.mark.django_db
def test_portrait_visible_suit_la_regle(senacs, territoire_94):
    from django.contrib.auth.models import AnonymousUser

    validee = _repondre(senacs.campagne, senacs.cs, Statut.VALIDEE, {"pub_personnes": 10})
    autre_cs = StructureFactory(commune=senacs.communes[1])
    autre_compte = UtilisateurFactory(role=Role.STRUCTURE, structure=autre_cs, departements=[senacs.dep])
    conseiller_ailleurs = UtilisateurFactory(
        role=Role.CONSEILLER, departements=[senacs.dep], communes=[senacs.communes[2]]
    )
    partenaire = UtilisateurFactory(role=Role.PARTENAIRE, departements=[senacs.dep])
    assert selectors_relecture.portrait_visible(senacs.pilote, validee)
    assert selectors_relecture.portrait_visible(senacs.compte_structure, validee)
    for lecteur in (AnonymousUser(), autre_compte, conseiller_ailleurs, partenaire):
        assert not selectors_relecture.portrait_visible(lecteur, validee)
    validee.statut = Statut.A_CORRIGER
    assert not selectors_relecture.portrait_visible(senacs.pilote, validee)


# --- Back-office ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_journaux_de_l_observatoire(admin_client, senacs):
    reponse = _repondre(senacs.campagne, senacs.cs, Statut.SOUMISE)
    Transition.objects.create(reponse=reponse, de=Statut.BROUILLON, vers=Statut.SOUMISE, par=senacs.compte_structure)
    Commentaire.objects.create(reponse=reponse, auteur=senacs.pilote, texte="À vérifier")
    for modele in ("transition", "commentaire", "relance", "reponse", "campagne", "questionnaire"):
        assert admin_client.get(reverse(f"admin:observatoire_{modele}_changelist")).status_code == 200, modele


@pytest.mark.django_db
def test_admin_refuse_aux_non_administrateurs(client, senacs):
    client.force_login(senacs.pilote)
    page = client.get(reverse("admin:observatoire_campagne_changelist"))
    assert page.status_code == 302 and "/login/" in page["Location"]
