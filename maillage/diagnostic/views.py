"""Pages of the diagnostic territorial: département diagnostic, comparison of two dates, exports,
parameters, simulation and scenarios.

Views are thin: the selectors compute (cached per territory, date, parameters and data version), the services
write, `peut/exiger` decide. Every page is a GET URL that can be shared, except the simulation's run and save.
"""

import datetime
import re

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from maillage.core import horloge
from maillage.core.formats import cle_texte
from maillage.core.formulaires import ajouter_erreurs_du_service, creation_unique
from maillage.core.permissions import dans_perimetre, exiger, peut
from maillage.territoires import perimetres
from maillage.territoires.perimetres import Decoupage, Perimetre
from maillage.territoires.selectors import departement_par_code

from . import agregats, exports, presentation, selectors, services
from .forms import LIBELLES_POIDS, AjoutFormSet, ParametresForm, SimulationForm, lire_date
from .models import INDICATEURS_CAF, Indicateur, Scenario

# --- Helpers -----------------------------------------------------------------------------------------


def _tuiles() -> dict:
    return {"tuiles_url": settings.MAILLAGE_TUILES_URL, "tuiles_attribution": settings.MAILLAGE_TUILES_ATTRIBUTION}


def _lignes(resultat, caf: dict | None, codes_caf=()):
    """Rows of the accessible table, sorted by commune name, with the score breakdown in order."""
    composantes = exports.composantes_score(resultat.communes)
    lignes = []
    for c in sorted(resultat.communes, key=lambda c: (cle_texte(c.nom), c.code)):
        valeurs_caf = (caf or {}).get(c.code, {})
        lignes.append(
            {
                "c": c,
                "detail": [c.score_detail.get(k) for k in composantes],
                "caf": [valeurs_caf.get(k) for k in codes_caf],
            }
        )
    return lignes, [exports.LIBELLES_SCORE.get(k, k) for k in composantes]


def valeur_perimetre(requete) -> str:
    """`?perimetre=ept:200057941`, or the older `?epci=SIREN` of shared links (read as `epci:SIREN`)."""
    valeur = (requete.get("perimetre") or "").strip()
    if not valeur:
        epci = (requete.get("epci") or "").strip()
        valeur = f"{perimetres.EPCI_CLE}:{epci}" if epci else ""
    return valeur


def _perimetre(request, code: str, date: datetime.date | None) -> tuple[Perimetre | None, str | None]:
    """The périmètre of the query string at `date`: (périmètre or None, French message when it is ignored)."""
    valeur = valeur_perimetre(request.GET)
    if not valeur or date is None:
        return None, None
    perimetre = perimetres.perimetre_lu(code, valeur, date=date)
    if perimetre is None:
        jour = date.strftime("%d/%m/%Y")
        return None, f"Ce territoire n'existe pas dans le département au {jour} : le filtre est ignoré."
    return perimetre, None


def _filtres(request, code: str) -> tuple[datetime.date | None, Perimetre | None, list[str], list]:
    """Date and périmètre of the query string: (date, périmètre, French errors, périmètre choices by cut)."""
    erreurs = []
    date, erreur = lire_date(request.GET.get("date"))
    if erreur:
        erreurs.append(erreur)
    perimetre, erreur = _perimetre(request, code, date)
    if erreur:
        erreurs.append(erreur)
    choix = perimetres.perimetres_du_departement(code, date=date) if date else []
    return date, perimetre, erreurs, choix


def _nom_fichier(perimetre: Perimetre | None) -> str:
    if perimetre is None:
        return ""
    return "-" + re.sub(r"[^A-Za-z0-9_-]+", "-", perimetre.valeur.replace(":", "-")).strip("-")[:80]


# --- Département diagnostic -----------------------------------------------------------------------------


