"""Campaigns, answers and the review workflow: services with their permission checks."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from maillage.comptes.models import Mandat, Role
from maillage.core.permissions import peut
from maillage.observatoire import selectors, services
from maillage.observatoire.models import Campagne, Commentaire, Reponse, Statut, Transition
from maillage.structures.models import TypeAgrement, TypeStructure
from tests.comptes.factories import MandatFactory, UtilisateurFactory
from tests.financements.factories import BudgetFactory, LigneProduitFactory
from tests.observatoire.factories import CampagneFactory, ReponseFactory, dates_campagne_en_cours
from tests.structures.factories import AgrementFactory, StructureFactory
from tests.territoires.factories import CommuneFactory, DepartementFactory

from .conftest import SOCLE, THEME, reponse_complete

DATES = dates_campagne_en_cours()


@pytest.fixture
def reseau(territoire_94):
    creteil, vitry, ivry = territoire_94.communes
    dep_93 = DepartementFactory(code="93", nom="Seine-Saint-Denis", region=territoire_94.region)
    bobigny = CommuneFactory(code="93008", nom="Bobigny", departement=dep_93)
    cs = StructureFactory(nom="Centre social des Bleuets", commune=creteil)
    AgrementFactory(structure=cs)
    AgrementFactory(structure=cs, type=TypeAgrement.ACF)
    evs = StructureFactory(nom="EVS de Vitry", type=TypeStructure.EVS, commune=vitry)
    AgrementFactory(structure=evs)
    ferme = StructureFactory(nom="Centre fermé", commune=ivry)
    AgrementFactory(structure=ferme, debut=datetime.date(2012, 7, 1), fin=datetime.date(2015, 6, 30))
    futur = StructureFactory(nom="Centre ouvert en 2016", commune=ivry)
    AgrementFactory(structure=futur, debut=datetime.date(2016, 1, 1), fin=datetime.date(2019, 12, 31))
    autre_dep = StructureFactory(nom="Centre de Bobigny", commune=bobigny)
    AgrementFactory(structure=autre_dep)
    dep = territoire_94.departement
    socle, _ = services.questionnaire_charger(chemin=SOCLE)
    theme, _ = services.questionnaire_charger(chemin=THEME)
    return SimpleNamespace(
        dep=dep,
        cs=cs,
        evs=evs,
        ferme=ferme,
        autre_dep=autre_dep,
        socle=socle,
        theme=theme,
        pilote=UtilisateurFactory(role=Role.PILOTE, departements=[dep]),
        pilote_93=UtilisateurFactory(role=Role.PILOTE, departements=[dep_93]),
        conseiller=UtilisateurFactory(role=Role.CONSEILLER, departements=[dep], communes=[creteil]),
        conseiller_vitry=UtilisateurFactory(role=Role.CONSEILLER, departements=[dep], communes=[vitry]),
        partenaire=UtilisateurFactory(role=Role.PARTENAIRE, departements=[dep]),
        correspondant=UtilisateurFactory(
            role=Role.PARTENAIRE,
            departements=[dep],
            organisation=MandatFactory(
                nature=Mandat.Nature.CORRESPONDANT_OBSERVATOIRE, organisation__departement=dep
            ).organisation,
        ),
        compte_cs=UtilisateurFactory(role=Role.STRUCTURE, departements=[dep], structure=cs),
        compte_evs=UtilisateurFactory(role=Role.STRUCTURE, departements=[dep], structure=evs),
    )


def _campagne(reseau, **options):
    return services.campagne_creer(
        par=reseau.pilote,
        departement="94",
        annee=2016,
        questionnaire=reseau.socle,
        bloc_thematique=reseau.theme,
        **{**DATES, **options},
    )


def _reponse(reseau, structure=None, **options):
    campagne = _campagne(reseau, **options)
    return Reponse.objects.get(campagne=campagne, structure=structure or reseau.cs)


def _remplie(reseau, **options):
    reponse = _reponse(reseau, **options)
    return services.reponse_enregistrer(par=reseau.compte_cs, reponse=reponse, valeurs=reponse_complete(), version=1)


# --- Campaigns --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_campagne_creee_avec_les_structures_actives_au_31_decembre(reseau):
    campagne = _campagne(reseau, federation_relit=True)
    assert (campagne.annee, campagne.annee_donnees, campagne.federation_relit) == (2016, 2015, True)
    reponses = Reponse.objects.filter(campagne=campagne)
    assert {r.structure_id for r in reponses} == {reseau.cs.pk, reseau.evs.pk}
    assert [(r.statut, r.version, r.valeurs) for r in reponses] == [(Statut.BROUILLON, 1, {})] * 2
    assert campagne.cree_par == reseau.pilote


@pytest.mark.django_db
@pytest.mark.parametrize("qui", ["pilote_93", "conseiller", "partenaire", "compte_cs"])
def test_campagne_refusee_hors_pilote_du_departement(reseau, qui):
    with pytest.raises(PermissionDenied):
        services.campagne_creer(
            par=getattr(reseau, qui), departement="94", annee=2016, questionnaire=reseau.socle, **DATES
        )
    assert not Campagne.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changements", "champ", "message"),
    [
        (
            {"date_limite_reponse": datetime.date(2016, 3, 1)},
            "date_limite_reponse",
            "La date limite de réponse doit suivre la date d'ouverture.",
        ),
        (
            {"date_limite_relecture": datetime.date(2016, 4, 1)},
            "date_limite_relecture",
            "La date limite de relecture doit suivre la date limite de réponse.",
        ),
        ({"ouverture": "2016-03-01"}, "ouverture", "Saisissez une date valide."),
        ({"annee": 1990}, "annee", "L'année de collecte doit être une année entre 2000 et 2100."),
        ({"seuil_evolution": "beaucoup"}, "seuil_evolution", None),
        ({"bloc_thematique": "socle"}, "bloc_thematique", None),
    ],
)
def test_campagne_invalide_n_ecrit_rien(reseau, changements, champ, message):
    arguments = {"par": reseau.pilote, "departement": "94", "annee": 2016, "questionnaire": reseau.socle, **DATES}
    if changements.get("bloc_thematique") == "socle":
        changements = {"bloc_thematique": reseau.socle}
    arguments.update(changements)
    with pytest.raises(ValidationError) as e:
        services.campagne_creer(**arguments)
    assert champ in e.value.message_dict
    if message:
        assert e.value.message_dict[champ] == [message]
    assert not Campagne.objects.exists() and not Reponse.objects.exists()


@pytest.mark.django_db
def test_campagne_en_double_refusee(reseau):
    _campagne(reseau)
    with pytest.raises(ValidationError) as e:
        _campagne(reseau)
    assert e.value.message_dict == {"annee": ["Une campagne 2016 existe déjà pour ce département."]}


# --- Saving answers -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_enregistrement_d_une_section(reseau):
    reponse = _reponse(reseau)
    reponse = services.reponse_enregistrer(
        par=reseau.compte_cs, reponse=reponse, valeurs={"pub_personnes": "1 200", "id_milieu": "urbain"}, version=1
    )
    assert (reponse.version, reponse.valeurs) == (2, {"pub_personnes": 1200, "id_milieu": "urbain"})
    reponse = services.reponse_enregistrer(
        par=reseau.compte_cs, reponse=reponse, valeurs={"pub_personnes": "", "pub_adherents": 80}, version=2
    )
    reponse.refresh_from_db()
    assert (reponse.version, reponse.valeurs) == (3, {"id_milieu": "urbain", "pub_adherents": 80})
    assert reponse.modifiee_par == reseau.compte_cs


@pytest.mark.django_db
def test_enregistrement_invalide_n_ecrit_rien(reseau):
    reponse = _reponse(reseau)
    with pytest.raises(ValidationError) as e:
        services.reponse_enregistrer(
            par=reseau.compte_cs, reponse=reponse, valeurs={"pub_personnes": 12, "pers_etp": "beaucoup"}, version=1
        )
    assert e.value.message_dict == {"pers_etp": ["Saisissez un nombre."]}
    reponse.refresh_from_db()
    assert (reponse.version, reponse.valeurs) == (1, {})


@pytest.mark.django_db
def test_deux_personnes_ne_s_ecrasent_pas(reseau):
    reponse = _reponse(reseau)
    ecran_a = Reponse.objects.get(pk=reponse.pk)
    ecran_b = Reponse.objects.get(pk=reponse.pk)
    services.reponse_enregistrer(par=reseau.compte_cs, reponse=ecran_a, valeurs={"pub_personnes": 100}, version=1)
    with pytest.raises(ValidationError) as e:
        services.reponse_enregistrer(par=reseau.compte_cs, reponse=ecran_b, valeurs={"pub_personnes": 5}, version=1)
    assert e.value.message_dict["version"][0].startswith("Cette réponse a été modifiée par quelqu'un d'autre")
    reponse.refresh_from_db()
    assert (reponse.version, reponse.valeurs) == (2, {"pub_personnes": 100})


@pytest.mark.django_db
@pytest.mark.parametrize("version", [0, 2, "1", None, True])
def test_version_perimee_ou_invalide(reseau, version):
    reponse = _reponse(reseau)
    with pytest.raises(ValidationError):
        services.reponse_enregistrer(
            par=reseau.compte_cs, reponse=reponse, valeurs={"pub_personnes": 1}, version=version
        )
    reponse.refresh_from_db()
    assert reponse.valeurs == {}


@pytest.mark.django_db
@pytest.mark.parametrize("qui", ["compte_evs", "pilote", "conseiller", "partenaire", "pilote_93"])
def test_seule_la_structure_remplit_sa_reponse(reseau, qui):
    reponse = _reponse(reseau)
    with pytest.raises(PermissionDenied):
        services.reponse_enregistrer(par=getattr(reseau, qui), reponse=reponse, valeurs={"pub_personnes": 1}, version=1)
    reponse.refresh_from_db()
    assert reponse.valeurs == {}


@pytest.mark.django_db
def test_une_structure_ne_voit_pas_la_reponse_d_une_autre(reseau):
    reponse = _reponse(reseau)
    assert peut(reseau.compte_cs, "reponse.voir", reponse)
    assert not peut(reseau.compte_evs, "reponse.voir", reponse)
    assert not peut(reseau.pilote_93, "reponse.voir", reponse)
    assert peut(reseau.conseiller, "reponse.voir", reponse)
    assert not peut(reseau.conseiller_vitry, "reponse.voir", reponse)
    assert not peut(reseau.partenaire, "reponse.voir", reponse)


# --- Workflow -------------------------------------------------------------------------------------------------


def _journal(reponse):
    return [(t.de, t.vers, t.par, t.motif) for t in Transition.objects.filter(reponse=reponse).order_by("pk")]


@pytest.mark.django_db
def test_historique_et_commentaires_dates_sur_l_horloge(reseau, settings):
    """With a pinned clock (the demo), the status history and the comments are dated on it, like soumise_le."""
    jour = timezone.localdate() - datetime.timedelta(days=5)
    settings.MAILLAGE_AUJOURDHUI = jour.isoformat()
    reponse = services.reponse_soumettre(par=reseau.compte_cs, reponse=_remplie(reseau))
    commentaire = services.reponse_commenter(par=reseau.pilote, reponse=reponse, texte="Vérifiez les ETP.")
    transition = reponse.transitions.get()
    assert timezone.localdate(reponse.soumise_le) == jour
    assert timezone.localdate(transition.le) == jour and timezone.localdate(commentaire.le) == jour
    commentaire.refresh_from_db()
    assert timezone.localdate(commentaire.le) == jour


@pytest.mark.django_db
def test_parcours_complet(reseau):
    reponse = _remplie(reseau)
    reponse = services.reponse_soumettre(par=reseau.compte_cs, reponse=reponse)
    assert reponse.statut == Statut.SOUMISE and reponse.soumise_le is not None
    reponse = services.reponse_renvoyer(par=reseau.pilote, reponse=reponse, motif="  Vérifiez les ETP.  ")
    assert reponse.statut == Statut.A_CORRIGER
    reponse = services.reponse_enregistrer(
        par=reseau.compte_cs, reponse=reponse, valeurs={"pers_etp": 17}, version=reponse.version
    )
    reponse = services.reponse_soumettre(par=reseau.compte_cs, reponse=reponse)
    reponse = services.reponse_valider(par=reseau.conseiller, reponse=reponse)
    reponse.refresh_from_db()
    assert (reponse.statut, reponse.verrouillee) == (Statut.VALIDEE, True)
    assert reponse.validee_le is not None and reponse.valeurs["pers_etp"] == 17
    with pytest.raises(ValidationError) as e:
        services.reponse_enregistrer(
            par=reseau.compte_cs, reponse=reponse, valeurs={"pers_etp": 1}, version=reponse.version
        )
    assert e.value.messages == ["Cette réponse est validée et verrouillée : elle ne peut plus être modifiée."]
    reponse = services.reponse_rouvrir(par=reseau.pilote, reponse=reponse, motif="Erreur sur les produits")
    reponse.refresh_from_db()
    assert (reponse.statut, reponse.verrouillee, reponse.validee_le) == (Statut.A_CORRIGER, False, None)
    assert _journal(reponse) == [
        ("brouillon", "soumise", reseau.compte_cs, ""),
        ("soumise", "a_corriger", reseau.pilote, "Vérifiez les ETP."),
        ("a_corriger", "soumise", reseau.compte_cs, ""),
        ("soumise", "validee", reseau.conseiller, ""),
        ("validee", "a_corriger", reseau.pilote, "Erreur sur les produits"),
    ]


@pytest.mark.django_db
def test_soumission_refusee_si_erreur_bloquante(reseau):
    reponse = _remplie(reseau)
    reponse = services.reponse_enregistrer(par=reseau.compte_cs, reponse=reponse, valeurs={"pers_etp": 45}, version=2)
    with pytest.raises(ValidationError) as e:
        services.reponse_soumettre(par=reseau.compte_cs, reponse=reponse)
    assert e.value.messages == ["Les ETP (45) dépassent le nombre de salariés (30)."]
    reponse.refresh_from_db()
    assert reponse.statut == Statut.BROUILLON and not Transition.objects.exists()


@pytest.mark.django_db
def test_soumission_refusee_si_obligatoire_manquant(reseau):
    reponse = _reponse(reseau)
    with pytest.raises(ValidationError) as e:
        services.reponse_soumettre(par=reseau.compte_cs, reponse=reponse)
    assert "Équivalents temps plein (ETP) : Cette question est obligatoire." in e.value.messages


@pytest.mark.django_db
def test_transitions_refusees(reseau):
    reponse = _remplie(reseau)
    with pytest.raises(ValidationError) as e:
        services.reponse_valider(par=reseau.pilote, reponse=reponse)
    assert e.value.messages == ["Une réponse « brouillon » ne peut pas passer à « validée »."]
    with pytest.raises(ValidationError):
        services.reponse_renvoyer(par=reseau.pilote, reponse=reponse, motif="x")
    with pytest.raises(ValidationError):
        services.reponse_rouvrir(par=reseau.pilote, reponse=reponse, motif="x")
    reponse = services.reponse_soumettre(par=reseau.compte_cs, reponse=reponse)
    with pytest.raises(ValidationError) as e:
        services.reponse_soumettre(par=reseau.compte_cs, reponse=reponse)
    assert e.value.messages == ["Une réponse « soumise » ne peut pas passer à « soumise »."]
    with pytest.raises(ValidationError) as e:
        services.reponse_rouvrir(par=reseau.pilote, reponse=reponse, motif="x")
    assert e.value.messages == ["Cette action ne concerne qu'une réponse « validée » ; celle-ci est « soumise »."]
    with pytest.raises(ValidationError) as e:
        services.reponse_enregistrer(
            par=reseau.compte_cs, reponse=reponse, valeurs={"pers_etp": 1}, version=reponse.version
        )
    assert "ne peut être modifiée que en brouillon ou renvoyée à corriger" in e.value.messages[0]
    reponse = services.reponse_valider(par=reseau.pilote, reponse=reponse)
    for service in (services.reponse_valider, services.reponse_soumettre):
        with pytest.raises(ValidationError):
            service(par=reseau.compte_cs if service is services.reponse_soumettre else reseau.pilote, reponse=reponse)
    with pytest.raises(ValidationError):
        services.reponse_renvoyer(par=reseau.pilote, reponse=reponse, motif="x")
    assert [t[1] for t in _journal(reponse)] == ["soumise", "validee"]


@pytest.mark.django_db
@pytest.mark.parametrize("motif", ["", "   ", None, "x" * 2001])
def test_motif_obligatoire(reseau, motif):
    reponse = services.reponse_soumettre(par=reseau.compte_cs, reponse=_remplie(reseau))
    with pytest.raises(ValidationError) as e:
        services.reponse_renvoyer(par=reseau.pilote, reponse=reponse, motif=motif)
    assert "motif" in e.value.message_dict
    reponse.refresh_from_db()
    assert reponse.statut == Statut.SOUMISE


@pytest.mark.django_db
@pytest.mark.parametrize("qui", ["compte_cs", "compte_evs", "conseiller_vitry", "partenaire", "pilote_93"])
def test_relecture_refusee(reseau, qui):
    reponse = services.reponse_soumettre(par=reseau.compte_cs, reponse=_remplie(reseau))
    with pytest.raises(PermissionDenied):
        services.reponse_valider(par=getattr(reseau, qui), reponse=reponse)
    with pytest.raises(PermissionDenied):
        services.reponse_renvoyer(par=getattr(reseau, qui), reponse=reponse, motif="Non")
    reponse.refresh_from_db()
    assert reponse.statut == Statut.SOUMISE


@pytest.mark.django_db
def test_la_federation_mandatee_relit_si_la_campagne_le_permet(reseau):
    reponse = services.reponse_soumettre(par=reseau.compte_cs, reponse=_remplie(reseau, federation_relit=True))
    assert peut(reseau.correspondant, "reponse.voir", reponse)
    # Without a correspondant observatoire mandate, a partner of the département does not review.
    assert not peut(reseau.partenaire, "reponse.voir", reponse)
    with pytest.raises(PermissionDenied):
        services.reponse_renvoyer(par=reseau.partenaire, reponse=reponse, motif="Résultat à revoir")
    reponse = services.reponse_renvoyer(par=reseau.correspondant, reponse=reponse, motif="Résultat à revoir")
    assert reponse.statut == Statut.A_CORRIGER


@pytest.mark.django_db
def test_autre_structure_ne_soumet_pas(reseau):
    reponse = _remplie(reseau)
    with pytest.raises(PermissionDenied):
        services.reponse_soumettre(par=reseau.compte_evs, reponse=reponse)


# --- Prefill and year-on-year --------------------------------------------------------------------------------


@pytest.fixture
def annee_precedente(reseau):
    """The 2015 campaign (data 2014), with the centre social's validated answer."""
    campagne = CampagneFactory(departement=reseau.dep, annee=2015, questionnaire=reseau.socle)
    maintenant = timezone.now()
    return ReponseFactory(
        campagne=campagne,
        structure=reseau.cs,
        statut=Statut.VALIDEE,
        soumise_le=maintenant,
        validee_le=maintenant,
        verrouillee=True,
        valeurs={"id_milieu": "rural", "id_echelle": "commune", "pub_personnes": 900, "gouv_benevoles_activite": 10},
    )


