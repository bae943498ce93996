"""Benchmarks of the observatoire at national size, called by `bench/run.py`.

On a database where `charger_territoires` and `generer_jeu_national` have run:

- `generer(database_url, annees)`: ten yearly campaigns per département (one answer per structure active on
  31 December of the data year, ≈ 40,000 answers nationally), written with bulk_create in a subprocess. The
  answers are FICTIONAL but pass the rules engine: the non-financial values come from the demo's
  `valeurs_generees`, the finances from the structure's budget réalisé through the questionnaire's prefill
  (the sources of `selectors.sources_prefill`, read in bulk), extrapolated by +2 % a year after the last generated
  budget (2015). Closed campaigns are validated at 95 % (the rest never answered); the current one is in progress.
  `generer_reponses(...)` is the reusable generator (tests/demo/test_bench_donnees.py checks it).
- `preparer(database_url, annee)`: the département measured (the one with most answers), and a structure account
  with a session whose answer to the current campaign is a draft (for the autosave);
- `mesurer(...)`: everything below, returned as a dict for `section_markdown(...)`:
  1. latencies over HTTP (gunicorn, loopback, interleaved with the floor `/sante/`): the département synthesis
     (API and web page) and the national sheet of the last closed campaign, and the autosave of a questionnaire
     section (POST as the structure, htmx, with its session cookie and CSRF token);
  2. the same pages computed right after a data change (one validated answer saved, cache cleared), in-process
     with Django's test client, and the first request of a fresh process;
  3. the departmental report as PDF and XLSX (`rapports.rapport_pdf` / `rapport_xlsx`, in-process);
  4. SQL query counts of these pages on the national set and on a 10× smaller one.

The Django side runs in subprocesses (`python bench/observatoire.py COMMANDE ...`, one JSON line on stdout); this
module imports nothing from Django at import time, so that `bench/run.py` and the tests can import it.
"""

import datetime
import html.parser
import http.client
import json
import os
import random
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent

ANNEES = tuple(range(2016, 2026))  # ten campaigns: data of 2015 to 2024
ANNEES_RAPIDE = (2023, 2024, 2025)
ANNEE_BUDGETS = 2015  # the last budget réalisé of generer_jeu_national (jeu_national.ANNEES)
HAUSSE_ANNUELLE = 0.02
PART_NON_REPONDANTES = 0.05  # closed campaigns: answers never sent
EMAIL_SAISIE = "saisie-bench@exemple.invalid"
SECTION_SAISIE = "finances"
CHAMP_MODIFIE = "q-fin_benevolat_valorise"  # changed at each autosave, so that every save writes something
CIBLES_MS = {"synthese": 300, "fiche_nationale": 2000, "pdf": 5000, "saisie": 150}


# --- Generation (Django side) ----------------------------------------------------------------------------------


def sources_extrapolees(sources: dict, facteur: float) -> dict:
    """Prefill sources (`selectors.sources_prefill`) of a later year: budget lines × `facteur`, rounded to the euro,
    total income and result recomputed so that the core's consistency rules still hold."""
    budget = {
        cle: round(valeur * facteur)
        for cle, valeur in sources.items()
        if cle.startswith("budget.") and cle not in {"budget.produits_totaux", "budget.resultat"} and valeur is not None
    }
    if "budget.charges_totales" not in budget:
        return sources
    produits = sum(v for cle, v in budget.items() if cle.startswith("budget.produit."))
    registre = {cle: valeur for cle, valeur in sources.items() if not cle.startswith("budget.")}
    return {
        **registre,
        **budget,
        "budget.produits_totaux": produits,
        "budget.resultat": produits - budget["budget.charges_totales"],
    }


def valeurs_reponse(structure, definition, contexte, sources: dict, rng: random.Random) -> dict:
    """One structure's complete answer: the demo's generated values, then the registry and budget prefill, keeping
    the visible questions only (`demo.valeurs_structure` with the sources given, so no query per structure)."""
    from maillage.demo import observatoire as demo
    from maillage.observatoire import regles

    valeurs = demo.valeurs_generees(structure, rng)
    valeurs.update(regles.prefill(definition, sources, None, contexte))
    if "fin_charges_totales" in valeurs:
        valeurs["fin_charges_personnel"] = round(valeurs["fin_charges_totales"] * rng.uniform(0.55, 0.68))
    visibles = regles.questions_visibles(definition, valeurs, contexte)
    return {code: valeur for code, valeur in valeurs.items() if code in visibles and code in definition.questions}


def _contextes(structures, annees_donnees) -> dict:
    """{(structure pk, data year): regles.Contexte}, as `selectors.contexte_structure` computes it, in one query."""
    from maillage.observatoire import regles
    from maillage.structures.models import Agrement
    from maillage.structures.selectors import STATUTS_ACTIFS

    agrements: dict[int, list] = {}
    for pk, type_, debut, fin in Agrement.objects.filter(
        structure__in=[s.pk for s in structures], statut__in=STATUTS_ACTIFS
    ).values_list("structure_id", "type", "debut", "fin"):
        agrements.setdefault(pk, []).append((type_, debut, fin))
    contextes = {}
    for structure in structures:
        for annee in annees_donnees:
            debut, fin = datetime.date(annee, 1, 1), datetime.date(annee, 12, 31)
            types = frozenset(t for t, d, f in agrements.get(structure.pk, ()) if d <= fin and f >= debut)
            contextes[structure.pk, annee] = regles.Contexte(structure.type, types)
    return contextes


