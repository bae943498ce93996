import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from maillage.core.formulaires import ajouter_erreurs_du_service
from maillage.core.permissions import exiger, peut
from maillage.structures.models import ModeGestion, Structure, TypeStructure
from maillage.territoires import perimetres
from maillage.territoires.models import Regroupement
from maillage.territoires.selectors import departement_par_code

from . import graphiques, selectors, services
from .forms import BudgetForm
from .models import Budget, Financeur
from .phrase import phrase_departement

ANNEE_MIN, ANNEE_MAX = services.ANNEE_MIN, services.ANNEE_MAX


def _annee_valide(annee: int) -> int:
    if not ANNEE_MIN <= annee <= ANNEE_MAX:
        raise Http404("Année hors limites.")
    return annee


# --- Barème ------------------------------------------------------------------------------------


@login_required
def bareme(request):
    exiger(request.user, "bareme.voir")
    return render(
        request,
        "financements/bareme.html",
        {
            "annees": selectors.bareme_par_annee(),
            # Editing the barème stays in the Django admin, for administrators.
            "peut_modifier": request.user.is_staff and request.user.has_perm("financements.change_baremeps"),
        },
    )


# --- Budgets of one structure --------------------------------------------------------------------


def _structure(request, pk: int) -> Structure:
    structure = get_object_or_404(Structure.objects.select_related("commune", "departement", "gestionnaire"), pk=pk)
    exiger(request.user, "structure.voir_budgets", structure)
    return structure


@login_required
def budgets(request, pk):
    structure = _structure(request, pk)
    return render(
        request,
        "financements/budgets.html",
        {
            "structure": structure,
            "annees": selectors.budgets_de_la_structure(structure),
            "peut_gerer": peut(request.user, "structure.gerer", structure),
            "natures": Budget.Nature,
        },
    )


def _initial(budget: Budget | None) -> dict:
    if budget is None:
        return {}
    initial = {
        "charges_totales": budget.charges_totales,
        "charges_pilotage": budget.charges_pilotage,
        "charges_logistique": budget.charges_logistique,
        "charges_referent_familles": budget.charges_referent_familles,
        "commentaire": budget.commentaire,
    }
    for ligne in budget.produits.all():
        cle = f"ps_{ligne.type_ps_id}" if ligne.financeur == Financeur.CAF_PS else f"produit_{ligne.financeur}"
        initial[cle] = ligne.montant
    return {cle: (str(v).replace(".", ",") if not isinstance(v, str) else v) for cle, v in initial.items()}


@login_required
def budget(request, pk, annee, nature):
    structure = _structure(request, pk)
    annee = _annee_valide(annee)
    if nature not in Budget.Nature.values:
        raise Http404("Nature de budget inconnue.")
    peut_gerer = peut(request.user, "structure.gerer", structure)
    existant = selectors.budget_ou_none(structure, annee, nature)
    types_ps = list(selectors.types_ps_de_l_annee(annee, type_structure=structure.type))
    if existant is not None:
        # A PS recorded under a type no longer offered that year stays visible (the service then says why).
        codes = {t.code for t in types_ps}
        types_ps += [p.type_ps for p in existant.produits.all() if p.type_ps_id and p.type_ps_id not in codes]
    version = existant.version if existant is not None else 0  # 0: no budget yet when the form was opened
    if request.method == "POST":
        if not peut_gerer:
            raise PermissionDenied("Vous ne pouvez pas modifier ce budget.")
        form = BudgetForm(request.POST, types_ps=types_ps, version=version)
        if form.is_valid():
            try:
                services.budget_enregistrer(
                    par=request.user,
                    structure=structure,
                    annee=annee,
                    nature=nature,
                    version=form.version_lue,
                    **form.arguments_service(),
                )
            except ValidationError as erreur:
                ajouter_erreurs_du_service(form, erreur)
            else:
                messages.success(request, "Le budget a été enregistré.")
                return redirect("financements:budget", pk=structure.pk, annee=annee, nature=nature)
    else:
        form = BudgetForm(initial=_initial(existant), types_ps=types_ps, version=version)
    calcul = None
    if existant is not None:
        calcul = selectors.calcul_ps(
            structure=structure,
            annee=annee,
            charges=selectors.charges_du_budget(existant),
            enregistres=selectors.ps_enregistrees(existant),
        )
    return render(
        request,
        "financements/budget.html",
        {
            "structure": structure,
            "annee": annee,
            "nature": nature,
            "libelle_nature": Budget.Nature(nature).label,
            "budget": existant,
            "form": form,
            "peut_gerer": peut_gerer,
            "calcul": calcul,
            "autre_nature": Budget.Nature.REALISE
            if nature == Budget.Nature.PREVISIONNEL
            else Budget.Nature.PREVISIONNEL,
        },
    )


