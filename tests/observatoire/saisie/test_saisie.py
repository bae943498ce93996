"""Answering pages: campaigns, a structure's questionnaire section by section, autosave, prefill, submission."""

import html
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from maillage.comptes.models import Role
from maillage.observatoire import services
from maillage.observatoire.models import Campagne, Reponse, Statut
from maillage.observatoire.saisie.forms import analyser_nombre, lire_section
from maillage.structures.models import TypeAgrement, TypeStructure
from tests.comptes.factories import UtilisateurFactory
from tests.financements.factories import BudgetFactory, LigneProduitFactory
from tests.observatoire.factories import dates_campagne_en_cours
from tests.structures.factories import AgrementFactory, StructureFactory
from tests.territoires.factories import CommuneFactory, DepartementFactory

from ..conftest import SOCLE, THEME, reponse_complete

DATES = dates_campagne_en_cours()


@pytest.fixture
def reseau(territoire_94):
    creteil, vitry, _ = territoire_94.communes
    dep = territoire_94.departement
    dep_93 = DepartementFactory(code="93", nom="Seine-Saint-Denis", region=territoire_94.region)
    CommuneFactory(code="93008", nom="Bobigny", departement=dep_93)
    cs = StructureFactory(nom="Centre social des Bleuets", commune=creteil)
    AgrementFactory(structure=cs)
    evs = StructureFactory(nom="EVS de Vitry", type=TypeStructure.EVS, commune=vitry)
    AgrementFactory(structure=evs, type=TypeAgrement.ANIMATION_LOCALE)
    socle, _ = services.questionnaire_charger(chemin=SOCLE)
    theme, _ = services.questionnaire_charger(chemin=THEME)
    pilote = UtilisateurFactory(role=Role.PILOTE, departements=[dep])
    campagne = services.campagne_creer(
        par=pilote, departement="94", annee=2016, questionnaire=socle, bloc_thematique=theme, **DATES
    )
    return SimpleNamespace(
        dep=dep,
        cs=cs,
        evs=evs,
        socle=socle,
        theme=theme,
        campagne=campagne,
        rep_cs=Reponse.objects.get(campagne=campagne, structure=cs),
        rep_evs=Reponse.objects.get(campagne=campagne, structure=evs),
        pilote=pilote,
        pilote_93=UtilisateurFactory(role=Role.PILOTE, departements=[dep_93]),
        conseiller=UtilisateurFactory(role=Role.CONSEILLER, departements=[dep], communes=[creteil]),
        partenaire=UtilisateurFactory(role=Role.PARTENAIRE, departements=[dep]),
        compte_cs=UtilisateurFactory(role=Role.STRUCTURE, departements=[dep], structure=cs),
        compte_evs=UtilisateurFactory(role=Role.STRUCTURE, departements=[dep], structure=evs),
    )


def _url_section(reponse, section):
    return reverse("observatoire:section", args=[reponse.pk, section])


# --- French numbers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("texte", "attendu"),
    [
        ("17 500,50", Decimal("17500.50")),
        ("17\u202f500,50", Decimal("17500.50")),
        ("17\u00a0500", Decimal("17500")),
        ("1500.5", Decimal("1500.5")),
        ("12,5 %", Decimal("12.5")),
        ("2 000 €", Decimal("2000")),
        ("-3", Decimal("-3")),
        ("", None),
        ("   ", None),
    ],
)
def test_analyser_nombre(texte, attendu):
    assert analyser_nombre(texte) == attendu


@pytest.mark.parametrize("texte", ["abc", "1,2,3", "17 500,50,1", "1e5", "12-3"])
def test_analyser_nombre_refuse(texte):
    with pytest.raises(ValueError, match="Saisissez un nombre"):
        analyser_nombre(texte)


