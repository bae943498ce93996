"""The pilot manages a campaign after opening it: changing its dates and settings, publishing its results and
withdrawing them, from the campaigns page (services with their permission checks, views, denials, query count)."""

import datetime
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from maillage.comptes.models import Role
from maillage.observatoire import calendrier, services
from maillage.observatoire.models import Campagne, Reponse, Statut
from maillage.structures.models import TypeAgrement, TypeStructure
from tests.comptes.factories import UtilisateurFactory
from tests.conftest import enregistrer_deux_fois, message_conflit
from tests.observatoire.factories import CampagneFactory, ReponseFactory, dates_campagne_en_cours
from tests.structures.factories import AgrementFactory, StructureFactory
from tests.territoires.factories import CommuneFactory, DepartementFactory

from ..conftest import SOCLE, THEME, reponse_complete

DATES = dates_campagne_en_cours()
JOUR = datetime.timedelta(days=1)
CHAMPS = ("ouverture", "date_limite_reponse", "date_limite_relecture", "federation_relit", "seuil_evolution")
ROLES_REFUSES = ["pilote_93", "conseiller", "partenaire", "compte_cs"]
SEUIL = "Le seuil d'évolution est un nombre entre 0 (exclu) et 10 (1 = ±100 %)."


@pytest.fixture
def gestion(territoire_94):
    creteil, vitry, _ = territoire_94.communes
    dep = territoire_94.departement
    dep_93 = DepartementFactory(code="93", nom="Seine-Saint-Denis", region=territoire_94.region)
    bobigny = CommuneFactory(code="93008", nom="Bobigny", departement=dep_93)
    cs = StructureFactory(nom="Centre social des Bleuets", commune=creteil)
    AgrementFactory(structure=cs)
    evs = StructureFactory(nom="EVS de Vitry", type=TypeStructure.EVS, commune=vitry)
    AgrementFactory(structure=evs, type=TypeAgrement.ANIMATION_LOCALE)
    AgrementFactory(structure=StructureFactory(nom="Centre de Bobigny", commune=bobigny))
    socle, _ = services.questionnaire_charger(chemin=SOCLE)
    theme, _ = services.questionnaire_charger(chemin=THEME)
    pilote = UtilisateurFactory(role=Role.PILOTE, departements=[dep])
    pilote_93 = UtilisateurFactory(role=Role.PILOTE, departements=[dep_93])
    campagne = services.campagne_creer(
        par=pilote, departement="94", annee=2016, questionnaire=socle, bloc_thematique=theme, **DATES
    )
    campagne_93 = services.campagne_creer(par=pilote_93, departement="93", annee=2016, questionnaire=socle, **DATES)
    return SimpleNamespace(
        dep=dep,
        socle=socle,
        campagne=campagne,
        campagne_93=campagne_93,
        rep_cs=Reponse.objects.get(campagne=campagne, structure=cs),
        pilote=pilote,
        pilote_93=pilote_93,
        admin=UtilisateurFactory(role=Role.ADMIN),
        conseiller=UtilisateurFactory(role=Role.CONSEILLER, departements=[dep], communes=[creteil]),
        partenaire=UtilisateurFactory(role=Role.PARTENAIRE, departements=[dep]),
        compte_cs=UtilisateurFactory(role=Role.STRUCTURE, departements=[dep], structure=cs),
    )


def _valider(g) -> Reponse:
    """The centre social answers, submits, and the pilot validates: the campaign has something to publish."""
    reponse = services.reponse_enregistrer(par=g.compte_cs, reponse=g.rep_cs, valeurs=reponse_complete(), version=1)
    reponse = services.reponse_soumettre(par=g.compte_cs, reponse=reponse)
    return services.reponse_valider(par=g.pilote, reponse=reponse)


def _reglages(campagne, **changements) -> dict:
    return {champ: getattr(campagne, champ) for champ in CHAMPS} | changements


def _etat(campagne) -> tuple:
    campagne = Campagne.objects.get(pk=campagne.pk)
    return tuple(getattr(campagne, champ) for champ in (*CHAMPS, "annee", "questionnaire_id", "publiee", "publiee_le"))


def _journal(campagne):
    return LogEntry.objects.get_for_object(campagne).filter(action=LogEntry.Action.UPDATE).order_by("pk")