def sources_prefill_en_masse(structures, annee_donnees: int) -> dict[int, dict]:
    """{structure pk: prefill sources}, the same as `selectors.sources_prefill(structure, annee_donnees)` for each
    structure (checked by the tests) but in three queries instead of two per structure."""
    from django.db.models import Sum

    from maillage.financements.models import Budget, LigneProduit
    from maillage.observatoire import selectors

    def nombre(valeur):
        return selectors._nombre(valeur)

    budgets = {
        b.structure_id: b
        for b in Budget.objects.filter(
            structure__in=[s.pk for s in structures], annee=annee_donnees, nature=Budget.Nature.REALISE
        ).order_by("pk")
    }
    lignes: dict[int, list] = {}
    for ligne in (
        LigneProduit.objects.filter(budget__in=[b.pk for b in budgets.values()])
        .values("budget_id", "financeur", "type_ps_id")
        .annotate(total=Sum("montant"))
        .order_by()
    ):
        lignes.setdefault(ligne["budget_id"], []).append(ligne)
    resultat = {}
    for structure in structures:
        sources = {
            "structure.situation_qpv": structure.situation_qpv or None,
            "structure.multi_sites": structure.multi_sites,
            "structure.itinerante": structure.itinerante,
            "structure.adherent_federation": structure.adherent_federation,
            "structure.mode_gestion": selectors.MODES_GESTION.get(structure.gestionnaire.forme_juridique),
        }
        budget = budgets.get(structure.pk)
        if budget is not None:
            for champ in ("charges_totales", "charges_pilotage", "charges_logistique", "charges_referent_familles"):
                sources[f"budget.{champ}"] = nombre(getattr(budget, champ))
            total = 0
            for ligne in lignes.get(budget.pk, ()):
                cle = f"budget.produit.{ligne['financeur']}"
                if ligne["type_ps_id"]:
                    cle += f".{ligne['type_ps_id']}"
                sources[cle] = nombre(ligne["total"])
                total += ligne["total"]
            sources["budget.produits_totaux"] = nombre(total)
            sources["budget.resultat"] = nombre(total - budget.charges_totales)
        resultat[structure.pk] = sources
    return resultat


def _dates_limites(annee: int, *, courante: bool) -> dict:
    """A campaign's deadlines; the current campaign's are pushed after today, so that structures may still write
    (the saving services refuse answers after the review deadline)."""
    reponse, relecture = datetime.date(annee, 5, 31), datetime.date(annee, 7, 15)
    if courante:
        aujourd_hui = datetime.date.today()
        reponse = max(reponse, aujourd_hui + datetime.timedelta(days=30))
        relecture = max(relecture, aujourd_hui + datetime.timedelta(days=75))
    return {"date_limite_reponse": reponse, "date_limite_relecture": relecture}


def supprimer_reponses(structures_qs) -> int:
    """Remove the answers (and their transitions and comments) of these structures, then the campaigns left empty
    in their départements. Bulk deletes: no per-row signal."""
    from maillage.observatoire.models import Campagne, Commentaire, Reponse, Transition

    reponses = Reponse.objects.filter(structure__in=structures_qs)
    nombre = reponses.count()
    departements = set(structures_qs.values_list("departement_id", flat=True))
    for queryset in (
        Transition.objects.filter(reponse__in=reponses),
        Commentaire.objects.filter(reponse__in=reponses),
        reponses,
        Campagne.objects.filter(departement_id__in=departements, reponses__isnull=True),
    ):
        queryset._raw_delete(queryset.db)
    return nombre