def test_lire_section_tableau_et_erreurs():
    questions = [
        {"code": "a", "type": "euros"},
        {"code": "b", "type": "entier"},
        {"code": "c", "type": "oui_non"},
        {
            "code": "t",
            "type": "tableau",
            "lignes": [{"code": "l1", "libelle": "Ligne 1"}],
            "colonnes": [
                {"code": "x", "libelle": "X", "type": "entier"},
                {"code": "y", "libelle": "Y", "type": "decimal"},
            ],
        },
    ]
    valeurs, erreurs, _ = lire_section({"q-a": "17 500,50", "q-b": "deux", "q-c": "non", "q-t-l1-x": "3"}, questions)
    assert valeurs == {"a": 17500.5, "c": False, "t": {"l1": {"x": 3}}}
    assert erreurs == {"b": ["Saisissez un nombre entier, par exemple 120."]}


# --- Permissions ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_anonyme_renvoye_a_la_connexion(client, reseau):
    for url in (
        reverse("observatoire:mes_reponses"),
        reverse("observatoire:reponse", args=[reseau.rep_cs.pk]),
        _url_section(reseau.rep_cs, "identite"),
        reverse("observatoire:campagnes", args=["94"]),
    ):
        reponse = client.get(url)
        assert reponse.status_code == 302 and reponse.url.startswith(reverse("comptes:connexion"))


@pytest.mark.django_db
def test_autre_structure_interdite(client, reseau):
    client.force_login(reseau.compte_evs)
    assert client.get(reverse("observatoire:reponse", args=[reseau.rep_cs.pk])).status_code == 403
    assert client.get(_url_section(reseau.rep_cs, "identite")).status_code == 403
    reponse = client.post(
        _url_section(reseau.rep_cs, "publics"), {"version": 1, "codes": ["pub_personnes"], "q-pub_personnes": "5"}
    )
    assert reponse.status_code == 403
    assert client.post(reverse("observatoire:reponse_soumettre", args=[reseau.rep_cs.pk])).status_code == 403
    reseau.rep_cs.refresh_from_db()
    assert reseau.rep_cs.valeurs == {} and reseau.rep_cs.version == 1


@pytest.mark.django_db
def test_pilote_voit_mais_ne_modifie_pas(client, reseau):
    client.force_login(reseau.pilote)
    page = client.get(_url_section(reseau.rep_cs, "publics"))
    assert page.status_code == 200
    assert "lecture seule" in page.content.decode()
    assert "hx-post" not in page.content.decode()
    reponse = client.post(
        _url_section(reseau.rep_cs, "publics"), {"version": 1, "codes": ["pub_personnes"], "q-pub_personnes": "5"}
    )
    assert reponse.status_code == 403
    reseau.rep_cs.refresh_from_db()
    assert reseau.rep_cs.valeurs == {}
    client.force_login(reseau.pilote_93)
    assert client.get(reverse("observatoire:reponse", args=[reseau.rep_cs.pk])).status_code == 403


@pytest.mark.django_db
def test_mes_reponses(client, reseau):
    client.force_login(reseau.compte_cs)
    page = client.get(reverse("observatoire:mes_reponses")).content.decode()
    assert reverse("observatoire:reponse", args=[reseau.rep_cs.pk]) in page
    assert reverse("observatoire:reponse", args=[reseau.rep_evs.pk]) not in page


@pytest.mark.django_db
def test_compte_structure_sans_structure(client, reseau):
    client.force_login(UtilisateurFactory(role=Role.STRUCTURE, departements=[reseau.dep]))
    page = client.get(reverse("observatoire:mes_reponses"))
    assert page.status_code == 200
    assert "rattaché à aucune structure" in page.content.decode()


# --- Response and section pages ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_page_reponse_progression(client, reseau):
    services.reponse_enregistrer(
        par=reseau.compte_cs, reponse=reseau.rep_cs, valeurs={"pub_personnes": 100, "pub_adherents": 20}, version=1
    )
    client.force_login(reseau.compte_cs)
    page = client.get(reverse("observatoire:reponse", args=[reseau.rep_cs.pk]))
    contenu = page.content.decode()
    publics = next(s for s in page.context["sections"] if s["code"] == "publics")
    assert (publics["faites"], publics["total"]) == (
        2,
        6,
    )  # the QPV share is hidden until the QPV situation is answered
    assert date_format(reseau.rep_cs.campagne.date_limite_reponse, "j F Y") in contenu
    assert "Brouillon" in contenu
    assert _url_section(reseau.rep_cs, "finances") in contenu