# --- calendrier: the phase of a campaign and the checks of its dates ------------------------------------------

BORNES = {
    "ouverture": datetime.date(2016, 3, 1),
    "date_limite_reponse": datetime.date(2016, 4, 30),
    "date_limite_relecture": datetime.date(2016, 6, 15),
}


@pytest.mark.parametrize(
    ("jour", "attendue"),
    [
        (datetime.date(2016, 2, 29), calendrier.A_VENIR),
        (datetime.date(2016, 3, 1), calendrier.OUVERTE),
        (datetime.date(2016, 4, 30), calendrier.OUVERTE),
        (datetime.date(2016, 5, 1), calendrier.RELECTURE),
        (datetime.date(2016, 6, 15), calendrier.RELECTURE),
        (datetime.date(2016, 6, 16), calendrier.CLOSE),
    ],
)
def test_phase_suit_les_bornes_de_la_saisie(jour, attendue):
    assert calendrier.phase(aujourd_hui=jour, **BORNES) == attendue
    assert calendrier.phase_pour(SimpleNamespace(**BORNES), jour) == attendue
    # The same bounds as what a structure may do: closed exactly when a draft is refused for the dates.
    ferme = bool(calendrier.motif_pour(SimpleNamespace(**BORNES), "brouillon", jour))
    assert ferme == (attendue in {calendrier.A_VENIR, calendrier.CLOSE})
    assert calendrier.en_retard(aujourd_hui=jour, date_limite_reponse=BORNES["date_limite_reponse"]) == (
        attendue in {calendrier.RELECTURE, calendrier.CLOSE}
    )


def test_libelles_des_phases():
    assert calendrier.LIBELLES_PHASES == {
        "a_venir": "à venir",
        "ouverte": "ouverte",
        "relecture": "en retard / relecture",
        "close": "close",
    }


@pytest.mark.parametrize(
    ("changements", "attendu"),
    [
        ({}, {}),
        (
            {"date_limite_reponse": datetime.date(2016, 3, 1)},
            {"date_limite_reponse": "doit suivre la date d'ouverture"},
        ),
        (
            {"date_limite_relecture": datetime.date(2016, 4, 30)},
            {"date_limite_relecture": "doit suivre la date limite de réponse"},
        ),
        ({"ouverture": "2016-03-01"}, {"ouverture": "Saisissez une date valide."}),
        ({"ouverture": datetime.datetime(2016, 3, 1, 8)}, {"ouverture": "Saisissez une date valide."}),
        ({"date_limite_relecture": None}, {"date_limite_relecture": "Saisissez une date valide."}),
    ],
)
def test_erreurs_dates(changements, attendu):
    erreurs = calendrier.erreurs_dates(**(BORNES | changements))
    assert erreurs.keys() == attendu.keys()
    for champ, message in attendu.items():
        assert message in erreurs[champ]


# --- Services: modifying ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_prolonger_la_date_limite(gestion):
    campagne = gestion.campagne
    nouvelle = campagne.date_limite_relecture + 20 * JOUR
    modifiee = services.campagne_modifier(
        par=gestion.pilote,
        campagne=campagne,
        **_reglages(
            campagne,
            date_limite_reponse=campagne.date_limite_reponse + 30 * JOUR,
            date_limite_relecture=nouvelle,
            federation_relit=True,
            seuil_evolution="0.3",
        ),
    )
    campagne.refresh_from_db()
    assert campagne.date_limite_relecture == nouvelle == modifiee.date_limite_relecture
    assert campagne.federation_relit and campagne.seuil_evolution == Decimal("0.30")
    assert (campagne.annee, campagne.questionnaire, campagne.reponses.count()) == (2016, gestion.socle, 2)
    entree = _journal(campagne).get()
    assert entree.actor == gestion.pilote
    assert {"date_limite_reponse", "date_limite_relecture", "federation_relit", "seuil_evolution"} <= set(
        entree.changes_dict
    )