def departement(request, code):
    dep = departement_par_code(code)
    code = dep.code  # normalised ("2a" → "2A") for the reads below
    date, perimetre, erreurs, choix_perimetres = _filtres(request, code)
    voir_caf = peut(request.user, "diagnostic.voir_indicateurs_caf", dep)
    indicateur, choix = presentation.choix_indicateur(request.GET.get("indicateur"), voir_caf)
    contexte = {
        "departement": dep,
        "date": date,
        "perimetre": perimetre,
        "perimetres": choix_perimetres,
        "erreurs": erreurs,
        "indicateur": indicateur,
        "indicateurs": choix,
        "voir_caf": voir_caf,
        "peut_simuler": peut(request.user, "diagnostic.simuler", dep),
        "date_carte": date,
        **_tuiles(),
    }
    if date is None:
        return render(request, "diagnostic/departement.html", contexte, status=400)
    resultat, sources = selectors.diagnostic_et_sources(code, date, perimetre=perimetre)
    caf, sources_caf = selectors.indicateurs_caf(code) if voir_caf else ({}, {})
    quantiles, legende = presentation.quantiles_et_legende(indicateur, caf)
    structures = selectors.structures_pour_carte(code, date)
    if perimetre:
        codes = {c.code for c in resultat.communes}
        structures = [s for s in structures if s["commune"] in codes]
    codes_caf = [i for i in Indicateur.values if i in INDICATEURS_CAF] if voir_caf else []
    lignes, composantes = _lignes(resultat, caf if voir_caf else None, codes_caf)
    parametres = {"date": date.isoformat(), **({"perimetre": perimetre.valeur} if perimetre else {})}
    decoupage, erreur = _decoupage(request, code, date, choix_perimetres)
    if erreur:
        erreurs.append(erreur)
    elif decoupage is not None and request.GET.get("decoupage"):
        parametres["decoupage"] = decoupage.cle  # kept by the export links (its "par territoire" sheet)
    par_territoire = None
    if decoupage is not None:
        # From the département's result (the same one when no périmètre is chosen): sums, no recomputation.
        entier = resultat if perimetre is None else selectors.diagnostic_departement(code, date)
        par_territoire = agregats.par_territoire(code, date, entier, decoupage, perimetres_=choix_perimetres)
    contexte.update(
        {
            "resultat": resultat,
            "synthese": resultat.synthese,
            "sources": sources,
            "par_territoire": par_territoire,
            "decoupages": [d for d, _ in choix_perimetres],
            "decoupage": decoupage,
            "lignes": lignes,
            "composantes": composantes,
            "prioritaires": sorted(
                (ligne for ligne in lignes if ligne["c"].rang is not None), key=lambda ligne: ligne["c"].rang
            ),
            "libelle_indicateur": choix[indicateur],
            "legende": legende,
            "donnees_carte": presentation.donnees_carte(resultat, indicateur, caf, quantiles, structures),
            "nombre_structures_carte": len(structures),
            "caf_colonnes": [(i, Indicateur(i).label) for i in codes_caf],
            "sources_caf": sorted(sources_caf),
            "parametres": resultat.parametres,
            "poids": [(LIBELLES_POIDS.get(k, k), v) for k, v in resultat.parametres.poids.items()],
            "requete": urlencode(parametres),
            "requete_indicateur": urlencode({**parametres, "indicateur": indicateur}),
            "qpv_avec_contour": any(q.regle == "geometrie" for q in resultat.qpv),
            "qpv": [
                {
                    "code": q.code,
                    "nom": q.nom,
                    "servi": q.servi,
                    "regle_libelle": exports.REGLES_QPV.get(q.regle, q.regle),
                    "structures": q.structures,
                }
                for q in resultat.qpv
            ],
        }
    )
    return render(request, "diagnostic/departement.html", contexte)


def _decoupage(request, code, date, choix_perimetres) -> tuple[Decoupage | None, str | None]:
    """The cut of the "par territoire" table: `?decoupage=`, else EPT when the département has them, else EPCI,
    else none; an unknown or absent cut is ignored with a French message."""
    disponibles = {d.cle: d for d, _ in choix_perimetres}
    demande = (request.GET.get("decoupage") or "").strip()
    if demande and demande in disponibles:
        return disponibles[demande], None
    defaut = agregats.decoupage_par_defaut(disponibles)
    if demande:
        return defaut, "Ce découpage n'existe pas dans le département à cette date : découpage par défaut affiché."
    return defaut, None


def qpv_geojson(request, code):
    code = departement_par_code(code).code
    date, _ = lire_date(request.GET.get("date"))
    reponse = HttpResponse(selectors.qpv_geojson(code, date), content_type="application/geo+json")
    reponse["Cache-Control"] = "public, max-age=300"
    return reponse


def comparer(request, code):
    dep = departement_par_code(code)
    code = dep.code
    erreurs = []
    date_a, erreur_a = lire_date(request.GET.get("date_a"), datetime.date(horloge.aujourdhui().year - 5, 12, 31))
    date_b, erreur_b = lire_date(request.GET.get("date_b"), horloge.aujourdhui())
    erreurs += [e for e in (erreur_a, erreur_b) if e]
    # The périmètre as it is at the second date, compared with the same communes at both dates.
    perimetre, erreur = _perimetre(request, code, date_b)
    if erreur:
        erreurs.append(erreur)
    contexte = {
        "departement": dep,
        "date_a": date_a,
        "date_b": date_b,
        "perimetre": perimetre,
        "perimetres": perimetres.perimetres_du_departement(code, date=date_b) if date_b else [],
        "erreurs": erreurs,
    }
    if date_a is None or date_b is None:
        return render(request, "diagnostic/comparer.html", contexte, status=400)
    comparaison = selectors.comparer(code, date_a, date_b, perimetre=perimetre)
    contexte.update(
        {
            "comparaison": comparaison,
            "ecarts": _ecarts(comparaison.ecarts),
        }
    )
    return render(request, "diagnostic/comparer.html", contexte)