@pytest.mark.django_db
@pytest.mark.parametrize(
    "section", ["identite", "publics", "projet", "gouvernance", "partenariats", "personnel", "finances"]
)
def test_chaque_section_s_affiche(client, reseau, section):
    client.force_login(reseau.compte_cs)
    page = client.get(_url_section(reseau.rep_cs, section))
    assert page.status_code == 200
    assert page.context["questions"]


@pytest.mark.django_db
def test_rendu_des_types_de_question(client, reseau):
    services.reponse_enregistrer(
        par=reseau.compte_cs,
        reponse=reseau.rep_cs,
        valeurs={"id_situation_qpv": "dans_qpv", "id_hors_les_murs": True, "id_site_internet": "https://bleuets.fr"},
        version=1,
    )
    client.force_login(reseau.compte_cs)
    contenus = "".join(
        client.get(_url_section(reseau.rep_cs, s)).content.decode()
        for s in ("identite", "publics", "projet", "personnel", "finances", "theme_2016")
    )
    # euros / entier / décimal: text inputs accepting French numbers
    assert 'name="q-fin_charges_totales" id="q-fin_charges_totales"' in contenus
    assert 'inputmode="numeric"' in contenus and 'inputmode="decimal"' in contenus
    # choix multiple: checkboxes; oui/non: radios; texte long: textarea; pourcentage label
    assert 'type="checkbox" name="q-proj_enjeux"' in contenus
    assert 'type="radio" name="q-id_multi_sites" value="oui"' in contenus
    assert '<textarea name="q-id_hors_les_murs_detail"' in contenus
    assert '<textarea name="q-th16_freins"' in contenus
    assert 'name="q-id_site_internet" id="q-id_site_internet" value="https://bleuets.fr"' in contenus
    assert 'name="q-id_situation_qpv" value="dans_qpv" checked' in contenus or (
        '<option value="dans_qpv" selected>' in contenus
    )
    assert 'name="q-pub_part_habitants_qpv"' in contenus and "(en %)" in contenus
    assert "(en euros)" in contenus
    # table: caption, column and row headers, inputs labelled by both
    assert '<caption id="q-pub_tranches_age-titre">' in contenus
    assert 'scope="col" id="q-pub_tranches_age-c-personnes"' in contenus
    assert 'name="q-pub_tranches_age-0-3-personnes"' in contenus
    assert 'aria-labelledby="q-pub_tranches_age-l-0-3 q-pub_tranches_age-c-personnes"' in contenus
    # help text tied to its input
    assert 'id="q-pub_personnes-aide"' in contenus and 'aria-describedby="q-pub_personnes-aide' in contenus


@pytest.mark.django_db
def test_questions_conditionnelles_evs(client, reseau):
    client.force_login(reseau.compte_evs)
    codes = {v["code"] for v in client.get(_url_section(reseau.rep_evs, "finances")).context["questions"]}
    assert "fin_produit_caf_ps_animation_locale" in codes
    assert not codes & {"fin_produit_caf_ps_agc", "fin_produit_caf_ps_acf", "fin_charges_pilotage"}
    client.force_login(reseau.compte_cs)
    codes = {v["code"] for v in client.get(_url_section(reseau.rep_cs, "finances")).context["questions"]}
    assert "fin_produit_caf_ps_agc" in codes and "fin_produit_caf_ps_animation_locale" not in codes


@pytest.mark.django_db
def test_question_conditionnelle_selon_une_reponse(client, reseau):
    client.force_login(reseau.compte_cs)
    url = _url_section(reseau.rep_cs, "publics")
    assert "pub_part_habitants_qpv" not in {v["code"] for v in client.get(url).context["questions"]}
    page = client.post(
        _url_section(reseau.rep_cs, "identite"),
        {"version": 1, "codes": ["id_situation_qpv"], "q-id_situation_qpv": "dans_qpv"},
        headers={"HX-Request": "true"},
    )
    assert page.status_code == 200
    assert "pub_part_habitants_qpv" in {v["code"] for v in client.get(url).context["questions"]}