@pytest.mark.django_db
def test_l_administrateur_peut_modifier(gestion):
    campagne = gestion.campagne_93
    services.campagne_modifier(
        par=gestion.admin, campagne=campagne, **_reglages(campagne, date_limite_reponse=DATES["ouverture"] + JOUR)
    )
    campagne.refresh_from_db()
    assert campagne.date_limite_reponse == DATES["ouverture"] + JOUR


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changements", "attendu"),
    [
        (
            {"date_limite_reponse": DATES["ouverture"]},
            {"date_limite_reponse": ["La date limite de réponse doit suivre la date d'ouverture."]},
        ),
        (
            {"date_limite_relecture": DATES["date_limite_reponse"] - JOUR},
            {"date_limite_relecture": ["La date limite de relecture doit suivre la date limite de réponse."]},
        ),
        ({"ouverture": "01/03/2016"}, {"ouverture": ["Saisissez une date valide."]}),
        ({"date_limite_reponse": None}, {"date_limite_reponse": ["Saisissez une date valide."]}),
        ({"seuil_evolution": Decimal("0")}, {"seuil_evolution": [SEUIL]}),
        ({"seuil_evolution": "11"}, {"seuil_evolution": [SEUIL]}),
        ({"seuil_evolution": "beaucoup"}, {"seuil_evolution": [SEUIL]}),
        ({"seuil_evolution": None}, {"seuil_evolution": [SEUIL]}),
        (
            {"ouverture": None, "seuil_evolution": "-1"},
            {"ouverture": ["Saisissez une date valide."], "seuil_evolution": [SEUIL]},
        ),
    ],
)
def test_modification_invalide_n_ecrit_rien(gestion, changements, attendu):
    avant = _etat(gestion.campagne)
    with pytest.raises(ValidationError) as e:
        services.campagne_modifier(
            par=gestion.pilote, campagne=gestion.campagne, **_reglages(gestion.campagne, **changements)
        )
    assert e.value.message_dict == attendu
    assert _etat(gestion.campagne) == avant
    assert not _journal(gestion.campagne).exists()


@pytest.mark.django_db
def test_annee_et_questionnaire_non_modifiables(gestion):
    for champ, valeur in (("annee", 2017), ("questionnaire", gestion.socle), ("bloc_thematique", None)):
        with pytest.raises(TypeError):
            services.campagne_modifier(
                par=gestion.pilote, campagne=gestion.campagne, **_reglages(gestion.campagne), **{champ: valeur}
            )


@pytest.mark.django_db
@pytest.mark.parametrize("qui", [*ROLES_REFUSES, "anonyme"])
def test_services_refuses_hors_role_ou_hors_departement(gestion, qui):
    _valider(gestion)
    par = AnonymousUser() if qui == "anonyme" else getattr(gestion, qui)
    avant = _etat(gestion.campagne)
    with pytest.raises(PermissionDenied):
        services.campagne_modifier(
            par=par, campagne=gestion.campagne, **_reglages(gestion.campagne, date_limite_relecture=DATES["ouverture"])
        )
    with pytest.raises(PermissionDenied):
        services.campagne_modifier(
            par=par,
            campagne=gestion.campagne,
            **_reglages(gestion.campagne, date_limite_relecture=DATES["date_limite_relecture"] + JOUR),
        )
    with pytest.raises(PermissionDenied):
        services.campagne_publier(par=par, campagne=gestion.campagne)
    assert _etat(gestion.campagne) == avant
    Campagne.objects.filter(pk=gestion.campagne.pk).update(publiee=True, publiee_le=timezone.now())
    with pytest.raises(PermissionDenied):
        services.campagne_depublier(par=par, campagne=gestion.campagne)
    assert Campagne.objects.get(pk=gestion.campagne.pk).publiee
    assert not _journal(gestion.campagne).exists()


@pytest.mark.django_db
def test_objet_falsifie_juge_sur_la_ligne_enregistree(gestion):
    """A campaign object whose département was changed in memory does not fool the permission check."""
    falsifiee = Campagne.objects.get(pk=gestion.campagne_93.pk)
    falsifiee.departement_id = "94"
    avant = _etat(gestion.campagne_93)
    with pytest.raises(PermissionDenied):
        services.campagne_modifier(
            par=gestion.pilote, campagne=falsifiee, **_reglages(falsifiee, date_limite_relecture=DATES["ouverture"])
        )
    with pytest.raises(PermissionDenied):
        services.campagne_modifier(par=gestion.pilote, campagne=falsifiee, **_reglages(falsifiee))
    with pytest.raises(PermissionDenied):
        services.campagne_publier(par=gestion.pilote, campagne=falsifiee)
    assert _etat(gestion.campagne_93) == avant
    # A campaign that does not exist (any more): refused, with a clear message for those who could steer it.
    disparue = Campagne(pk=987654, departement_id="94", annee=2030)
    with pytest.raises(ValidationError, match="n'existe pas"):
        services.campagne_publier(par=gestion.pilote, campagne=disparue)
    with pytest.raises(PermissionDenied):
        services.campagne_publier(par=gestion.pilote_93, campagne=disparue)


