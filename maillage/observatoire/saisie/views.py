"""Answering pages: a département's campaigns (creation, modification, publication), a structure's questionnaires,
section by section.

Views stay thin: they check the permission (`exiger`), read the posted section (`forms.lire_section`), call
the services (`reponse_enregistrer`, `reponse_prefill`, `reponse_soumettre`, `campagne_creer`, `campagne_modifier`,
`campagne_publier`, `campagne_depublier`) and render.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from maillage.comptes.models import Role
from maillage.core import horloge
from maillage.core.formulaires import ajouter_erreurs_du_service, creation_unique
from maillage.core.permissions import exiger, peut
from maillage.territoires.selectors import departement_par_code

from .. import calendrier, regles, selectors, services
from ..models import Campagne, Reponse, Statut
from . import presentation as presentation_saisie
from .forms import CampagneForm, CampagneModifierForm, lire_section

# --- Campaigns --------------------------------------------------------------------------------------------


@login_required
def campagnes(request, code):
    departement = departement_par_code(code)
    exiger(request.user, "departement.voir_pilotage", departement)
    aujourd_hui = horloge.aujourdhui()
    liste = list(selectors.campagnes_du_departement(departement))
    for campagne in liste:
        campagne.url_suivi = reverse("observatoire:suivi", args=[campagne.pk])
        campagne.phase = calendrier.phase_pour(campagne, aujourd_hui)
        campagne.libelle_phase = calendrier.LIBELLES_PHASES[campagne.phase]
    return render(
        request,
        "observatoire/saisie/campagnes.html",
        {
            "departement": departement,
            "campagnes": liste,
            "statuts": list(Statut),
            # One département per page: the rule is decided once, not per row.
            "peut_creer": peut(request.user, "campagne.gerer", departement),
        },
    )


@login_required
@creation_unique
def campagne_creer(request, code):
    departement = departement_par_code(code)
    exiger(request.user, "campagne.gerer", departement)
    form = CampagneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        donnees = form.cleaned_data
        seuil = {"seuil_evolution": donnees["seuil_evolution"]} if donnees["seuil_evolution"] is not None else {}
        try:
            campagne = services.campagne_creer(
                par=request.user,
                departement=departement,
                annee=donnees["annee"],
                questionnaire=donnees["questionnaire"],
                bloc_thematique=donnees["bloc_thematique"],
                ouverture=donnees["ouverture"],
                date_limite_reponse=donnees["date_limite_reponse"],
                date_limite_relecture=donnees["date_limite_relecture"],
                federation_relit=donnees["federation_relit"],
                population=donnees["population"] or Campagne.Population.CS_EVS,
                **seuil,
            )
        except ValidationError as e:
            ajouter_erreurs_du_service(form, e)
        else:
            messages.success(
                request,
                _campagne_ouverte(campagne.annee, campagne.reponses.count()),
            )
            return redirect("observatoire:campagnes", code=departement.code)
    return render(request, "observatoire/saisie/campagne_creer.html", {"departement": departement, "form": form})


def _campagne_ouverte(annee, attendues: int) -> str:
    if attendues == 0:
        return f"Campagne {annee} ouverte : aucune structure n'est attendue."
    if attendues == 1:
        return f"Campagne {annee} ouverte : 1 structure est attendue."
    return f"Campagne {annee} ouverte : {attendues} structures sont attendues."


def _campagne_geree(request, pk) -> Campagne:
    campagne = get_object_or_404(
        Campagne.objects.select_related("departement", "questionnaire", "bloc_thematique"), pk=pk
    )
    exiger(request.user, "campagne.gerer", campagne)
    return campagne


def _date(jour) -> str:
    return jour.strftime("%d/%m/%Y")


@login_required
def campagne_modifier(request, pk):
    """Change a campaign's dates and settings (not its year nor its questionnaire)."""
    campagne = _campagne_geree(request, pk)
    form = CampagneModifierForm(request.POST or None, campagne=campagne)
    if request.method == "POST" and form.is_valid():
        donnees = form.cleaned_data
        try:
            campagne = services.campagne_modifier(
                par=request.user,
                campagne=campagne,
                ouverture=donnees["ouverture"],
                date_limite_reponse=donnees["date_limite_reponse"],
                date_limite_relecture=donnees["date_limite_relecture"],
                federation_relit=donnees["federation_relit"],
                seuil_evolution=donnees["seuil_evolution"],
                version=form.version_lue,
            )
        except ValidationError as e:
            ajouter_erreurs_du_service(form, e)
        else:
            phase = calendrier.LIBELLES_PHASES[calendrier.phase_pour(campagne, horloge.aujourdhui())]
            messages.success(
                request,
                f"Campagne {campagne.annee} modifiée ({phase}) : réponses attendues du"
                f" {_date(campagne.ouverture)} au {_date(campagne.date_limite_reponse)}, acceptées en retard"
                f" jusqu'au {_date(campagne.date_limite_relecture)}.",
            )
            return redirect("observatoire:campagnes", code=campagne.departement_id)
    phase = calendrier.phase_pour(campagne, horloge.aujourdhui())
    return render(
        request,
        "observatoire/saisie/campagne_modifier.html",
        {
            "campagne": campagne,
            "departement": campagne.departement,
            "form": form,
            "libelle_phase": calendrier.LIBELLES_PHASES[phase],
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def campagne_publication(request, pk):
    """Publish a campaign's results, or withdraw them (`action` = publier | retirer)."""
    campagne = _campagne_geree(request, pk)
    action = request.POST.get("action")
    if action not in {"publier", "retirer"}:
        return HttpResponseBadRequest("Action inconnue : choisissez « publier » ou « retirer ».")
    try:
        if action == "publier":
            services.campagne_publier(par=request.user, campagne=campagne)
        else:
            services.campagne_depublier(par=request.user, campagne=campagne)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        if action == "publier":
            messages.success(
                request,
                f"Les résultats de la campagne {campagne.annee} sont publiés : la synthèse, les rapports et l'API"
                " sont désormais publics.",
            )
        else:
            messages.success(
                request,
                f"La publication de la campagne {campagne.annee} est retirée : la synthèse est de nouveau réservée"
                " à la Caf et aux partenaires du département.",
            )
    return redirect("observatoire:campagnes", code=campagne.departement_id)


# --- Answers ----------------------------------------------------------------------------------------------


def _reponse(request, pk) -> Reponse:
    reponse = get_object_or_404(
        Reponse.objects.select_related(
            "campagne__questionnaire", "campagne__bloc_thematique", "campagne__departement", "structure"
        ),
        pk=pk,
    )
    exiger(request.user, "reponse.voir", reponse)
    return reponse


@login_required
def mes_reponses(request):
    structure = request.user.structure if request.user.role == Role.STRUCTURE else None
    reponses = []
    if structure is not None:
        reponses = list(selectors.reponses_de_la_structure(structure).select_related("campagne__departement"))
    return render(request, "observatoire/saisie/mes_reponses.html", {"structure": structure, "reponses": reponses})


@login_required
def reponse(request, pk, erreurs_soumission=None):
    reponse = _reponse(request, pk)
    definition = selectors.definition_campagne(reponse.campagne)
    contexte = selectors.contexte_reponse(reponse)
    sections = presentation_saisie.avancement_sections(definition, reponse.valeurs, contexte)
    return render(
        request,
        "observatoire/saisie/reponse.html",
        {
            "reponse": reponse,
            "campagne": reponse.campagne,
            "sections": sections,
            "faites": sum(s["faites"] for s in sections),
            "total": sum(s["total"] for s in sections),
            **_droits_de_saisie(request.user, reponse),
            "en_retard": calendrier.en_retard(
                aujourd_hui=horloge.aujourdhui(), date_limite_reponse=reponse.campagne.date_limite_reponse
            ),
            "erreurs_soumission": erreurs_soumission,
            "renvoi": (selectors.dernier_renvoi(reponse) if reponse.statut == Statut.A_CORRIGER else None),
            "url_relire": reverse("observatoire:relire", args=[reponse.pk])
            if peut(request.user, "reponse.relire", reponse)
            else None,
        },
        status=400 if erreurs_soumission else 200,
    )


def _droits_de_saisie(user, reponse) -> dict:
    """`modifiable` for the templates, and `fermeture`: why the structure may not write today (campaign dates)."""
    modifiable = peut(user, "reponse.modifier", reponse)
    fermeture = calendrier.motif_pour(reponse.campagne, reponse.statut, horloge.aujourdhui()) if modifiable else ""
    return {"modifiable": modifiable and not fermeture, "fermeture": fermeture}


def _rendre_section(request, reponse, section, definition, contexte, *, valeurs, erreurs=None, brutes=None, **extra):
    visibles = regles.questions_visibles(definition, valeurs, contexte)
    prefillees = request.session.get(f"observatoire-prefill-{reponse.pk}", {})
    commentaires = selectors.commentaires_par_question(reponse, [q["code"] for q in section["questions"]])
    # The same consistency rules as the review, on what is stored, beside the questions (they do not stop a save).
    alertes = presentation_saisie.alertes_de_section(definition, section, reponse.valeurs, contexte)
    droits = _droits_de_saisie(request.user, reponse)
    questions = presentation_saisie.questions_affichees(
        section,
        valeurs,
        visibles,
        erreurs or {},
        brutes or {},
        prefillees,
        commentaires,
        alertes=alertes,
        stockees=reponse.valeurs,
        lecture=not droits["modifiable"],
    )
    bloquantes = sum(1 for liste in alertes.values() for a in liste if a.niveau == "erreur")
    contexte_page = {
        "reponse": reponse,
        "campagne": reponse.campagne,
        "section": section,
        "questions": questions,
        "resume_erreurs": presentation_saisie.resume_erreurs(questions),
        **droits,
        "statut_enregistrement": presentation_saisie.statut_enregistrement(
            enregistre_a=extra.get("enregistre_a"),
            conflit=extra.get("conflit"),
            erreurs=sum(1 for vue in questions if vue["erreurs"]),
            bloquantes=bloquantes,
        ),
        "progression": regles.progression(definition, reponse.valeurs, contexte).get(section["code"], (0, 0)),
        **extra,
        **presentation_saisie.sections_voisines(definition, section["code"], valeurs, contexte),
    }
    gabarit = "observatoire/saisie/_section_formulaire.html" if request.htmx else "observatoire/saisie/section.html"
    status = extra.pop("status", None) or 200
    return render(request, gabarit, contexte_page, status=status)


@login_required
def section(request, pk, section):
    reponse = _reponse(request, pk)
    definition = selectors.definition_campagne(reponse.campagne)
    definition_section = definition.sections_par_code.get(section)
    if definition_section is None:
        raise Http404("Section inconnue.")
    contexte = selectors.contexte_reponse(reponse)
    if request.method != "POST":
        return _rendre_section(request, reponse, definition_section, definition, contexte, valeurs=reponse.valeurs)

    exiger(request.user, "reponse.modifier", reponse)
    codes = set(request.POST.getlist("codes"))
    questions = [q for q in definition_section["questions"] if q["code"] in codes]
    lues, erreurs, brutes = lire_section(request.POST, questions)
    # Type and range errors: keep them out of the save, so the other answers are still saved.
    propres, erreurs_types = regles.valider_types(definition, lues)
    for code, liste in erreurs_types.items():
        erreurs.setdefault(code, []).extend(liste)
    a_enregistrer = {code: lues[code] for code in propres if code not in erreurs}
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    conflit = None
    enregistre_a = None
    try:
        reponse = services.reponse_enregistrer(
            par=request.user, reponse=reponse, valeurs=a_enregistrer, version=version
        )
        enregistre_a = timezone.localtime().strftime("%H:%M")
    except ValidationError as e:
        if hasattr(e, "error_dict") and "version" in e.error_dict:
            conflit = e.message_dict["version"][0]
        else:
            for code, liste in e.message_dict.items() if hasattr(e, "error_dict") else [("__all__", e.messages)]:
                erreurs.setdefault(code, []).extend(liste)
    # Shown: what the user typed (never lost), over the stored answers.
    valeurs = {**reponse.valeurs, **{c: v for c, v in lues.items() if v is not None}}
    for code, valeur in lues.items():
        if valeur is None:
            valeurs.pop(code, None)
    if conflit is None and not erreurs and not request.htmx:
        messages.success(request, f"Section enregistrée à {enregistre_a}.")
        if request.POST.get("suite"):
            return redirect("observatoire:section", pk=reponse.pk, section=request.POST["suite"])
        return redirect("observatoire:section", pk=reponse.pk, section=section)
    status = 409 if conflit else (400 if erreurs and not request.htmx else 200)
    return _rendre_section(
        request,
        reponse,
        definition_section,
        definition,
        contexte,
        valeurs=valeurs,
        erreurs=erreurs,
        brutes=brutes,
        conflit=conflit,
        enregistre_a=enregistre_a,
        # After a conflict the form keeps the stale version: later autosaves are refused too until a reload.
        version=version if conflit else reponse.version,
        status=status if not request.htmx else 200,
    )


@login_required
@require_POST
def reponse_prefill(request, pk):
    reponse = _reponse(request, pk)
    exiger(request.user, "reponse.modifier", reponse)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    try:
        reponse, codes = services.reponse_prefill(par=request.user, reponse=reponse, version=version)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect("observatoire:reponse", pk=pk)
    if not codes:
        messages.info(request, "Rien à préremplir : les réponses disponibles sont déjà saisies.")
        return redirect("observatoire:reponse", pk=pk)
    definition = selectors.definition_campagne(reponse.campagne)
    origines = presentation_saisie.origines_prefill(definition, codes)
    # Shown beside each prefilled question, so the structure checks them.
    cle = f"observatoire-prefill-{reponse.pk}"
    request.session[cle] = {**request.session.get(cle, {}), **origines}
    messages.success(
        request,
        "1 réponse préremplie : vérifiez-la, elle est signalée dans sa section."
        if len(codes) == 1
        else f"{len(codes)} réponses préremplies : vérifiez-les, elles sont signalées dans chaque section.",
    )
    return redirect("observatoire:reponse", pk=pk)


@login_required
@require_POST
def reponse_soumettre(request, pk):
    objet = _reponse(request, pk)
    exiger(request.user, "reponse.modifier", objet)
    try:
        services.reponse_soumettre(par=request.user, reponse=objet)
    except ValidationError:
        objet.refresh_from_db()
        definition = selectors.definition_campagne(objet.campagne)
        resultat = selectors.controle(objet, definition=definition)
        liens = presentation_saisie.erreurs_soumission(definition, objet, resultat) or [
            {"message": "La réponse n'a pas pu être soumise."}
        ]
        return reponse(request, pk, erreurs_soumission=liens)
    messages.success(request, "Votre réponse est soumise : la Caf va la relire. Merci !")
    return redirect("observatoire:reponse", pk=pk)