# --- Autosave ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_enregistrement_automatique_et_conflit(client, reseau):
    client.force_login(reseau.compte_cs)
    url = _url_section(reseau.rep_cs, "finances")
    donnees = {"version": 1, "codes": ["fin_charges_totales"], "q-fin_charges_totales": "17 500,50"}
    page = client.post(url, donnees, headers={"HX-Request": "true"})
    assert page.status_code == 200
    contenu = page.content.decode()
    assert "Enregistré à" in contenu
    assert 'name="version" value="2"' in contenu
    reseau.rep_cs.refresh_from_db()
    assert reseau.rep_cs.valeurs == {"fin_charges_totales": 17500.5} and reseau.rep_cs.version == 2
    # A second save with the same (now stale) version is refused: nothing overwritten.
    page = client.post(url, {**donnees, "q-fin_charges_totales": "99"}, headers={"HX-Request": "true"})
    contenu = page.content.decode()
    assert "rechargez la page" in contenu and "Recharger la section" in contenu
    assert 'role="alert"' in contenu
    # The form keeps the stale version: the next autosave is refused as well, until the user reloads.
    assert 'name="version" value="1"' in contenu
    reseau.rep_cs.refresh_from_db()
    assert reseau.rep_cs.valeurs == {"fin_charges_totales": 17500.5} and reseau.rep_cs.version == 2
    # Without htmx: 409.
    assert client.post(url, {**donnees, "q-fin_charges_totales": "99"}).status_code == 409


@pytest.mark.django_db
def test_saisie_invalide_n_efface_rien_et_enregistre_le_reste(client, reseau):
    services.reponse_enregistrer(par=reseau.compte_cs, reponse=reseau.rep_cs, valeurs={"pub_adherents": 7}, version=1)
    client.force_login(reseau.compte_cs)
    page = client.post(
        _url_section(reseau.rep_cs, "publics"),
        {
            "version": 2,
            "codes": ["pub_adherents", "pub_personnes"],
            "q-pub_adherents": "sept",
            "q-pub_personnes": "1 200",
        },
    )
    assert page.status_code == 400
    contenu = page.content.decode()
    assert 'id="q-pub_adherents-erreur"' in contenu and 'aria-invalid="true"' in contenu
    assert 'value="sept"' in contenu
    reseau.rep_cs.refresh_from_db()
    assert reseau.rep_cs.valeurs == {"pub_adherents": 7, "pub_personnes": 1200}


@pytest.mark.django_db
def test_enregistrer_sans_htmx_redirige(client, reseau):
    client.force_login(reseau.compte_cs)
    url = _url_section(reseau.rep_cs, "publics")
    reponse = client.post(url, {"version": 1, "codes": ["pub_personnes"], "q-pub_personnes": "50", "suite": "projet"})
    assert reponse.status_code == 302 and reponse.url == _url_section(reseau.rep_cs, "projet")
    page = client.get(url).content.decode()
    assert 'value="50"' in page


# --- Prefill and submission -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_preremplir(client, reseau, types_ps):
    budget = BudgetFactory(structure=reseau.cs, annee=2015, charges_totales=Decimal("400000"))
    LigneProduitFactory(budget=budget, montant=Decimal("60000"))
    client.force_login(reseau.compte_cs)
    reponse = client.post(reverse("observatoire:reponse_prefill", args=[reseau.rep_cs.pk]), {"version": 1})
    assert reponse.status_code == 302
    reseau.rep_cs.refresh_from_db()
    assert reseau.rep_cs.valeurs["fin_charges_totales"] == 400000
    assert reseau.rep_cs.valeurs["fin_produit_caf_ps_agc"] == 60000
    page = client.get(_url_section(reseau.rep_cs, "finances")).content.decode()
    assert "Prérempli depuis le budget réalisé" in page
    assert 'value="400 000"' in page