# --- Services: publishing -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_publier_sans_reponse_validee_refuse(gestion):
    services.reponse_soumettre(
        par=gestion.compte_cs,
        reponse=services.reponse_enregistrer(
            par=gestion.compte_cs, reponse=gestion.rep_cs, valeurs=reponse_complete(), version=1
        ),
    )
    with pytest.raises(ValidationError) as e:
        services.campagne_publier(par=gestion.pilote, campagne=gestion.campagne)
    assert e.value.messages == [
        "La campagne 2016 n'a encore aucune réponse validée : il n'y a pas de résultats à publier. Validez d'abord"
        " des réponses."
    ]
    campagne = Campagne.objects.get(pk=gestion.campagne.pk)
    assert not campagne.publiee and campagne.publiee_le is None
    assert not _journal(campagne).exists()


@pytest.mark.django_db
def test_publier_puis_retirer_trace_dans_le_journal(gestion):
    _valider(gestion)
    avant = timezone.now()
    campagne = services.campagne_publier(par=gestion.pilote, campagne=gestion.campagne)
    campagne.refresh_from_db()
    assert campagne.publiee and avant <= campagne.publiee_le <= timezone.now()
    publication = _journal(campagne).last()
    assert publication.actor == gestion.pilote and "publiee" in publication.changes_dict
    with pytest.raises(ValidationError, match="déjà publiés"):
        services.campagne_publier(par=gestion.pilote, campagne=campagne)

    services.campagne_depublier(par=gestion.pilote, campagne=campagne)
    campagne.refresh_from_db()
    assert not campagne.publiee and campagne.publiee_le is None
    retrait = _journal(campagne).last()
    assert retrait.pk != publication.pk and retrait.actor == gestion.pilote
    assert retrait.changes_dict["publiee"][1] == "False"
    with pytest.raises(ValidationError, match="ne sont pas publiés"):
        services.campagne_depublier(par=gestion.pilote, campagne=campagne)
    assert _journal(campagne).count() == 2


# --- Views: modifying ---------------------------------------------------------------------------------------


def _url_modifier(campagne):
    return reverse("observatoire:campagne_modifier", args=[campagne.pk])


def _url_publication(campagne):
    return reverse("observatoire:campagne_publication", args=[campagne.pk])


def _formulaire(campagne, **changements) -> dict:
    donnees = {
        "ouverture": campagne.ouverture.isoformat(),
        "date_limite_reponse": campagne.date_limite_reponse.isoformat(),
        "date_limite_relecture": campagne.date_limite_relecture.isoformat(),
        "seuil_evolution": "0,50",
        "version": Campagne.objects.get(pk=campagne.pk).version,
        **changements,
    }
    return {champ: valeur for champ, valeur in donnees.items() if valeur is not None}


def _messages(reponse) -> list[str]:
    return [str(m) for m in get_messages(reponse.wsgi_request)]


@pytest.mark.django_db
def test_formulaire_prerempli(client, gestion):
    Campagne.objects.filter(pk=gestion.campagne.pk).update(federation_relit=True, seuil_evolution=Decimal("0.35"))
    client.force_login(gestion.pilote)
    page = client.get(_url_modifier(gestion.campagne))
    assert page.status_code == 200
    html = page.content.decode()
    for champ in ("ouverture", "date_limite_reponse", "date_limite_relecture"):
        # ISO values: what a native date picker needs.
        assert f'value="{DATES[champ].isoformat()}"' in html
    assert 'value="0,35"' in html
    assert re.search(r'<input type="checkbox" name="federation_relit"[^>]* checked>', html)
    assert set(page.context["form"].fields) == {*CHAMPS, "version"}  # neither the year nor the questionnaire
    assert "2016 (données 2015)" in html and "en retard / relecture" in html
    assert "<script>" not in html and 'style="' not in html  # CSP: no inline script or style