def _ecarts(ecarts: dict) -> list[dict]:
    """Synthesis differences as rows: label, before, after, difference, and whether it is a share."""
    lignes = []
    for cle, (avant, apres, difference) in ecarts.items():
        lignes.append(
            {
                "cle": cle,
                "libelle": exports.LIBELLES_SYNTHESE.get(cle, cle),
                "avant": avant,
                "apres": apres,
                "difference": difference,
                "part": cle.startswith("part_"),
            }
        )
    return lignes


# --- Exports --------------------------------------------------------------------------------------------

FORMATS_EXPORT = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
}


def _fichier(contenu: bytes, format_: str, nom: str) -> HttpResponse:
    reponse = HttpResponse(contenu, content_type=FORMATS_EXPORT[format_])
    reponse["Content-Disposition"] = f'attachment; filename="{nom}.{format_}"'
    return reponse


def export(request, code):
    dep = departement_par_code(code)
    code = dep.code
    format_ = request.GET.get("format", "csv")
    if format_ not in FORMATS_EXPORT:
        return HttpResponse(
            "Format inconnu : choisissez csv, xlsx ou geojson.", status=400, content_type="text/plain; charset=utf-8"
        )
    date, perimetre, erreurs, choix_perimetres = _filtres(request, code)
    if date is None or erreurs:
        return HttpResponse(" ".join(erreurs), status=400, content_type="text/plain; charset=utf-8")
    resultat, sources = selectors.diagnostic_et_sources(code, date, perimetre=perimetre)
    caf = selectors.indicateurs_caf(code)[0] if peut(request.user, "diagnostic.voir_indicateurs_caf", dep) else None
    nom = f"diagnostic-{code}-{date.isoformat()}" + _nom_fichier(perimetre)
    if format_ == "csv":
        return _fichier(exports.en_csv(*exports.tableau_communes(resultat, indicateurs_caf=caf)), format_, nom)
    if format_ == "xlsx":
        feuilles = [
            ("Synthèse", *exports.tableau_synthese(resultat, date=date, sources=sources, perimetre=perimetre)),
            ("Communes", *exports.tableau_communes(resultat, indicateurs_caf=caf)),
            ("QPV", *exports.tableau_qpv(resultat)),
        ]
        decoupage, _ = _decoupage(request, code, date, choix_perimetres)  # an unknown cut: the default one
        if decoupage is not None:
            entier = resultat if perimetre is None else selectors.diagnostic_departement(code, date)
            agregat = agregats.par_territoire(code, date, entier, decoupage, perimetres_=choix_perimetres)
            feuilles.append((f"Par {decoupage.libelle_court}", *exports.tableau_par_territoire(agregat)))
        return _fichier(exports.en_xlsx(feuilles), format_, nom)
    geometries = selectors.geometries_communes(code)
    return _fichier(exports.en_geojson(resultat, geometries, indicateurs_caf=caf), format_, nom)


# --- Parameters -------------------------------------------------------------------------------------------