@pytest.mark.django_db
def test_soumission_refusee_puis_acceptee(client, reseau):
    client.force_login(reseau.compte_cs)
    url = reverse("observatoire:reponse_soumettre", args=[reseau.rep_cs.pk])
    page = client.post(url)
    assert page.status_code == 400
    contenu = page.content.decode()
    assert "ne peut pas encore être soumise" in contenu
    assert _url_section(reseau.rep_cs, "publics") + "#q-pub_personnes" in contenu
    reseau.rep_cs.refresh_from_db()
    assert reseau.rep_cs.statut == Statut.BROUILLON
    services.reponse_enregistrer(par=reseau.compte_cs, reponse=reseau.rep_cs, valeurs=reponse_complete(), version=1)
    reponse = client.post(url)
    assert reponse.status_code == 302
    reseau.rep_cs.refresh_from_db()
    assert reseau.rep_cs.statut == Statut.SOUMISE
    # Submitted: read-only for the structure.
    assert "hx-post" not in client.get(_url_section(reseau.rep_cs, "publics")).content.decode()


# --- Campaigns --------------------------------------------------------------------------------------------


def _formulaire(**changements):
    return {
        "annee": "2017",
        "ouverture": "2017-03-01",
        "date_limite_reponse": "2017-04-30",
        "date_limite_relecture": "2017-06-15",
        **changements,
    }


@pytest.mark.django_db
def test_creer_une_campagne(client, reseau):
    client.force_login(reseau.pilote)
    page = client.get(reverse("observatoire:campagne_creer", args=["94"]))
    assert page.status_code == 200
    reponse = client.post(
        reverse("observatoire:campagne_creer", args=["94"]),
        _formulaire(questionnaire=reseau.socle.pk, bloc_thematique=reseau.theme.pk, federation_relit="on"),
    )
    assert reponse.status_code == 302
    campagne = Campagne.objects.get(departement=reseau.dep, annee=2017)
    assert campagne.federation_relit and campagne.bloc_thematique == reseau.theme
    assert campagne.reponses.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changements", "champ", "message"),
    [
        ({"date_limite_reponse": "2017-02-01"}, "date_limite_reponse", "doit suivre la date d'ouverture"),
        ({"date_limite_relecture": "2017-04-30"}, "date_limite_relecture", "doit suivre la date limite de réponse"),
        ({"annee": "2016"}, "annee", "existe déjà"),
    ],
)
def test_creer_une_campagne_invalide(client, reseau, changements, champ, message):
    client.force_login(reseau.pilote)
    page = client.post(
        reverse("observatoire:campagne_creer", args=["94"]), _formulaire(questionnaire=reseau.socle.pk, **changements)
    )
    assert page.status_code == 200
    assert message in " ".join(page.context["form"].errors[champ])
    assert Campagne.objects.filter(departement=reseau.dep).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("qui", ["pilote_93", "conseiller", "partenaire", "compte_cs"])
def test_creer_une_campagne_refuse(client, reseau, qui):
    client.force_login(getattr(reseau, qui))
    assert client.get(reverse("observatoire:campagne_creer", args=["94"])).status_code == 403
    reponse = client.post(
        reverse("observatoire:campagne_creer", args=["94"]), _formulaire(questionnaire=reseau.socle.pk)
    )
    assert reponse.status_code == 403
    assert not Campagne.objects.filter(annee=2017).exists()


@pytest.mark.django_db
def test_liste_des_campagnes(client, reseau, django_assert_max_num_queries):
    services.reponse_enregistrer(par=reseau.compte_cs, reponse=reseau.rep_cs, valeurs=reponse_complete(), version=1)
    services.reponse_soumettre(par=reseau.compte_cs, reponse=reseau.rep_cs)
    for qui in ("pilote", "conseiller", "partenaire"):
        client.force_login(getattr(reseau, qui))
        with django_assert_max_num_queries(12):
            page = client.get(reverse("observatoire:campagnes", args=["94"]))
        assert page.status_code == 200
        campagne = page.context["campagnes"][0]
        assert (campagne.attendues, campagne.n_brouillon, campagne.n_soumise) == (2, 1, 1)
        assert ("Ouvrir une campagne" in page.content.decode()) == (qui == "pilote")
    for qui in ("pilote_93", "compte_cs"):
        client.force_login(getattr(reseau, qui))
        assert client.get(reverse("observatoire:campagnes", args=["94"])).status_code == 403