@pytest.mark.django_db
def test_prolonger_depuis_le_formulaire(client, gestion):
    client.force_login(gestion.pilote)
    nouvelle = DATES["date_limite_relecture"] + 15 * JOUR
    reponse = client.post(
        _url_modifier(gestion.campagne),
        _formulaire(gestion.campagne, date_limite_relecture=nouvelle.isoformat(), seuil_evolution="0,25"),
    )
    assert reponse.status_code == 302 and reponse.url == reverse("observatoire:campagnes", args=["94"])
    campagne = Campagne.objects.get(pk=gestion.campagne.pk)
    assert campagne.date_limite_relecture == nouvelle and campagne.seuil_evolution == Decimal("0.25")
    assert not campagne.federation_relit  # an unchecked box is « non »
    assert _messages(reponse) == [
        f"Campagne 2016 modifiée (en retard / relecture) : réponses attendues du {DATES['ouverture']:%d/%m/%Y} au"
        f" {DATES['date_limite_reponse']:%d/%m/%Y}, acceptées en retard jusqu'au {nouvelle:%d/%m/%Y}."
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changements", "champ", "message"),
    [
        ({"date_limite_reponse": DATES["ouverture"].isoformat()}, "date_limite_reponse", "suivre la date d'ouverture"),
        (
            {"date_limite_relecture": DATES["date_limite_reponse"].isoformat()},
            "date_limite_relecture",
            "suivre la date limite de réponse",
        ),
        ({"ouverture": "31/02/2016"}, "ouverture", "Saisissez une date valide"),
        ({"ouverture": None}, "ouverture", "Ce champ est obligatoire"),
        ({"seuil_evolution": "0"}, "seuil_evolution", "entre 0 (exclu) et 10"),
        ({"seuil_evolution": "9,999"}, "seuil_evolution", "2 chiffres après la virgule"),
        ({"seuil_evolution": ""}, "seuil_evolution", "Ce champ est obligatoire"),
    ],
)
def test_formulaire_invalide_n_ecrit_rien(client, gestion, changements, champ, message):
    avant = _etat(gestion.campagne)
    client.force_login(gestion.pilote)
    page = client.post(_url_modifier(gestion.campagne), _formulaire(gestion.campagne, **changements))
    assert page.status_code == 400
    assert message in " ".join(page.context["form"].errors[champ])
    assert "Le formulaire contient des erreurs" in page.content.decode()
    assert _etat(gestion.campagne) == avant


@pytest.mark.django_db
def test_prolonger_rouvre_une_campagne_close(client, gestion):
    aujourd_hui = timezone.localdate()
    Campagne.objects.filter(pk=gestion.campagne.pk).update(
        ouverture=aujourd_hui - 100 * JOUR,
        date_limite_reponse=aujourd_hui - 50 * JOUR,
        date_limite_relecture=aujourd_hui - JOUR,
    )
    reponse = Reponse.objects.get(pk=gestion.rep_cs.pk)
    with pytest.raises(ValidationError, match="La campagne est close"):
        services.reponse_enregistrer(par=gestion.compte_cs, reponse=reponse, valeurs={"pub_personnes": "12"}, version=1)
    client.force_login(gestion.pilote)
    assert "close" in client.get(reverse("observatoire:campagnes", args=["94"])).context["campagnes"][0].phase

    fin = aujourd_hui + 14 * JOUR
    campagne = Campagne.objects.get(pk=gestion.campagne.pk)
    assert (
        client.post(_url_modifier(campagne), _formulaire(campagne, date_limite_relecture=fin.isoformat())).status_code
        == 302
    )
    reponse = services.reponse_enregistrer(
        par=gestion.compte_cs, reponse=Reponse.objects.get(pk=reponse.pk), valeurs={"pub_personnes": "12"}, version=1
    )
    assert reponse.valeurs["pub_personnes"] == 12
    client.force_login(gestion.compte_cs)
    page = client.get(reverse("observatoire:reponse", args=[reponse.pk])).content.decode()
    assert "La campagne est close" not in page and "Soumettre à la Caf" in page