@pytest.mark.django_db
def test_prefill_depuis_le_budget_realise_et_l_annee_precedente(reseau, types_ps, annee_precedente):
    budget = BudgetFactory(structure=reseau.cs, annee=2015, charges_totales=Decimal("500000.40"))
    LigneProduitFactory(budget=budget, montant=Decimal("60000"))
    LigneProduitFactory(budget=budget, type_ps=types_ps["acf"], montant=Decimal("20000"))
    LigneProduitFactory(budget=budget, financeur="communes", type_ps=None, montant=Decimal("300000"))
    BudgetFactory(structure=reseau.cs, annee=2015, nature="previsionnel", charges_totales=Decimal("1"))
    BudgetFactory(structure=reseau.cs, annee=2014, charges_totales=Decimal("2"))
    reponse = _reponse(reseau)
    reponse = services.reponse_enregistrer(
        par=reseau.compte_cs, reponse=reponse, valeurs={"id_echelle": "quartier"}, version=1
    )
    reponse, codes = services.reponse_prefill(par=reseau.compte_cs, reponse=reponse, version=2)
    reponse.refresh_from_db()
    assert reponse.version == 3
    assert reponse.valeurs == {
        "id_echelle": "quartier",  # already answered: kept
        "id_milieu": "rural",  # last year's validated answer (reprise)
        "id_mode_gestion": "association",
        "id_situation_qpv": "aucune",
        "id_multi_sites": False,
        "id_itinerante": False,
        "id_adherent_federation": False,
        "fin_charges_totales": 500000.4,
        "fin_charges_pilotage": 120000,
        "fin_charges_logistique": 60000,
        "fin_charges_referent_familles": 0,
        "fin_produits_totaux": 380000,
        "fin_produit_caf_ps_agc": 60000,
        "fin_produit_caf_ps_acf": 20000,
        "fin_produit_communes": 300000,
        "fin_resultat": -120000.4,
    }
    assert codes == sorted(set(reponse.valeurs) - {"id_echelle"})
    # Again: nothing left to prefill, nothing written.
    reponse, codes = services.reponse_prefill(par=reseau.compte_cs, reponse=reponse, version=3)
    assert codes == [] and Reponse.objects.get(pk=reponse.pk).version == 3