# --- Departmental dashboard ----------------------------------------------------------------------


def tableau_de_bord_departement(request, code):
    """The dashboard without a year: the year chosen in the selector (?annee=), else the latest with budgets."""
    dep = departement_par_code(code)
    annee = request.GET.get("annee", "").strip()
    if annee:
        if not annee.isdigit() or not ANNEE_MIN <= int(annee) <= ANNEE_MAX:
            raise Http404("Année invalide.")
        annee = int(annee)
    else:
        annee = selectors.annee_par_defaut(dep.code)
    # The territory and the cut chosen beside the year stay in the address (checked by the dashboard itself).
    suite = {
        nom: request.GET[nom].strip()[:120] for nom in ("perimetre", "decoupage") if request.GET.get(nom, "").strip()
    }
    url = reverse("financements:tableau_de_bord", kwargs={"code": dep.code, "annee": annee})
    return redirect(f"{url}?{urlencode(suite)}" if suite else url)


def tableau_de_bord(request, code, annee):
    """The dashboard of a year, for the whole département or one périmètre (`?perimetre=ept:200057941`), with the
    figures per périmètre of a cut (`?decoupage=ept`): both in the URL, so that a filtered view can be shared."""
    dep = departement_par_code(code)
    annee = _annee_valide(annee)
    voir_finances = peut(request.user, "departement.voir_finances", dep.code)
    valeur = request.GET.get("perimetre", "").strip()
    decoupe_le = selectors.date_decoupage(annee)
    perimetre = perimetres.perimetre_lu(dep.code, valeur, date=decoupe_le) if valeur else None
    demande = request.GET.get("decoupage", "").strip()
    cle_decoupage = demande if perimetres.decoupage(demande) else ""
    ignores = []
    if valeur and perimetre is None:
        ignores.append(
            f"Territoire « {valeur[:80]} » inconnu dans ce département au {decoupe_le:%d/%m/%Y} : filtre ignoré, "
            "chiffres de tout le département."
        )
    if demande and not cle_decoupage:
        ignores.append(f"Découpage « {demande[:40]} » inconnu : découpage par défaut.")
    # Structures, budgets, the barème and the territorial cuts change only through audited edits and journaled
    # imports: the content is rendered once per data version, view (with or without the per-structure finances),
    # périmètre and cut.
    filtre = hashlib.sha256(f"{perimetre.valeur if perimetre else ''}|{cle_decoupage}".encode()).hexdigest()[:16]
    cle = (
        f"financements:tableau_de_bord:{dep.code}:{annee}:{int(voir_finances)}:{filtre}:"
        f"{selectors.version_financements()}"
    )
    corps = cache.get(cle)
    if corps is None:
        contexte = _contexte_tableau(dep, annee, voir_finances, perimetre=perimetre, cle_decoupage=cle_decoupage)
        corps = render_to_string("financements/_tableau_de_bord.html", contexte)
        cache.set(cle, corps, selectors.DUREE_CACHE)
    return render(
        request,
        "financements/tableau_de_bord.html",
        {"departement": dep, "annee": annee, "corps": corps, "perimetre": perimetre, "ignores": ignores},
    )


def _decoupage_par_defaut(disponibles) -> str | None:
    """EPT where the Métropole du Grand Paris has them (its single EPCI says little), else EPCI, else the first."""
    for cle in (Regroupement.Type.EPT, perimetres.EPCI_CLE):
        if cle in disponibles:
            return cle
    return next(iter(disponibles), None)


