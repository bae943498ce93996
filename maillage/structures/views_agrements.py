"""Pages of the agréments: a structure's history (add, modify, decide) and the renewal follow-up board.

For the Caf's steering staff: `structure.gerer` on the structure (pilote of its département, admin),
`departement.gerer` for the board; anyone else gets a 403. The assessment and the instruction comment
are shown only to `structure.voir_prive` holders (implied here, checked anyway).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode

from maillage.core import horloge
from maillage.core.formulaires import ajouter_erreurs_du_service, creation_unique
from maillage.core.permissions import exiger, peut
from maillage.territoires.selectors import departement_par_code

from . import exports_agrements, regles, selectors_agrements, services_agrements
from .forms_agrements import AgrementForm, DecisionForm, FiltreRenouvellementsForm, ParametresAgrementsForm
from .models import Agrement, Structure, TypeAgrement


def _structure_geree(user, pk) -> Structure:
    structure = get_object_or_404(Structure.objects.select_related("commune", "departement"), pk=pk)
    exiger(user, "structure.gerer", structure)
    return structure


def _avertir(request, agrement: Agrement) -> None:
    for avertissement in getattr(agrement, "avertissements", ()):
        messages.warning(request, avertissement)


def _contexte_transition(structure: Structure) -> dict:
    """The département's transition rule, shown on the agrément forms (labelled as the département's choice)."""
    parametres = selectors_agrements.parametres_agrements(structure.departement)
    return {
        "transition_acf": parametres.transition_acf,
        "transition_acf_libelle": parametres.get_transition_acf_display(),
        "date_reforme": regles.DATE_REFORME,
    }


def _agrement_gere(user, pk) -> Agrement:
    agrement = get_object_or_404(
        Agrement.objects.select_related("structure", "structure__commune", "structure__departement"), pk=pk
    )
    exiger(user, "structure.gerer", agrement.structure)
    return agrement


@login_required
def agrements(request, pk):
    structure = _structure_geree(request.user, pk)
    voir_prive = peut(request.user, "structure.voir_prive", structure)
    lignes = []
    for agrement in selectors_agrements.agrements_de_structure(structure):
        evaluations = selectors_agrements.evaluations_lisibles(agrement) if voir_prive else []
        lignes.append(
            {
                "agrement": agrement,
                "evaluations": evaluations,
                "instruite": voir_prive and (bool(agrement.commentaire) or any(e["evaluation"] for e in evaluations)),
                "decidable": agrement.statut != Agrement.Statut.EXPIRE,
            }
        )
    contexte = {
        "structure": structure,
        "lignes": lignes,
        "voir_prive": voir_prive,
        "referentiels": regles.REFERENTIELS.values(),
    }
    return render(request, "structures/agrements/liste.html", contexte)


@login_required
@creation_unique
def agrement_ajouter(request, pk):
    structure = _structure_geree(request.user, pk)
    form = AgrementForm(request.POST or None, structure=structure)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            agrement = services_agrements.agrement_creer(
                par=request.user,
                structure=structure,
                type=d["type"],
                debut=d["debut"],
                fin=d["fin"],
                statut=d["statut"],
                date_decision=d["date_decision"],
                instance=d["instance"],
                commentaire=d["commentaire"],
                evaluations=form.evaluations(),
            )
        except ValidationError as erreur:
            ajouter_erreurs_du_service(form, erreur)
        else:
            messages.success(request, "L'agrément est enregistré.")
            _avertir(request, agrement)
            return redirect("structures:agrements", pk=structure.pk)
    contexte = {"form": form, "structure": structure, **_contexte_transition(structure)}
    return render(request, "structures/agrements/formulaire.html", contexte)


@login_required
def agrement_modifier(request, pk):
    agrement = _agrement_gere(request.user, pk)
    structure = agrement.structure
    form = AgrementForm(
        request.POST or None,
        structure=structure,
        agrement=agrement,
        initial=AgrementForm.initial_pour(agrement),
        version=agrement.version,
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services_agrements.agrement_modifier(
                par=request.user,
                agrement=agrement,
                version=form.version_lue,
                type=d["type"],
                debut=d["debut"],
                fin=d["fin"],
                date_decision=d["date_decision"],
                instance=d["instance"],
                commentaire=d["commentaire"],
            )
        except ValidationError as erreur:
            # The service may have changed the instance before refusing: show the stored values again.
            agrement.refresh_from_db()
            ajouter_erreurs_du_service(form, erreur)
        else:
            messages.success(request, "L'agrément est modifié.")
            _avertir(request, agrement)
            return redirect("structures:agrements", pk=structure.pk)
    contexte = {"form": form, "structure": structure, "agrement": agrement, **_contexte_transition(structure)}
    return render(request, "structures/agrements/formulaire.html", contexte)


@login_required
def agrement_decider(request, pk):
    agrement = _agrement_gere(request.user, pk)
    structure = agrement.structure
    if agrement.statut == Agrement.Statut.EXPIRE:
        messages.error(request, "Cet agrément a expiré : sa décision ne peut plus être modifiée.")
        return redirect("structures:agrements", pk=structure.pk)
    form = DecisionForm(request.POST or None, agrement=agrement, version=agrement.version)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services_agrements.agrement_decider(
                par=request.user,
                agrement=agrement,
                version=form.version_lue,
                statut=d["statut"],
                date_decision=d["date_decision"],
                evaluations=form.evaluations(),
                commentaire=d["commentaire"],
                instance=d["instance"],
            )
        except ValidationError as erreur:
            agrement.refresh_from_db()
            ajouter_erreurs_du_service(form, erreur)
        else:
            messages.success(request, f"Décision enregistrée : agrément {agrement.get_statut_display().lower()}.")
            _avertir(request, agrement)
            return redirect("structures:agrements", pk=structure.pk)
    contexte = {"form": form, "structure": structure, "agrement": agrement}
    return render(request, "structures/agrements/decider.html", contexte)


def _tableau(request, code):
    """The board's département, filter form, date and rows (shared by the page and its export)."""
    departement = departement_par_code(code)
    exiger(request.user, "departement.gerer", departement)
    communes = list(selectors_agrements.communes_avec_structures(departement.code))
    donnees = {k: v for k, v in request.GET.items() if k in FiltreRenouvellementsForm.base_fields}
    filtre = FiltreRenouvellementsForm(donnees or None, communes=communes)
    criteres = filtre.cleaned_data if filtre.is_bound and filtre.is_valid() else {}
    aujourd_hui = criteres.get("date") or horloge.aujourdhui()
    lignes = selectors_agrements.tableau_renouvellements(
        departement.code,
        aujourd_hui=aujourd_hui,
        type=criteres.get("type") or "",
        commune=criteres.get("commune") or "",
    )
    return departement, filtre, aujourd_hui, lignes