@pytest.mark.django_db
def test_prefill_evs_sans_budget(reseau):
    reponse = _reponse(reseau, structure=reseau.evs)
    reponse, codes = services.reponse_prefill(par=reseau.compte_evs, reponse=reponse, version=1)
    assert "fin_charges_totales" not in reponse.valeurs
    assert reponse.valeurs["id_mode_gestion"] == "association"
    with pytest.raises(PermissionDenied):
        services.reponse_prefill(par=reseau.compte_cs, reponse=reponse, version=reponse.version)


@pytest.mark.django_db
def test_evolution_signalee_par_rapport_a_l_annee_precedente(reseau, annee_precedente):
    reponse = _remplie(reseau)
    resultat = selectors.controle(reponse)
    # 10 → 30 bénévoles (+200 %) is flagged; 900 → 1,200 persons (+33 %) stays under the 50 % threshold.
    assert [a.questions for a in resultat.anomalies if a.regle == "evolution"] == [("gouv_benevoles_activite",)]
    assert not resultat.bloquant


@pytest.mark.django_db
def test_contexte_agrements_de_l_annee_des_donnees(reseau):
    contexte = selectors.contexte_structure(reseau.cs, 2015)
    assert contexte.type_structure == "centre_social"
    assert contexte.agrements == {"animation_globale", "acf"}
    assert selectors.contexte_structure(reseau.cs, 2019).agrements == frozenset()