@pytest.mark.django_db
@pytest.mark.parametrize("qui", ROLES_REFUSES)
def test_modifier_refuse(client, gestion, qui):
    avant = _etat(gestion.campagne)
    client.force_login(getattr(gestion, qui))
    assert client.get(_url_modifier(gestion.campagne)).status_code == 403
    fin = (DATES["date_limite_relecture"] + 30 * JOUR).isoformat()
    assert (
        client.post(
            _url_modifier(gestion.campagne), _formulaire(gestion.campagne, date_limite_relecture=fin)
        ).status_code
        == 403
    )
    # Bad dates from a forbidden account: still a 403, never the form's errors.
    assert client.post(_url_modifier(gestion.campagne), _formulaire(gestion.campagne, ouverture="x")).status_code == 403
    assert _etat(gestion.campagne) == avant


@pytest.mark.django_db
def test_modifier_autre_departement_anonyme_et_inconnue(client, gestion):
    avant = _etat(gestion.campagne_93)
    fin = (DATES["date_limite_relecture"] + 30 * JOUR).isoformat()
    donnees = _formulaire(gestion.campagne_93, date_limite_relecture=fin)
    for url in (_url_modifier(gestion.campagne_93), _url_publication(gestion.campagne_93)):
        reponse = client.post(url, {**donnees, "action": "publier"})
        assert reponse.status_code == 302 and reponse.url.startswith(reverse("comptes:connexion"))
    assert client.get(_url_modifier(gestion.campagne_93)).url.startswith(reverse("comptes:connexion"))
    client.force_login(gestion.pilote)
    assert client.get(_url_modifier(gestion.campagne_93)).status_code == 403
    assert client.post(_url_modifier(gestion.campagne_93), donnees).status_code == 403
    assert client.get(reverse("observatoire:campagne_modifier", args=[987654])).status_code == 404
    assert _etat(gestion.campagne_93) == avant


# --- Views: publishing --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_publier_et_retirer_depuis_la_page_des_campagnes(client, gestion):
    client.force_login(gestion.pilote)
    liste = reverse("observatoire:campagnes", args=["94"])
    # Nothing validated: refused, with the reason, and nothing is written.
    reponse = client.post(_url_publication(gestion.campagne), {"action": "publier"})
    assert reponse.status_code == 302 and reponse.url == liste
    assert "aucune réponse validée" in _messages(reponse)[0]
    assert not Campagne.objects.get(pk=gestion.campagne.pk).publiee
    html = client.get(liste).content.decode()
    assert "Publication possible dès qu'une réponse est validée." in html and "Confirmer la publication" not in html

    _valider(gestion)
    html = client.get(liste).content.decode()
    assert "Publier les résultats" in html and "Confirmer la publication" in html
    assert "1 réponse validée sur 2" in html and "visibles de tous sans connexion" in html
    reponse = client.post(_url_publication(gestion.campagne), {"action": "publier"})
    assert reponse.status_code == 302
    assert _messages(reponse) == [
        "Les résultats de la campagne 2016 sont publiés : la synthèse, les rapports et l'API sont désormais publics."
    ]
    assert Campagne.objects.get(pk=gestion.campagne.pk).publiee
    client.logout()
    assert client.get(reverse("observatoire:synthese", args=[2016, "94"])).status_code == 200

    client.force_login(gestion.pilote)
    html = client.get(liste).content.decode()
    assert "Retirer la publication" in html and "Publier les résultats" not in html
    reponse = client.post(_url_publication(gestion.campagne), {"action": "retirer"})
    assert "La publication de la campagne 2016 est retirée" in _messages(reponse)[-1]
    assert not Campagne.objects.get(pk=gestion.campagne.pk).publiee
    # Withdrawing twice: a clear message, nothing changes.
    reponse = client.post(_url_publication(gestion.campagne), {"action": "retirer"})
    assert _messages(reponse)[-1] == "Les résultats de la campagne 2016 ne sont pas publiés."
    client.logout()
    assert client.get(reverse("observatoire:synthese", args=[2016, "94"])).status_code == 403
    assert [e.actor for e in _journal(gestion.campagne)] == [gestion.pilote, gestion.pilote]


@pytest.mark.django_db
def test_publication_requete_falsifiee(client, gestion):
    _valider(gestion)
    client.force_login(gestion.pilote)
    for donnees in ({}, {"action": "supprimer"}, {"action": ""}):
        assert client.post(_url_publication(gestion.campagne), donnees).status_code == 400
    assert client.get(_url_publication(gestion.campagne)).status_code == 405
    assert (
        client.post(reverse("observatoire:campagne_publication", args=[987654]), {"action": "publier"}).status_code
        == 404
    )
    assert not Campagne.objects.get(pk=gestion.campagne.pk).publiee