def _contexte_tableau(dep, annee: int, voir_finances: bool, *, perimetre=None, cle_decoupage: str = "") -> dict:
    date = selectors.date_decoupage(annee)
    choix = perimetres.perimetres_du_departement(dep.code, date=date)
    disponibles = {d.cle: (d, liste) for d, liste in choix}
    communes = perimetres.communes_du_perimetre(dep.code, perimetre, date=date) if perimetre else None
    c = selectors.consolidation(annee=annee, departement=dep.code, communes=communes)
    # A périmètre's money that is one structure's finances: only for those who may see the per-structure finances.
    secret = perimetre is not None and not voir_finances and selectors.montants_secrets(c.total_budgets_renseignes)
    choisi = cle_decoupage if cle_decoupage in disponibles else _decoupage_par_defaut(disponibles)
    tableau, lignes_territoires, hors_secret = None, [], False
    if choisi:
        decoupage, tous = disponibles[choisi]
        tableau = selectors.par_territoire(
            annee, departement=dep.code, decoupage=decoupage, tous=tous, communes=communes
        )
        budgets = [v["budgets"] for _, v in tableau.lignes] + [tableau.hors.get("budgets", 0)]
        masques = [False] * len(budgets) if voir_finances else selectors.lignes_secretes(budgets)
        lignes_territoires = [(p, v, masque) for (p, v), masque in zip(tableau.lignes, masques, strict=False)]
        hors_secret = masques[-1]
    organisme = settings.MAILLAGE_PLATEFORME["organisme"]
    phrase = phrase_departement(
        nom=dep.nom,
        code=dep.code,
        type_nom=selectors.type_nom_departement(dep),
        annee=annee,
        centres_sociaux=c.centres_sociaux,
        evs=c.evs,
        budget_total=0 if secret else c.budget_total,
        budget_evs=0 if secret else c.budget_evs,
        organisme=organisme,
        financement_caf=0 if secret else c.financement_caf,
        sujet=f"Le territoire {perimetre.nom} ({perimetres.LIBELLES_COURTS[perimetre.decoupage]})"
        if perimetre
        else None,
    )
    couleur = settings.MAILLAGE_PLATEFORME.get("couleur_primaire", "#0b5c8a")
    financeurs = [f for f in c.financeurs() if f[2]]
    # PS by type in the barème's order (one query), then any type no longer in the barème of the year.
    types_ps = list(selectors.types_ps_de_l_annee(annee)) if c.ps_par_type else []
    ps = dict(c.ps_par_type)
    caf = [(f"PS {t.libelle}", ps.pop(t.code)) for t in types_ps if t.code in ps]
    caf += [(f"PS {code}", montant) for code, montant in sorted(ps.items())]
    caf.append(("Fonds locaux", c.fonds_locaux))
    modes_cs = c.modes(TypeStructure.CENTRE_SOCIAL)
    graphes = {
        "budgets": graphiques.barres(
            "graphe-budgets",
            f"Budgets réalisés {annee} par type de structure",
            [("Centres sociaux", c.budget_cs), ("Espaces de vie sociale", c.budget_evs)],
            couleur=couleur,
        ),
        "financeurs": graphiques.barres(
            "graphe-financeurs", f"Produits {annee} par financeur", [(f[1], f[2]) for f in financeurs], couleur=couleur
        ),
        "caf": graphiques.barres("graphe-caf", f"Financement de la Caf en {annee}", caf, couleur=couleur),
        "modes": graphiques.barres(
            "graphe-modes",
            "Centres sociaux par mode de gestion",
            [(libelle, nombre) for _, libelle, nombre in modes_cs],
            couleur=couleur,
            en_euros=False,
        ),
    }
    annees = selectors.annees_disponibles(dep.code)
    if annee not in annees:
        annees = sorted([*annees, annee], reverse=True)
    return {
        "departement": dep,
        "annee": annee,
        "annees": annees,
        "perimetres": choix,
        "decoupe_le": date,
        "perimetre": perimetre,
        "secret": secret,
        "tableau": tableau,
        "lignes_territoires": lignes_territoires,
        "hors_secret": hors_secret,
        "decoupages": [d for d, _ in choix],
        "decoupage_absent": cle_decoupage if cle_decoupage and cle_decoupage not in disponibles else "",
        "libelle_decoupage_absent": perimetres.LIBELLES.get(cle_decoupage, ""),
        "c": c,
        "phrase": phrase,
        "organisme": organisme,
        "financeurs": financeurs,
        "caf": caf,
        "modes_cs": modes_cs,
        "modes_evs": c.modes(TypeStructure.EVS),
        "associatif": ModeGestion.ASSOCIATIVE,
        "graphes": {cle: mark_safe(svg) for cle, svg in graphes.items()},  # built with html.escape
        "voir_finances": voir_finances,
        "structures": list(selectors.structures_avec_finances(annee, departement=dep.code, communes=communes))
        if voir_finances
        else None,
    }