# --- Comments -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_commentaires(reseau):
    reponse = _reponse(reseau)
    commentaire = services.reponse_commenter(
        par=reseau.conseiller, reponse=reponse, question="pers_etp", texte=" ETP ? "
    )
    assert (commentaire.question, commentaire.texte, commentaire.auteur) == ("pers_etp", "ETP ?", reseau.conseiller)
    services.reponse_commenter(par=reseau.compte_cs, reponse=reponse, texte="Corrigé.")
    with pytest.raises(PermissionDenied):
        services.reponse_commenter(par=reseau.compte_evs, reponse=reponse, texte="Curieux")
    with pytest.raises(ValidationError) as e:
        services.reponse_commenter(par=reseau.pilote, reponse=reponse, question="zz", texte="")
    assert e.value.message_dict == {"texte": ["Le commentaire est vide."], "question": ["Question inconnue : « zz »."]}
    assert Commentaire.objects.count() == 2


@pytest.mark.django_db
def test_bloc_thematique_incompatible_avec_le_socle(reseau):
    from tests.observatoire.factories import QuestionnaireFactory

    autre_socle = QuestionnaireFactory()
    with pytest.raises(ValidationError) as e:
        services.campagne_creer(
            par=reseau.pilote,
            departement="94",
            annee=2016,
            questionnaire=autre_socle,
            bloc_thematique=reseau.theme,
            **DATES,
        )
    assert e.value.message_dict["bloc_thematique"] == [
        "Le socle et le bloc thématique ne vont pas ensemble : règle th16_numerique_personnes : question inconnue"
        " « pub_personnes »."
    ]
    assert not Campagne.objects.exists()