@pytest.mark.django_db
@pytest.mark.parametrize("qui", ROLES_REFUSES)
def test_publication_refusee(client, gestion, qui):
    _valider(gestion)
    client.force_login(getattr(gestion, qui))
    assert client.post(_url_publication(gestion.campagne), {"action": "publier"}).status_code == 403
    assert not Campagne.objects.get(pk=gestion.campagne.pk).publiee
    Campagne.objects.filter(pk=gestion.campagne.pk).update(publiee=True, publiee_le=timezone.now())
    assert client.post(_url_publication(gestion.campagne), {"action": "retirer"}).status_code == 403
    assert Campagne.objects.get(pk=gestion.campagne.pk).publiee
    assert not _journal(gestion.campagne).exists()


@pytest.mark.django_db
def test_publication_autre_departement(client, gestion):
    Reponse.objects.filter(campagne=gestion.campagne_93).update(
        statut=Statut.VALIDEE, verrouillee=True, validee_le=timezone.now(), soumise_le=timezone.now()
    )
    client.force_login(gestion.pilote)
    assert client.post(_url_publication(gestion.campagne_93), {"action": "publier"}).status_code == 403
    assert not Campagne.objects.get(pk=gestion.campagne_93.pk).publiee
    client.force_login(gestion.pilote_93)
    assert client.post(_url_publication(gestion.campagne_93), {"action": "publier"}).status_code == 302
    assert Campagne.objects.get(pk=gestion.campagne_93.pk).publiee


# --- The campaigns page -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_page_des_campagnes_calendrier_et_actions_selon_le_role(client, gestion):
    aujourd_hui = timezone.localdate()
    for annee, debut in ((2017, 10), (2018, -10), (2019, -200)):  # à venir, ouverte, close
        CampagneFactory(
            departement=gestion.dep,
            questionnaire=gestion.socle,
            annee=annee,
            ouverture=aujourd_hui + debut * JOUR,
            date_limite_reponse=aujourd_hui + (debut + 30) * JOUR,
            date_limite_relecture=aujourd_hui + (debut + 60) * JOUR,
        )
    client.force_login(gestion.pilote)
    page = client.get(reverse("observatoire:campagnes", args=["94"]))
    phases = {c.annee: c.libelle_phase for c in page.context["campagnes"]}
    assert phases == {2019: "close", 2018: "ouverte", 2017: "à venir", 2016: "en retard / relecture"}
    html = page.content.decode()
    for champ in ("ouverture", "date_limite_reponse", "date_limite_relecture"):
        assert DATES[champ].strftime("%d/%m/%Y") in html
    assert html.count("Date limite de relecture") == 1
    assert _url_modifier(gestion.campagne) in html and _url_publication(gestion.campagne) not in html
    assert reverse("observatoire:synthese", args=[2016, "94"]) in html
    assert "<script>" not in html and 'style="' not in html  # CSP: no inline script or style

    for qui in ("conseiller", "partenaire"):
        client.force_login(getattr(gestion, qui))
        html = client.get(reverse("observatoire:campagnes", args=["94"])).content.decode()
        assert "Modifier" not in html and "Publier les résultats" not in html and "Gestion" not in html
        assert "/modifier/" not in html and "/publication/" not in html
        assert "en retard / relecture" in html and reverse("observatoire:synthese", args=[2016, "94"]) in html


@pytest.mark.django_db
def test_page_des_campagnes_nombre_de_requetes_borne(client, gestion, django_assert_max_num_queries):
    _valider(gestion)
    services.campagne_publier(par=gestion.pilote, campagne=gestion.campagne)
    client.force_login(gestion.pilote)
    url = reverse("observatoire:campagnes", args=["94"])
    client.get(url)
    with CaptureQueriesContext(connection) as peu:
        client.get(url)
    structures = [StructureFactory(commune=gestion.rep_cs.structure.commune) for _ in range(3)]
    for annee in range(2000, 2016):
        campagne = CampagneFactory(departement=gestion.dep, questionnaire=gestion.socle, annee=annee)
        for structure in structures:
            ReponseFactory(campagne=campagne, structure=structure)
        if annee % 2:
            Campagne.objects.filter(pk=campagne.pk).update(publiee=True, publiee_le=timezone.now())
    with django_assert_max_num_queries(12):
        page = client.get(url)
    assert len(page.context["campagnes"]) == 17
    with CaptureQueriesContext(connection) as beaucoup:
        client.get(url)
    assert len(beaucoup) == len(peu)
    html = page.content.decode()
    assert html.count("Retirer la publication<span") == 9 and html.count("/modifier/") == 17