@login_required
def renouvellements(request, code):
    departement, filtre, aujourd_hui, lignes = _tableau(request, code)
    contexte = {
        "departement": departement,
        "filtre": filtre,
        "lignes": lignes,
        "aujourd_hui": aujourd_hui,
        "limite": regles.ajouter_mois(aujourd_hui, regles.MOIS_ALERTE),
        "jalons": regles.JALONS,
        "en_retard": sum(1 for ligne in lignes if ligne.retards),
        "types": dict(TypeAgrement.choices),
        "filtres_export": urlencode(filtre.data) if filtre.is_bound and filtre.is_valid() else "",
    }
    return render(request, "structures/agrements/renouvellements.html", contexte)


@login_required
def renouvellements_export(request, code):
    """The board as CSV or XLSX (`format`), for people or with the codes (`variante=codes`), same filters."""
    format = request.GET.get("format") or "csv"
    if format not in exports_agrements.FORMATS:
        return HttpResponseBadRequest(
            f"Format inconnu « {format} » : formats possibles {', '.join(exports_agrements.FORMATS)}.".encode(),
            content_type="text/plain; charset=utf-8",
        )
    variante = request.GET.get("variante") or "personnes"
    if variante not in exports_agrements.VARIANTES:
        return HttpResponseBadRequest(
            f"Variante inconnue « {variante} » : variantes possibles "
            f"{', '.join(exports_agrements.VARIANTES)}.".encode(),
            content_type="text/plain; charset=utf-8",
        )
    departement, filtre, aujourd_hui, lignes = _tableau(request, code)
    if filtre.is_bound and not filtre.is_valid():
        erreurs = " ; ".join(
            f"{filtre.fields[champ].label if champ in filtre.fields else champ} : {' '.join(e)}"
            for champ, e in filtre.errors.items()
        )
        return HttpResponseBadRequest(
            f"Filtres invalides : {erreurs}".encode(), content_type="text/plain; charset=utf-8"
        )
    contenu = exports_agrements.exporter(lignes, format=format, variante=variante)
    nom = "-".join(
        ["renouvellements", departement.code, aujourd_hui.isoformat()] + (["codes"] if variante == "codes" else [])
    )
    reponse = HttpResponse(contenu, content_type=exports_agrements.TYPES_CONTENU[format])
    reponse["Content-Disposition"] = f'attachment; filename="{nom}.{format}"'
    return reponse


@login_required
def regles_transition(request, code):
    """The département's transition rules on agréments (2027 reform): read and set by its pilote or an admin."""
    departement = departement_par_code(code)
    exiger(request.user, "departement.gerer", departement)
    parametres = selectors_agrements.parametres_agrements(departement)
    form = ParametresAgrementsForm(
        request.POST or None,
        initial={"transition_acf": parametres.transition_acf},
        version=parametres.version if parametres.pk else 0,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services_agrements.parametres_agrements_modifier(
                par=request.user,
                departement=departement,
                transition_acf=form.cleaned_data["transition_acf"],
                version=form.version_lue,
            )
        except ValidationError as erreur:
            ajouter_erreurs_du_service(form, erreur)
        else:
            messages.success(request, "La règle de transition du département est enregistrée.")
            return redirect("structures:agrements_regles", code=departement.code)
    contexte = {
        "departement": departement,
        "form": form,
        "parametres": parametres,
        "date_reforme": regles.DATE_REFORME,
    }
    return render(request, "structures/agrements/regles_transition.html", contexte)