@pytest.mark.django_db
def test_departement_inconnu(reseau):
    admin = UtilisateurFactory(role=Role.ADMIN)
    with pytest.raises(ValidationError) as e:
        services.campagne_creer(par=admin, departement="99", annee=2016, questionnaire=reseau.socle, **DATES)
    assert e.value.message_dict == {"departement": ["Département inconnu : « 99 »."]}


@pytest.mark.django_db
def test_modifications_tracees_dans_le_journal_d_audit(reseau):
    from auditlog.models import LogEntry

    reponse = _reponse(reseau)
    services.reponse_enregistrer(par=reseau.compte_cs, reponse=reponse, valeurs={"pub_personnes": 12}, version=1)
    entree = LogEntry.objects.get_for_object(reponse).latest("timestamp")
    assert entree.actor == reseau.compte_cs
    assert "valeurs" in entree.changes_dict
    campagne = reponse.campagne
    assert LogEntry.objects.get_for_object(campagne).get().actor == reseau.pilote


@pytest.mark.django_db
def test_prefill_refuse_sur_reponse_verrouillee(reseau):
    reponse = services.reponse_soumettre(par=reseau.compte_cs, reponse=_remplie(reseau))
    reponse = services.reponse_valider(par=reseau.pilote, reponse=reponse)
    with pytest.raises(ValidationError) as e:
        services.reponse_prefill(par=reseau.compte_cs, reponse=reponse, version=reponse.version)
    assert e.value.messages == ["Cette réponse est validée et verrouillée : elle ne peut plus être modifiée."]
    with pytest.raises(PermissionDenied):
        services.reponse_prefill(par=reseau.compte_evs, reponse=reponse, version=reponse.version)


@pytest.mark.django_db
def test_liste_des_reponses_en_requetes_constantes(reseau, django_assert_max_num_queries):
    campagne = _campagne(reseau)
    for _ in range(5):
        structure = StructureFactory(commune=reseau.cs.commune)
        ReponseFactory(campagne=campagne, structure=structure)
    with django_assert_max_num_queries(1):
        lignes = [(r.structure.nom, r.structure.commune.nom, r.statut) for r in selectors.reponses_attendues(campagne)]
    assert len(lignes) == 7