@login_required
def parametres(request, code):
    dep = departement_par_code(code)
    code = dep.code
    exiger(request.user, "diagnostic.simuler", dep)
    actuels = selectors.parametres_du_departement(code)
    form = ParametresForm(
        request.POST or None,
        poids=actuels.poids,
        initial={"distance_couverture_km": actuels.distance_couverture_km, "tampon_qpv_m": actuels.tampon_qpv_m},
        version=selectors.version_des_parametres(code),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.parametres_modifier(
                par=request.user,
                departement=dep,
                distance_couverture_km=form.cleaned_data["distance_couverture_km"],
                tampon_qpv_m=form.cleaned_data["tampon_qpv_m"],
                poids=form.poids(),
                version=form.version_lue,
            )
        except ValidationError as erreur:
            ajouter_erreurs_du_service(form, erreur)
        else:
            return redirect("diagnostic:departement", code=code)
    return render(request, "diagnostic/parametres.html", {"departement": dep, "form": form})


# --- Simulation and scenarios ---------------------------------------------------------------------------


def _structures_fermables(code: str, date: datetime.date, noms: dict[str, str]) -> list[dict]:
    """The département's own active structures (the map also shows neighbours within reach)."""
    structures = [
        {**s, "commune_nom": s.get("commune_nom") or noms.get(s["commune"], s["commune"])}
        for s in selectors.structures_pour_carte(code, date)
        if not s.get("voisine")
    ]
    return sorted(structures, key=lambda s: (cle_texte(s["nom"]), s["id"]))


@login_required
@creation_unique
def simulation(request, code):
    dep = departement_par_code(code)
    code = dep.code
    exiger(request.user, "diagnostic.simuler", dep)
    communes = selectors.communes_pour_choix(code)
    noms = dict(communes)
    scenario = None
    identifiant = request.POST.get("scenario") or request.GET.get("scenario")
    if identifiant:
        scenario = selectors.scenario_du_departement(code, identifiant)
        if scenario is None:
            raise Http404("Scénario inconnu.")
    if request.method == "POST":
        date, _ = lire_date(request.POST.get("date"))
    elif scenario is not None:
        date = scenario.date_reference
    else:
        date, _ = lire_date(request.GET.get("date"))
    date = date or horloge.aujourdhui()
    structures = _structures_fermables(code, date, noms)
    # Editing a saved scenario: the form carries its version (a new one has none).
    version = scenario.version if scenario is not None else None
    simulation_ = None
    erreurs = []
    if request.method == "POST":
        form = SimulationForm(request.POST, structures=structures, version=version)
        formset = AjoutFormSet(request.POST, prefix="ajout", communes=communes)
        if form.is_valid() and formset.is_valid():
            ajouts, fermetures = formset.ajouts(), form.ids_fermetures()
            if request.POST.get("action") == "enregistrer":
                if not form.cleaned_data["nom"]:
                    form.add_error("nom", "Donnez un nom au scénario pour l'enregistrer.")
                else:
                    try:
                        enregistre = services.scenario_enregistrer(
                            par=request.user,
                            departement=dep,
                            nom=form.cleaned_data["nom"],
                            description=form.cleaned_data["description"],
                            date_reference=form.cleaned_data["date"],
                            ajouts=ajouts,
                            fermetures=fermetures,
                            partage=form.cleaned_data["partage"],
                            scenario=scenario,
                            version=form.version_lue,
                        )
                    except ValidationError as erreur:
                        ajouter_erreurs_du_service(form, erreur)
                    else:
                        return redirect("diagnostic:scenario", pk=enregistre.pk)
            if not form.errors:
                try:
                    # The same checks as saving and the API: positions inside their commune, types, communes.
                    preparation = services.preparer_simulation(departement=code, ajouts=ajouts, fermetures=fermetures)
                    simulation_ = selectors.simuler(
                        code,
                        form.cleaned_data["date"],
                        ajouts=preparation.ajouts,
                        fermetures=preparation.fermetures,
                    )
                except ValidationError as erreur:
                    ajouter_erreurs_du_service(form, erreur)
                except ValueError as erreur:
                    erreurs.append(str(erreur))
    else:
        initial = {"date": date}
        ajouts_initiaux = []
        if scenario is not None:
            initial.update(
                nom=scenario.nom,
                description=scenario.description,
                partage=scenario.partage,
                fermetures=[str(i) for i in selectors.fermetures_du_scenario(scenario)],
            )
            ajouts_initiaux = scenario.ajouts
        form = SimulationForm(initial=initial, structures=structures, version=version)
        formset = AjoutFormSet(prefix="ajout", communes=communes, initial=ajouts_initiaux)
    contexte = {
        "departement": dep,
        "date": date,
        "form": form,
        "formset": formset,
        "scenario": scenario,
        "simulation": simulation_,
        "erreurs": erreurs,
        "date_carte": date,
        **_tuiles(),
    }
    if simulation_ is not None:
        contexte.update(_contexte_simulation(simulation_, structures, formset.ajouts(), form.ids_fermetures()))
    else:
        resultat = selectors.diagnostic_departement(code, date)
        contexte["donnees_carte"] = presentation.donnees_carte(resultat, "couverture", {}, [], structures)
        contexte["synthese"] = resultat.synthese
        contexte["parametres"] = resultat.parametres
    status = 400 if (request.method == "POST" and (form.errors or formset.total_error_count() or erreurs)) else 200
    return render(request, "diagnostic/simulation.html", contexte, status=status)


def _contexte_simulation(simulation_, structures, ajouts, fermetures) -> dict:
    fermees = set(fermetures)
    restantes = [s for s in structures if s["id"] not in fermees]
    return {
        "ecarts": _ecarts(simulation_.ecarts),
        "classement": simulation_.classement,
        "prioritaires_apres": presentation.prioritaires(simulation_.apres)[:20],
        "donnees_carte": presentation.donnees_carte(simulation_.apres, "couverture", {}, [], restantes, ajouts=ajouts),
        "synthese": simulation_.apres.synthese,
        "parametres": simulation_.apres.parametres,
        "sources": simulation_.sources,
    }


def _scenarios_visibles(user, code):
    return [s for s in selectors.scenarios_du_departement(code) if peut(user, "scenario.voir", s)]


@login_required
def scenarios(request, code):
    dep = departement_par_code(code)
    code = dep.code
    peut_simuler = peut(request.user, "diagnostic.simuler", dep)
    if not peut_simuler and not dans_perimetre(request.user, dep):
        raise PermissionDenied("Vous n'avez pas accès aux scénarios de ce département.")
    return render(
        request,
        "diagnostic/scenarios.html",
        {"departement": dep, "scenarios": _scenarios_visibles(request.user, code), "peut_simuler": peut_simuler},
    )


def _scenario(request, pk) -> Scenario:
    scenario = selectors.scenario_detaille(pk)
    if scenario is None:
        raise Http404("Scénario inconnu.")
    exiger(request.user, "scenario.voir", scenario)
    return scenario


def _simulation_du_scenario(scenario):
    fermetures = selectors.fermetures_du_scenario(scenario)
    return selectors.simuler(
        scenario.departement_id, scenario.date_reference, ajouts=list(scenario.ajouts), fermetures=fermetures
    ), fermetures


@login_required
def scenario(request, pk):
    scenario = _scenario(request, pk)
    code = scenario.departement_id
    try:
        simulation_, fermetures = _simulation_du_scenario(scenario)
    except ValueError as erreur:
        # Data changed since the scenario was saved (a commune or structure left the département).
        return render(
            request,
            "diagnostic/scenario_invalide.html",
            {"departement": scenario.departement, "scenario": scenario, "erreur": str(erreur)},
            status=409,
        )
    noms = {c.code: c.nom for c in simulation_.avant.communes}
    structures = _structures_fermables(code, scenario.date_reference, noms)
    contexte = {
        "departement": scenario.departement,
        "scenario": scenario,
        "peut_modifier": peut(request.user, "diagnostic.simuler", scenario.departement),
        "fermees": [s for s in structures if s["id"] in set(fermetures)],
        "ajouts": [{**a, "commune_nom": noms.get(a.get("commune"), a.get("commune"))} for a in scenario.ajouts],
        "date_carte": scenario.date_reference,
        **_contexte_simulation(simulation_, structures, scenario.ajouts, fermetures),
        **_tuiles(),
    }
    return render(request, "diagnostic/scenario.html", contexte)


@login_required
def scenario_export(request, pk):
    scenario = _scenario(request, pk)
    format_ = request.GET.get("format", "csv")
    if format_ not in ("csv", "xlsx"):
        return HttpResponse(
            "Format inconnu : choisissez csv ou xlsx.", status=400, content_type="text/plain; charset=utf-8"
        )
    simulation_, _ = _simulation_du_scenario(scenario)
    nom = f"scenario-{scenario.pk}-{scenario.departement_id}-{scenario.date_reference.isoformat()}"
    ecarts = exports.tableau_ecarts(simulation_.ecarts)
    if format_ == "csv":
        return _fichier(exports.en_csv(*ecarts), format_, nom)
    feuilles = [
        ("Synthèse avant-après", *ecarts),
        ("Sources", *exports.tableau_sources(simulation_.sources, date=scenario.date_reference)),
        ("Classement", *exports.tableau_classement(simulation_.classement)),
        ("Communes après", *exports.tableau_communes(simulation_.apres)),
        ("Communes avant", *exports.tableau_communes(simulation_.avant)),
        (
            "Hypothèses",
            ["Nom", "Type", "Commune", "Longitude", "Latitude"],
            [
                [
                    a.get("nom"),
                    exports.LIBELLES_TYPES.get(a.get("type"), a.get("type")),
                    a.get("commune"),
                    a.get("longitude"),
                    a.get("latitude"),
                ]
                for a in scenario.ajouts
            ],
        ),
    ]
    return _fichier(exports.en_xlsx(feuilles), format_, nom)


@login_required
@require_POST
def scenario_supprimer(request, pk):
    scenario = _scenario(request, pk)
    exiger(request.user, "diagnostic.simuler", scenario.departement)
    code = scenario.departement_id
    services.scenario_supprimer(par=request.user, scenario=scenario)
    return redirect("diagnostic:scenarios", code=code)