@pytest.mark.django_db
def test_renvoyee_a_corriger_motif_et_commentaires(client, reseau):
    services.reponse_enregistrer(par=reseau.compte_cs, reponse=reseau.rep_cs, valeurs=reponse_complete(), version=1)
    services.reponse_soumettre(par=reseau.compte_cs, reponse=reseau.rep_cs)
    services.reponse_commenter(
        par=reseau.pilote, reponse=reseau.rep_cs, question="pub_personnes", texte="Chiffre très inférieur à 2015 ?"
    )
    services.reponse_renvoyer(par=reseau.pilote, reponse=reseau.rep_cs, motif="Vérifiez les publics.")
    client.force_login(reseau.compte_cs)
    page = client.get(reverse("observatoire:reponse", args=[reseau.rep_cs.pk])).content.decode()
    assert "Réponse renvoyée à corriger" in page and "Vérifiez les publics." in page
    assert "Soumettre à la Caf" in page
    section = client.get(_url_section(reseau.rep_cs, "publics")).content.decode()
    assert "Chiffre très inférieur à 2015 ?" in section
    assert "hx-post" in section  # editable again


# --- Consistency alerts while filling, error summary, fitting hints, locked answer ---------------------------


def _tranches(**cellules):
    return {f"q-pub_tranches_age-{ligne}-personnes": valeur for ligne, valeur in cellules.items()}


@pytest.mark.django_db
def test_tranche_d_age_au_dessus_du_total_signalee_pendant_la_saisie(client, reseau):
    client.force_login(reseau.compte_cs)
    donnees = {
        "version": 1,
        "codes": ["pub_personnes", "pub_tranches_age"],
        "q-pub_personnes": "500",
        **_tranches(**{"26-59": "600", "60+": "300"}),
    }
    page = client.post(_url_section(reseau.rep_cs, "publics"), donnees, headers={"HX-Request": "true"})
    assert page.status_code == 200
    contenu = html.unescape(page.content.decode())
    # Saved all the same (it only blocks the submission), the same text as the reviewer's, once, by the bands.
    reseau.rep_cs.refresh_from_db()
    assert reseau.rep_cs.valeurs["pub_personnes"] == 500
    message = "La somme des tranches d'âge (900) dépasse le nombre de personnes touchées (500)."
    assert contenu.count(message) == 1
    assert 'id="q-pub_tranches_age-alerte"' in contenu and "q-pub_tranches_age-alerte" in contenu.split(message)[0]
    assert "Incohérence (bloque la soumission)" in contenu
    # The indicator is not green: saved, but one inconsistency blocks the submission.
    assert "saisie-statut--alerte" in contenu and "saisie-statut--succes" not in contenu
    assert "Enregistré à" in contenu and "1 incohérence bloque la soumission" in contenu
    # Shown again when the section is opened later, and gone once corrected.
    assert message in html.unescape(client.get(_url_section(reseau.rep_cs, "publics")).content.decode())
    corrige = client.post(
        _url_section(reseau.rep_cs, "publics"),
        {**donnees, "version": 2, "q-pub_personnes": "1 000"},
        headers={"HX-Request": "true"},
    )
    contenu = html.unescape(corrige.content.decode())
    assert message not in contenu and "saisie-statut--succes" in contenu