def generer_reponses(
    *,
    annees=ANNEES,
    graine: int = 1,
    departements: list[str] | None = None,
    controle: int = 1,
    annoncer=print,
) -> dict:
    """Campaigns `annees` for the départements of the national set (`jeu_national.generes()`), one answer per
    structure active on 31 December of the data year. The last year is the current campaign (not published, answers
    in progress); the others are closed and published. Every submitted or validated answer, or one in `controle`
    of them, is checked by the rules engine (`regles.controler`): a blocking error raises RuntimeError.
    Re-running replaces the previous generated answers."""
    from django.db import connection, transaction

    from maillage.demo import jeu_national
    from maillage.demo import observatoire as demo
    from maillage.observatoire import regles, selectors
    from maillage.observatoire.models import Campagne, Reponse, Statut, Transition
    from maillage.structures.selectors import structures_actives

    debut_generation = time.perf_counter()
    annees = sorted(annees)
    courante = annees[-1]
    questionnaires = demo.charger_questionnaires()
    generees = jeu_national.generes()
    if departements:
        generees = generees.filter(departement_id__in=departements)
    rng_statuts = random.Random(graine)
    resume = {"campagnes": 0, "reponses": 0, "validees": 0, "controlees": 0, "statuts": {}}
    with transaction.atomic():
        resume["supprimees"] = supprimer_reponses(generees)
        structures = list(generees.select_related("gestionnaire").order_by("pk"))
        if not structures:
            raise ValueError("Aucune structure du jeu national : lancez generer_jeu_national.")
        par_pk = {s.pk: s for s in structures}
        contextes = _contextes(structures, [a - 1 for a in annees])
        sources = sources_prefill_en_masse(structures, ANNEE_BUDGETS)
        annoncer(f"  {len(structures)} structures, sources de préremplissage lues.")
        existantes = set(Campagne.objects.filter(annee__in=annees).values_list("departement_id", "annee"))
        for annee in annees:
            donnees = annee - 1
            actives = list(
                structures_actives(datetime.date(donnees, 12, 31))
                .filter(pk__in=generees)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            campagnes = Campagne.objects.bulk_create(
                [
                    Campagne(
                        departement_id=dep,
                        annee=annee,
                        annee_donnees=donnees,
                        questionnaire=questionnaires["senacs-socle"],
                        bloc_thematique=questionnaires.get("senacs-theme-2016") if annee == 2016 else None,
                        ouverture=datetime.date(annee, 3, 1),
                        **_dates_limites(annee, courante=annee == courante),
                        publiee=annee != courante,
                        publiee_le=datetime.datetime(annee, 9, 1, tzinfo=datetime.UTC) if annee != courante else None,
                    )
                    for dep in sorted({par_pk[pk].departement_id for pk in actives})
                    if (dep, annee) not in existantes
                ]
            )
            par_departement = {c.departement_id: c for c in campagnes}
            definition = selectors.definition_campagne(campagnes[0]) if campagnes else None
            soumise_le = datetime.datetime(annee, 5, 15, tzinfo=datetime.UTC)
            validee_le = datetime.datetime(annee, 6, 30, tzinfo=datetime.UTC)
            facteur = (1 + HAUSSE_ANNUELLE) ** (donnees - ANNEE_BUDGETS)
            reponses, transitions = [], []
            for pk in actives:
                structure = par_pk[pk]
                campagne = par_departement.get(structure.departement_id)
                if campagne is None:
                    continue
                contexte = contextes[pk, donnees]
                rng = random.Random(f"{graine}-{annee}-{pk}")
                valeurs = valeurs_reponse(
                    structure, definition, contexte, sources_extrapolees(sources[pk], facteur), rng
                )
                tirage = rng_statuts.random()
                if annee != courante:
                    statut = Statut.BROUILLON if tirage < PART_NON_REPONDANTES else Statut.VALIDEE
                else:
                    statut = (
                        Statut.VALIDEE
                        if tirage < 0.55
                        else Statut.SOUMISE
                        if tirage < 0.70
                        else Statut.A_CORRIGER
                        if tirage < 0.75
                        else Statut.BROUILLON
                    )
                reponse = Reponse(campagne=campagne, structure_id=pk, statut=statut, valeurs=valeurs, version=3)
                if statut == Statut.BROUILLON:
                    # Not sent: the registry and budget prefill, and what the structure started to fill in.
                    reponse.valeurs = {c: v for c, v in valeurs.items() if c.startswith(("id_", "fin_", "pub_"))}
                    reponse.version = 2
                else:
                    if resume["reponses"] % controle == 0:
                        resultat = regles.controler(definition, valeurs, contexte)
                        if resultat.bloquant:
                            raise RuntimeError(
                                f"Réponse générée incohérente ({structure.nom}, {annee}) : "
                                f"{resultat.messages_bloquants(definition)}"
                            )
                        resume["controlees"] += 1
                    reponse.soumise_le = soumise_le
                    transitions.append((reponse, Statut.BROUILLON, Statut.SOUMISE))
                    if statut == Statut.VALIDEE:
                        reponse.verrouillee, reponse.validee_le, reponse.version = True, validee_le, 4
                        transitions.append((reponse, Statut.SOUMISE, Statut.VALIDEE))
                    elif statut == Statut.A_CORRIGER:
                        reponse.version = 4
                        transitions.append((reponse, Statut.SOUMISE, Statut.A_CORRIGER))
                reponses.append(reponse)
                resume["reponses"] += 1
                resume["statuts"][statut.value] = resume["statuts"].get(statut.value, 0) + 1
            Reponse.objects.bulk_create(reponses, batch_size=1000)
            Transition.objects.bulk_create(
                [
                    Transition(
                        reponse=r, de=de, vers=vers, motif="Vérifiez les ETP (fictif)." if vers == "a_corriger" else ""
                    )
                    for r, de, vers in transitions
                ],
                batch_size=2000,
            )
            resume["campagnes"] += len(campagnes)
            annoncer(f"  campagne {annee} : {len(campagnes)} départements, {len(reponses)} réponses")
    resume["validees"] = resume["statuts"].get("validee", 0)
    with connection.cursor() as curseur:
        tables = [m._meta.db_table for m in (Campagne, Reponse, Transition)]
        if connection.vendor == "postgresql":
            curseur.execute(f"ANALYZE {', '.join(tables)}")
        elif connection.vendor == "sqlite":
            for table in tables:
                curseur.execute(f'ANALYZE "{table}"')
    resume["duree"] = round(time.perf_counter() - debut_generation, 1)
    return resume


def preparer_saisie(*, annee: int, annee_courante: int, departement: str | None = None) -> dict:
    """The département measured (given, else the one with most validated answers to the `annee` campaign), and a
    structure account of that département, logged in (a session row), whose answer to the current campaign is a
    draft: what the autosave measures."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db.models import Count

    from maillage.comptes.models import Role, Utilisateur
    from maillage.observatoire.models import Reponse, Statut

    validees = (
        Reponse.objects.filter(campagne__annee=annee, statut=Statut.VALIDEE)
        .values("campagne__departement_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "campagne__departement_id")
    )
    comptes = {ligne["campagne__departement_id"]: ligne["n"] for ligne in validees}
    if departement not in comptes:
        departement = next(iter(comptes))
    brouillon = (
        Reponse.objects.filter(
            campagne__annee=annee_courante, campagne__departement_id=departement, statut=Statut.BROUILLON
        )
        .select_related("structure")
        .order_by("structure__type", "pk")  # a centre social first ("centre_social" < "evs"): fuller finances
        .first()
    )
    if brouillon is None:
        raise RuntimeError(f"Aucune réponse en brouillon en {annee_courante} dans le département {departement}.")
    utilisateur = Utilisateur.objects.filter(email=EMAIL_SAISIE).first() or Utilisateur(email=EMAIL_SAISIE)
    utilisateur.role, utilisateur.structure, utilisateur.is_active = Role.STRUCTURE, brouillon.structure, True
    utilisateur.first_name, utilisateur.last_name = "Saisie", "Mesures (fictif)"
    utilisateur.set_unusable_password()
    utilisateur.save()
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(utilisateur.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = utilisateur.get_session_auth_hash()
    session.create()
    return {
        "departement": departement,
        "validees": comptes[departement],
        "annee": annee,
        "annee_courante": annee_courante,
        "reponse": brouillon.pk,
        "structure_type": brouillon.structure.type,
        "section": SECTION_SAISIE,
        "session": session.session_key,
        "cookie_session": settings.SESSION_COOKIE_NAME,
        "cookie_csrf": settings.CSRF_COOKIE_NAME,
        "email": EMAIL_SAISIE,
        "reponses_total": Reponse.objects.count(),
        "validees_annee": sum(comptes.values()),
    }


def urls(cible: dict) -> dict[str, str]:
    annee, code = cible["annee"], cible["departement"]
    return {
        "synthese_api": f"/api/v1/observatoire/campagnes/{annee}/departements/{code}/synthese",
        "synthese_page": f"/observatoire/resultats/{annee}/{code}/",
        "fiche_nationale": f"/observatoire/resultats/{annee}/",
        "section": f"/observatoire/reponses/{cible['reponse']}/sections/{cible['section']}/",
    }


LIBELLES = {
    "plancher": "plancher : vue triviale /sante/",
    "synthese_api": "API synthèse du département",
    "synthese_page": "page synthèse du département (rapport web)",
    "fiche_nationale": "page comparaison des départements (tous)",
    "section": "page d'une section du questionnaire (structure connectée)",
    "saisie": "enregistrement automatique d'une section (POST htmx)",
}
CIBLE_DE = {
    "synthese_api": "synthese",
    "synthese_page": "synthese",
    "fiche_nationale": "fiche_nationale",
    "saisie": "saisie",
}


class _Formulaire(html.parser.HTMLParser):
    """What a browser (htmx) posts from the section form: its fields, as `hx-post` serialises them."""

    def __init__(self, identifiant: str):
        super().__init__(convert_charrefs=True)
        self.identifiant, self.dedans, self.champs = identifiant, False, []
        self._zone = self._select = None
        self._options: list = []

    def handle_starttag(self, balise, attributs):
        a = dict(attributs)
        if balise == "form":
            self.dedans = a.get("id") == self.identifiant
        if not self.dedans or "disabled" in a:
            return
        if balise == "input" and a.get("name"):
            type_ = a.get("type", "text")
            if type_ in {"radio", "checkbox"}:
                if "checked" in a:
                    self.champs.append((a["name"], a.get("value", "on")))
            elif type_ not in {"submit", "button", "file"}:
                self.champs.append((a["name"], a.get("value", "")))
        elif balise == "textarea" and a.get("name"):
            self._zone = [a["name"], ""]
        elif balise == "select" and a.get("name"):
            self._select, self._options = a["name"], []
        elif balise == "option" and self._select:
            self._options.append((a.get("value", ""), "selected" in a))

    def handle_data(self, donnees):
        if self._zone is not None:
            self._zone[1] += donnees

    def handle_endtag(self, balise):
        if balise == "form":
            self.dedans = False
        elif balise == "textarea" and self._zone is not None:
            self.champs.append((self._zone[0], self._zone[1].removeprefix("\n")))
            self._zone = None
        elif balise == "select" and self._select:
            choisies = [v for v, choisie in self._options if choisie] or [v for v, _ in self._options[:1]]
            self.champs.extend((self._select, v) for v in choisies)
            self._select = None


def champs_formulaire(page: str, identifiant: str = "formulaire-section") -> list[tuple[str, str]]:
    lecteur = _Formulaire(identifiant)
    lecteur.feed(page)
    return lecteur.champs


def corps_saisie(champs: list[tuple[str, str]], version: int, valeur: int) -> list[tuple[str, str]]:
    """The posted fields with the current version and a new value of CHAMP_MODIFIE (so every save writes)."""
    corps = [(n, v) for n, v in champs if n not in {"version", CHAMP_MODIFIE}]
    return [*corps, ("version", str(version)), (CHAMP_MODIFIE, str(valeur))]


def version_de(page: str) -> int:
    champs = dict(champs_formulaire(page))
    return int(champs["version"])


# --- Django-side commands (run in a subprocess by the functions below) ----------------------------------------


def _changer_une_reponse(campagne_annee: int, departement: str | None, pas: int) -> None:
    """A data change: one validated answer saved through the ORM (audit log and signals included)."""
    from maillage.observatoire.models import Reponse, Statut

    reponses = Reponse.objects.filter(campagne__annee=campagne_annee, statut=Statut.VALIDEE)
    if departement:
        reponses = reponses.filter(campagne__departement_id=departement)
    reponse = reponses.order_by("pk").first()
    valeurs = dict(reponse.valeurs)
    valeurs["pub_personnes"] = int(valeurs.get("pub_personnes") or 0) + (1 if pas % 2 else -1)
    reponse.valeurs = valeurs
    reponse.save(update_fields=["valeurs", "modifie_le"])


def _mediane_p95(valeurs: list[float]) -> dict:
    valeurs = sorted(valeurs)
    return {"mediane": statistics.median(valeurs), "p95": valeurs[int(0.95 * (len(valeurs) - 1))], "n": len(valeurs)}


def _client_statique():
    """Django's test client without collectstatic's manifest (not needed in-process)."""
    from django.conf import settings
    from django.test import Client

    stockage = "django.contrib.staticfiles.storage.StaticFilesStorage"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": stockage}}
    return Client()


def commande_a_froid(cible: dict, repetitions: int) -> dict:
    """In-process: the first request of a fresh process to each page, then each page computed right after a data
    change (one validated answer of the campaign saved, cache cleared), median and p95."""
    from django.core.cache import cache

    client = _client_statique()
    adresses = {"plancher": "/sante/", **{k: v for k, v in urls(cible).items() if k != "section"}}
    premieres = {}
    for nom, url in adresses.items():
        debut = time.perf_counter()
        reponse = client.get(url)
        premieres[nom] = (time.perf_counter() - debut) * 1000
        assert reponse.status_code == 200, (url, reponse.status_code)
    echantillons = {nom: [] for nom in adresses}
    for i in range(repetitions):
        for nom, url in adresses.items():
            if nom == "fiche_nationale" and i % 3:
                continue  # the heaviest page: one round in three
            _changer_une_reponse(cible["annee"], None if nom == "fiche_nationale" else cible["departement"], i)
            cache.clear()
            debut = time.perf_counter()
            reponse = client.get(url)
            echantillons[nom].append((time.perf_counter() - debut) * 1000)
            assert reponse.status_code == 200, (url, reponse.status_code)
    return {"premieres": premieres, "apres_changement": {n: _mediane_p95(v) for n, v in echantillons.items()}}


def commande_rapports(cible: dict, repetitions: int) -> dict:
    """In-process: `rapports.rapport_pdf` and `rapport_xlsx` of the campaign (the first call apart)."""
    from maillage.observatoire.resultats import rapports
    from maillage.observatoire.resultats import selectors as selectors_resultats

    campagne = selectors_resultats.campagne_de(cible["annee"], cible["departement"])
    resultats = {}
    for nom, fonction in (("pdf", rapports.rapport_pdf), ("xlsx", rapports.rapport_xlsx)):
        try:
            debut = time.perf_counter()
            contenu = fonction(campagne)
        except rapports.PDFIndisponible as e:
            resultats[nom] = {"erreur": str(e)}
            continue
        premiere = (time.perf_counter() - debut) * 1000
        valeurs = []
        for _ in range(repetitions):
            debut = time.perf_counter()
            contenu = fonction(campagne)
            valeurs.append((time.perf_counter() - debut) * 1000)
        resultats[nom] = {"premiere": premiere, **_mediane_p95(valeurs), "octets": len(contenu)}
    if hasattr(rapports, "empreinte_donnees"):
        # The web route checks whether an already generated file is still current before serving it.
        valeurs = []
        for _ in range(max(5, repetitions)):
            debut = time.perf_counter()
            rapports.empreinte_donnees(campagne)
            valeurs.append((time.perf_counter() - debut) * 1000)
        resultats["empreinte"] = _mediane_p95(valeurs)
    return resultats


def commande_requetes(cible: dict) -> dict:
    """SQL queries of each page (cache cleared before each), the section page and its autosave as the structure."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from maillage.comptes.models import Utilisateur

    anonyme, structure = _client_statique(), _client_statique()
    structure.force_login(Utilisateur.objects.get(email=cible["email"]))
    adresses = urls(cible)
    resultats = {}

    def compter(nom, client, methode, url, **kwargs):
        getattr(client, methode)(url, **kwargs)  # warm-up: lazy imports, first connection
        cache.clear()
        with CaptureQueriesContext(connection) as requetes:
            reponse = getattr(client, methode)(url, **kwargs)
        resultats[nom] = {"statut": reponse.status_code, "requetes": len(requetes)}
        return reponse

    for nom in ("synthese_api", "synthese_page", "fiche_nationale"):
        compter(nom, anonyme, "get", adresses[nom])
    page = compter("section", structure, "get", adresses["section"]).content.decode()
    champs = champs_formulaire(page)
    version = int(dict(champs)["version"])

    # Two saves (warm-up, then counted), each with the version the previous one returned.
    def poster(version, valeur):
        corps = urllib.parse.urlencode(corps_saisie(champs, version, valeur))
        return structure.post(
            adresses["section"], corps, content_type="application/x-www-form-urlencoded", headers={"HX-Request": "true"}
        )

    reponse = poster(version, 1)
    cache.clear()
    version = version_de(reponse.content.decode())
    with CaptureQueriesContext(connection) as requetes:
        reponse = poster(version, 2)
    resultats["saisie"] = {"statut": reponse.status_code, "requetes": len(requetes)}
    assert "Enregistré à" in reponse.content.decode(), "l'enregistrement automatique a échoué"
    return resultats


def _commande(argv: list[str]) -> None:
    """`python bench/observatoire.py COMMANDE [JSON]`: Django side, prints one JSON line."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maillage.settings")
    if str(RACINE) not in sys.path:
        sys.path.insert(0, str(RACINE))
    import django

    django.setup()
    commande, parametres = argv[0], json.loads(argv[1]) if len(argv) > 1 else {}
    if commande == "generer":
        parametres["annoncer"] = lambda texte: print(texte, file=sys.stderr)
        resultat = generer_reponses(**parametres)
    elif commande == "preparer":
        resultat = preparer_saisie(**parametres)
    elif commande == "a-froid":
        resultat = commande_a_froid(parametres["cible"], parametres["repetitions"])
    elif commande == "rapports":
        resultat = commande_rapports(parametres["cible"], parametres["repetitions"])
    elif commande == "requetes":
        resultat = commande_requetes(parametres["cible"])
    else:
        raise SystemExit(f"Commande inconnue : {commande}")
    print(json.dumps(resultat))


# --- Runner side (bench/run.py) -------------------------------------------------------------------------------


def _outils():
    dossier = str(Path(__file__).resolve().parent)
    if dossier not in sys.path:
        sys.path.insert(0, dossier)
    import outils  # bench/outils.py: environment, subprocess with peak memory, gunicorn server

    return outils


def _lancer(database_url: str, commande: str, parametres: dict) -> tuple[dict, float, int]:
    outils = _outils()
    env = outils.environnement(database_url) | {
        "DJANGO_SETTINGS_MODULE": "maillage.settings",
        "ALLOWED_HOSTS": "testserver",
    }
    args = [outils.PYTHON, str(Path(__file__).resolve()), commande, json.dumps(parametres)]
    duree, memoire, sortie = outils.lancer(args, env)
    return json.loads(sortie.strip().splitlines()[-1]), duree, memoire


def generer(database_url: str, annees=ANNEES, *, controle: int = 10) -> dict:
    """The campaigns and answers on `database_url` (national set already generated): summary, seconds, peak MB."""
    resume, duree, memoire = _lancer(database_url, "generer", {"annees": list(annees), "controle": controle})
    return resume | {"duree_processus": duree, "memoire": memoire}


def preparer(database_url: str, annees=ANNEES, departement: str | None = None) -> dict:
    parametres = {"annee": annees[-2], "annee_courante": annees[-1], "departement": departement}
    return _lancer(database_url, "preparer", parametres)[0]


class Session:
    """A logged-in browser over loopback: cookies, CSRF token, htmx autosave."""

    def __init__(self, port: int, cible: dict | None = None):
        self.port = port
        self.cookies = {cible["cookie_session"]: cible["session"]} if cible else {}

    def envoyer(self, methode: str, url: str, corps=None, entetes=None) -> tuple[float, int, str]:
        entetes = {"Host": "127.0.0.1", **(entetes or {})}
        if self.cookies:
            entetes["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        donnees = None
        if corps is not None:
            donnees = urllib.parse.urlencode(corps).encode()
            entetes["Content-Type"] = "application/x-www-form-urlencoded"
        connexion = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        debut = time.perf_counter()
        connexion.request(methode, url, body=donnees, headers=entetes)
        reponse = connexion.getresponse()
        contenu = reponse.read()
        duree = (time.perf_counter() - debut) * 1000
        connexion.close()
        for entete, valeur in reponse.getheaders():
            if entete.lower() == "set-cookie":
                nom, _, reste = valeur.partition("=")
                self.cookies[nom.strip()] = reste.split(";", 1)[0]
        return duree, reponse.status, contenu.decode("utf-8", "replace")


def mesurer_http(database_url: str, cible: dict, requetes: int) -> tuple[dict, int]:
    """Latencies over HTTP, interleaved: floor, synthesis (API and page), section page, national sheet (one round
    in `pas`), and the autosave of the section (POST htmx as the structure, a new value each time)."""
    outils = _outils()
    adresses = urls(cible)
    pas = 5
    with outils.servir(database_url) as (port, serveur):
        navigateur = Session(port, cible)
        anonyme = {"plancher": "/sante/", **{k: adresses[k] for k in ("synthese_api", "synthese_page")}}
        anonyme["fiche_nationale"] = adresses["fiche_nationale"]

        def obtenir(url, session=None):
            duree, statut, contenu = (session or Session(port)).envoyer("GET", url)
            if statut != 200:
                raise SystemExit(f"{url} a répondu {statut}")
            return duree, contenu

        _, page = obtenir(adresses["section"], navigateur)
        champs = champs_formulaire(page)
        jeton = dict(champs)["csrfmiddlewaretoken"]
        version = int(dict(champs)["version"])
        entetes = {
            "HX-Request": "true",
            "HX-Target": "formulaire-section",
            "HX-Current-URL": f"http://127.0.0.1:{port}{adresses['section']}",
            "X-CSRFToken": jeton,
        }

        def enregistrer(i):
            nonlocal version
            duree, statut, contenu = navigateur.envoyer(
                "POST", adresses["section"], corps_saisie(champs, version, 1000 + i), entetes
            )
            if statut != 200 or "Enregistré à" not in contenu:
                raise SystemExit(f"Enregistrement automatique refusé ({statut}) : {contenu[:500]}")
            version = version_de(contenu)
            return duree

        for url in anonyme.values():  # warm-up
            for _ in range(3):
                obtenir(url)
        for i in range(3):
            obtenir(adresses["section"], navigateur)
            enregistrer(i)
        echantillons = {nom: [] for nom in [*anonyme, "section", "saisie"]}
        for i in range(requetes):
            for nom, url in anonyme.items():
                if nom == "fiche_nationale" and i % pas:
                    continue
                echantillons[nom].append(obtenir(url)[0])
            echantillons["section"].append(obtenir(adresses["section"], navigateur)[0])
            echantillons["saisie"].append(enregistrer(10 + i))
        memoire = outils.memoire_worker(serveur.pid)
    return {nom: _mediane_p95(v) for nom, v in echantillons.items()}, memoire


def mesurer(database_url: str, url_petit: str | None, *, annees=ANNEES, requetes: int = 200, annoncer=print) -> dict:
    """The whole observatoire bench on a database holding the national set (and optionally a 10× smaller one)."""
    resultats = {"annees": list(annees)}
    annoncer(f"Observatoire : {len(annees)} campagnes sur le jeu national…")
    resultats["generation"] = generer(database_url, annees)
    annoncer(str(resultats["generation"]))
    cible = preparer(database_url, annees)
    resultats["cible"] = cible
    annoncer(f"Observatoire : latences HTTP (département {cible['departement']}, campagne {cible['annee']})…")
    resultats["http"], resultats["memoire"] = mesurer_http(database_url, cible, requetes)
    annoncer("Observatoire : calcul après changement des données…")
    resultats["a_froid"] = _lancer(database_url, "a-froid", {"cible": cible, "repetitions": max(9, requetes // 10)})[0]
    annoncer("Observatoire : rapports PDF et XLSX…")
    resultats["rapports"] = _lancer(database_url, "rapports", {"cible": cible, "repetitions": 5})[0]
    annoncer("Observatoire : nombre de requêtes SQL…")
    grand = _lancer(database_url, "requetes", {"cible": cible})[0]
    petit = None
    if url_petit:
        resultats["generation_petit"] = generer(url_petit, annees)
        cible_petit = preparer(url_petit, annees, departement=cible["departement"])
        resultats["cible_petit"] = cible_petit
        petit = _lancer(url_petit, "requetes", {"cible": cible_petit})[0]
    resultats["requetes"] = {
        nom: {
            "grand": r["requetes"],
            "petit": petit[nom]["requetes"] if petit else None,
            "statut": r["statut"],
            "egal": petit is not None and petit[nom]["requetes"] == r["requetes"] and r["statut"] == 200,
        }
        for nom, r in grand.items()
    }
    return resultats


# --- Markdown -----------------------------------------------------------------------------------------------


def _ms(valeur: float) -> str:
    return f"{valeur:.0f} ms" if valeur >= 10 else f"{valeur:.1f} ms"


def _verdict(nom: str, mediane: float) -> str:
    cible = CIBLES_MS.get(CIBLE_DE.get(nom, nom))
    if cible is None:
        return ""
    return f"≤ {cible} ms : {'oui' if mediane <= cible else '**non**'}"


def section_markdown(r: dict, contexte: dict) -> list[str]:
    """The « Observatoire » section of docs/performance.md (French)."""
    g, cible = r["generation"], r["cible"]
    annees = r["annees"]
    http_, froid, rapports = r["http"], r["a_froid"], r["rapports"]
    plancher = http_["plancher"]["mediane"]
    statuts = g["statuts"]
    lignes = [
        "## Observatoire à l'échelle nationale (jeu fictif, campagnes annuelles)",
        "",
        f"Mesuré le {contexte['date']} ; machine : {contexte['machine']} ; base : {contexte['base']} ; "
        f"périmètre : {contexte['perimetre']}.",
        "",
        f"Jeu : {g['campagnes']} campagnes ({len(annees)} années de collecte, {annees[0]} à {annees[-1]}, données "
        f"{annees[0] - 1} à {annees[-1] - 1}) sur les structures du jeu national fictif, {g['reponses']} réponses "
        f"({statuts.get('validee', 0)} validées, {statuts.get('soumise', 0)} soumises, "
        f"{statuts.get('a_corriger', 0)} à corriger, {statuts.get('brouillon', 0)} brouillons), générées en "
        f"{g['duree']:.1f} s (processus : {g['duree_processus']:.1f} s, {g['memoire']} Mo au plus). Les valeurs "
        "viennent des fonctions de la démonstration (`demo.valeurs_generees`) et du préremplissage par les budgets "
        f"réalisés (extrapolés de +{HAUSSE_ANNUELLE * 100:.0f} % par an après {ANNEE_BUDGETS}) ; "
        f"{g['controlees']} réponses soumises ou validées contrôlées par le moteur de règles, sans erreur bloquante. "
        f"Les campagnes closes sont validées à {(1 - PART_NON_REPONDANTES) * 100:.0f} % ; la campagne {annees[-1]} "
        "est en cours (ses dates limites sont repoussées après la date du jour, pour que la saisie reste ouverte).",
        "",
        f"Mesures sur la campagne {cible['annee']} (dernière close, avec N-1) : "
        f"département **{cible['departement']}**, le plus grand ({cible['validees']} réponses validées) ; "
        f"comparaison des départements sur {cible['validees_annee']} réponses validées. Enregistrement : section "
        f"« {cible['section']} » de la réponse en brouillon d'une structure "
        f"({cible['structure_type'].replace('_', ' ')}) à la campagne {cible['annee_courante']}, par un compte "
        "structure connecté (cookie de session, jeton CSRF, en-têtes htmx), une valeur différente à chaque envoi.",
        "",
        "### Latences HTTP (gunicorn, 1 worker synchrone, boucle locale ; requêtes alternées, comparaison des "
        "départements une fois sur cinq)",
        "",
        "| URL | médiane | p95 | mesures | rapport au plancher | cible (médiane) atteinte |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for nom, m in http_.items():
        lignes.append(
            f"| {LIBELLES[nom]} | {_ms(m['mediane'])} | {_ms(m['p95'])} | {m['n']} | "
            f"× {m['mediane'] / plancher:.1f} | {_verdict(nom, m['mediane'])} |"
        )
    plancher_froid = froid["apres_changement"]["plancher"]["mediane"]
    lignes += [
        "",
        f"Mémoire résidente maximale du worker après la série : {r['memoire']} Mo.",
        "",
        "### À froid : juste après un changement des données",
        "",
        "La synthèse, son API et la comparaison des départements sont mises en cache par version des données (réponses"
        " de chaque campagne, structures qui y ont répondu, territoires) : le tableau HTTP ci-dessus est le cas "
        "courant. Après une réponse validée, seule sa campagne est relue (les autres restent en cache, en nombres). "
        "Ci-dessous, le pire cas : chaque mesure suit l'enregistrement d'une réponse validée de la campagne (ORM, "
        "journal d'audit compris) et un vidage complet du cache, donc le calcul de toutes les campagnes lues ; client "
        "de test Django dans le processus, sans réseau.",
        "",
        "| URL | médiane | p95 | mesures | rapport au plancher | première requête d'un processus neuf |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for nom, m in froid["apres_changement"].items():
        lignes.append(
            f"| {LIBELLES[nom]} | {_ms(m['mediane'])} | {_ms(m['p95'])} | {m['n']} | "
            f"× {m['mediane'] / plancher_froid:.1f} | {_ms(froid['premieres'][nom])} |"
        )
    lignes += [
        "",
        "La première requête d'un processus neuf comprend les imports paresseux de Django et de l'application "
        "(le plancher, demandé en premier, en paie la plus grande part) et la compilation des gabarits.",
        "",
        f"### Rapport départemental ({cible['departement']}, campagne {cible['annee']}), dans le processus",
        "",
        "| fichier | première génération | médiane des suivantes | p95 | taille | cible |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for nom, libelle in (("pdf", "PDF (`rapports.rapport_pdf`, WeasyPrint)"), ("xlsx", "XLSX (`rapport_xlsx`)")):
        m = rapports.get(nom, {})
        if "erreur" in m or not m:
            lignes.append(f"| {libelle} | non mesuré : {m.get('erreur', 'indisponible')} | | | | |")
            continue
        taille = f"{m['octets'] / 1024:.0f} Ko"
        cible_txt = _verdict("pdf", m["premiere"]) if nom == "pdf" else "pour information"
        lignes.append(
            f"| {libelle} | {_ms(m['premiere'])} | {_ms(m['mediane'])} | {_ms(m['p95'])} | {taille} | {cible_txt} |"
        )
    if "empreinte" in rapports:
        m = rapports["empreinte"]
        lignes.append(
            f"| empreinte des données (`rapports.empreinte_donnees`, le fichier déjà produit est-il à jour ?) | | "
            f"{_ms(m['mediane'])} | {_ms(m['p95'])} | | pour information |"
        )
    lignes += [
        "",
        "La cible du PDF (≤ 5 s) est jugée sur la première génération du processus (import de WeasyPrint et des "
        "polices compris), le pire cas d'un worker.",
        "",
        "### Requêtes SQL",
        "",
        "Nombre de requêtes SQL (cache vidé) sur ce jeu et sur un jeu dix fois plus petit (`generer_jeu_national "
        "--echelle 0.1`, mêmes campagnes) : il ne doit pas croître avec le nombre de réponses.",
        "",
        "| URL | statut | requêtes SQL (jeu national) | requêtes SQL (jeu 10× plus petit) | constant |",
        "|---|---:|---:|---:|---|",
    ]
    for nom, q in r["requetes"].items():
        petit = "non mesuré" if q["petit"] is None else q["petit"]
        constant = "—" if q["petit"] is None else ("oui" if q["egal"] else "**non**")
        lignes.append(f"| {LIBELLES[nom]} | {q['statut']} | {q['grand']} | {petit} | {constant} |")
    atteintes = [
        http_["synthese_api"]["mediane"] <= CIBLES_MS["synthese"],
        http_["synthese_page"]["mediane"] <= CIBLES_MS["synthese"],
        froid["apres_changement"]["synthese_page"]["mediane"] <= CIBLES_MS["synthese"],
        http_["fiche_nationale"]["mediane"] <= CIBLES_MS["fiche_nationale"],
        "premiere" in rapports.get("pdf", {}) and rapports["pdf"]["premiere"] <= CIBLES_MS["pdf"],
        http_["saisie"]["mediane"] <= CIBLES_MS["saisie"],
    ]
    if contexte.get("rapide"):
        lignes += [
            "",
            "Périmètre rapide : toutes les structures du jeu sont dans deux départements (plus de 2 000 chacun, "
            "plus de dix fois le plus grand département du jeu national) ; la synthèse d'un département y est "
            "donc bien plus lente. Les cibles portent sur le jeu national (`make bench` sans `--rapide`).",
        ]
    lignes += [
        "",
        f"Cibles : synthèse d'un département ≤ {CIBLES_MS['synthese']} ms, comparaison des départements ≤ "
        f"{CIBLES_MS['fiche_nationale'] / 1000:.0f} s, PDF départemental ≤ {CIBLES_MS['pdf'] / 1000:.0f} s, "
        f"enregistrement d'une section ≤ {CIBLES_MS['saisie']} ms (médianes) — "
        + ("**toutes atteintes**." if all(atteintes) else "**au moins une NON atteinte** (voir ci-dessus)."),
    ]
    return lignes


if __name__ == "__main__":
    _commande(sys.argv[1:])