# --- Opening a campaign: the threshold is now on the form too (the same checks as modifying) -----------------


@pytest.mark.django_db
@pytest.mark.parametrize(("saisi", "attendu"), [(None, Decimal("0.50")), ("0,3", Decimal("0.30"))])
def test_ouvrir_une_campagne_avec_son_seuil(client, gestion, saisi, attendu):
    client.force_login(gestion.pilote)
    donnees = {
        "annee": "2017",
        "questionnaire": gestion.socle.pk,
        "ouverture": "2017-03-01",
        "date_limite_reponse": "2017-04-30",
        "date_limite_relecture": "2017-06-15",
    }
    if saisi is not None:
        donnees["seuil_evolution"] = saisi
    assert client.post(reverse("observatoire:campagne_creer", args=["94"]), donnees).status_code == 302
    assert Campagne.objects.get(departement=gestion.dep, annee=2017).seuil_evolution == attendu


@pytest.mark.django_db
def test_ouvrir_une_campagne_seuil_hors_bornes(client, gestion):
    client.force_login(gestion.pilote)
    page = client.post(
        reverse("observatoire:campagne_creer", args=["94"]),
        {
            "annee": "2017",
            "questionnaire": gestion.socle.pk,
            "ouverture": "2017-03-01",
            "date_limite_reponse": "2017-04-30",
            "date_limite_relecture": "2017-06-15",
            "seuil_evolution": "20",
        },
    )
    assert page.context["form"].errors["seuil_evolution"] == [SEUIL]
    assert not Campagne.objects.filter(annee=2017).exists()


@pytest.mark.django_db
def test_modifier_deux_fois_la_seconde_refusee(gestion):
    campagne = gestion.campagne
    autre = UtilisateurFactory(role=Role.PILOTE, departements=[gestion.dep], first_name="Yves", last_name="Autre")
    prolongee = DATES["date_limite_relecture"] + 15 * JOUR
    reponse = enregistrer_deux_fois(
        _url_modifier(campagne),
        (autre, _formulaire(campagne, date_limite_relecture=prolongee.isoformat(), version=None)),
        (gestion.pilote, _formulaire(campagne, seuil_evolution="0,25", version=None)),
    )
    message = message_conflit(reponse)
    assert "Yves Autre" in message
    assert f"{DATES['date_limite_relecture']:%d/%m/%Y} » → « {prolongee:%d/%m/%Y} »" in message
    campagne = Campagne.objects.get(pk=campagne.pk)
    assert (campagne.date_limite_relecture, campagne.seuil_evolution, campagne.version) == (
        prolongee,
        Decimal("0.50"),
        2,
    )


def test_ouverture_concurrente_erreur_de_formulaire(client, gestion, monkeypatch):
    """Two pilots open the same campaign at once: the second one's check passed before the first one wrote; the
    unique constraint refuses its write and the form says so (no 500, nothing half-written)."""
    valider = services._valider_reglages

    def concurrent_ecrit_entre_temps(**reglages):
        CampagneFactory(departement=gestion.dep, annee=2017, questionnaire=gestion.socle)
        return valider(**reglages)

    monkeypatch.setattr(services, "_valider_reglages", concurrent_ecrit_entre_temps)
    client.force_login(gestion.pilote)
    page = client.post(
        reverse("observatoire:campagne_creer", args=["94"]),
        {
            "annee": "2017",
            "questionnaire": gestion.socle.pk,
            "ouverture": "2017-03-01",
            "date_limite_reponse": "2017-04-30",
            "date_limite_relecture": "2017-06-15",
        },
    )
    assert page.status_code == 200
    assert page.context["form"].errors["annee"] == ["Une campagne 2017 existe déjà pour ce département."]
    campagne = Campagne.objects.get(departement=gestion.dep, annee=2017)
    assert not campagne.reponses.exists()  # the competitor's (factory) campaign, untouched