@pytest.mark.django_db
def test_toutes_les_erreurs_resumees_en_haut_avec_des_exemples_qui_vont_au_champ(client, reseau):
    client.force_login(reseau.compte_cs)
    page = client.post(
        _url_section(reseau.rep_cs, "publics"),
        {
            "version": 1,
            "codes": ["pub_personnes", "pub_tranches_age", "pub_adherents"],
            "q-pub_personnes": "beaucoup",
            "q-pub_adherents": "12",
            **_tranches(**{"0-3": "dix", "60+": "2,5"}),
        },
    )
    assert page.status_code == 400
    contenu = html.unescape(page.content.decode())
    resume = contenu.split('id="resume-erreurs"')[1].split("</div>")[0]
    # Every error at once: in the table, « dix » does not hide « 2,5 » (not an integer).
    assert "3 erreurs empêchent d'enregistrer ces réponses" in resume
    assert "60 ans et plus, Personnes : Saisissez un nombre entier." in resume
    assert (
        '<a href="#q-pub_personnes">Personnes différentes touchées dans l\'année : Saisissez un nombre entier,'
        " par exemple 120.</a>" in resume
    )
    assert 'href="#q-pub_tranches_age"' in resume
    # A head count hints an integer, never « 17 500,50 »; the other answers are saved.
    assert "17 500,50" not in contenu
    assert "saisie-statut--succes" not in contenu and "sauf 2 réponses en erreur : corrigez-les." in contenu
    reseau.rep_cs.refresh_from_db()
    assert reseau.rep_cs.valeurs == {"pub_adherents": 12}
    euros = client.post(
        _url_section(reseau.rep_cs, "finances"),
        {"version": 2, "codes": ["fin_charges_totales"], "q-fin_charges_totales": "mille"},
    )
    assert "Saisissez un montant en euros, par exemple 17 500,50." in html.unescape(euros.content.decode())


def test_tableau_toutes_les_erreurs_d_un_coup():
    question = {
        "code": "t",
        "type": "tableau",
        "min": 0,
        "lignes": [{"code": "a", "libelle": "A"}, {"code": "b", "libelle": "B"}],
        "colonnes": [{"code": "x", "libelle": "X", "type": "entier"}],
    }
    _, erreurs, _ = lire_section({"q-t-a-x": "dix", "q-t-b-x": "-5"}, [question])
    assert erreurs == {
        "t": [
            "A, X : Saisissez un nombre entier, par exemple 120.",
            "B, X : La valeur doit être supérieure ou égale à 0.",
        ]
    }


def test_indicateur_d_enregistrement():
    from maillage.observatoire.saisie.presentation import statut_enregistrement

    assert statut_enregistrement(enregistre_a="10:02", conflit=None, erreurs=0, bloquantes=0) == {
        "texte": "Enregistré à 10:02",
        "niveau": "succes",
    }
    assert statut_enregistrement(enregistre_a="10:02", conflit=None, erreurs=1, bloquantes=3)["texte"] == (
        "Enregistré à 10:02, sauf 1 réponse en erreur : corrigez-la."
    )
    assert statut_enregistrement(enregistre_a="10:02", conflit=None, erreurs=0, bloquantes=2)["niveau"] == "alerte"
    assert statut_enregistrement(enregistre_a=None, conflit="Changée", erreurs=0, bloquantes=0)["niveau"] == "erreur"


@pytest.mark.django_db
def test_reponse_verrouillee_presentee_en_lecture(client, reseau):
    reponse = reseau.rep_cs
    reponse.valeurs = {"pub_personnes": 1200, "pub_tranches_age": {"26-59": {"personnes": 600}}}
    reponse.statut, reponse.soumise_le, reponse.validee_le, reponse.verrouillee = (
        Statut.VALIDEE,
        timezone.now(),
        timezone.now(),
        True,
    )
    reponse.save()
    client.force_login(reseau.compte_cs)
    contenu = html.unescape(client.get(_url_section(reponse, "publics")).content.decode())
    assert "elle est validée et verrouillée" in contenu
    principal = contenu.split('id="formulaire-section"')[1]
    # Read as text, not as inputs that look editable.
    assert "<input" not in principal.split("</dl>")[0] and "<textarea" not in principal.split("</dl>")[0]
    assert "<dd>1\u202f200</dd>" in principal
    assert '<th scope="row">26 à 59 ans</th><td class="nombre">600</td>' in principal
    assert "hx-post" not in contenu


def test_messages_accordes_au_nombre():
    from maillage.observatoire.saisie.views import _campagne_ouverte

    assert _campagne_ouverte(2016, 0) == "Campagne 2016 ouverte : aucune structure n'est attendue."
    assert _campagne_ouverte(2016, 1) == "Campagne 2016 ouverte : 1 structure est attendue."
    assert _campagne_ouverte(2016, 47) == "Campagne 2016 ouverte : 47 structures sont attendues."
