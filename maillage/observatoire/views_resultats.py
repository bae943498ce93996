"""Results of the observatoire: the département synthesis (printable report), the national sheet, a structure's
portrait, and the report's downloads (PDF, XLSX).

Access: a campaign's aggregates are public once it is published (`Campagne.publiee`); before that only the Caf
staff and partners in scope see them (rule `departement.voir_pilotage`). Individual answers are never public: the
XLSX (one row per structure) needs `departement.voir_finances` (pilote, partenaire in scope), a portrait needs
`reponse.voir` on the structure's answer.
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render

from maillage.comptes.permissions import exiger, peut

from . import rapports, selectors_resultats


def synthese_visible(user, campagne) -> bool:
    return campagne.publiee or peut(user, "departement.voir_pilotage", campagne.departement_id)


def _campagne_visible(request, annee, code):
    campagne = selectors_resultats.campagne_de(annee, code)
    if not synthese_visible(request.user, campagne):
        raise PermissionDenied("Cette synthèse n'est pas encore publiée.")
    return campagne


def synthese(request, code, annee):
    """The département synthesis of a campaign: also the printable departmental report."""
    campagne = _campagne_visible(request, annee, code)
    contexte = rapports.contexte_rapport(campagne)
    contexte["peut_xlsx"] = peut(request.user, "departement.voir_finances", campagne.departement_id)
    contexte["pdf_disponible"] = rapports.pdf_disponible()
    return render(request, "observatoire/resultats/synthese.html", contexte)


def fiche_nationale(request, annee):
    donnees = selectors_resultats.fiche_nationale(annee, visible=lambda c: synthese_visible(request.user, c))
    return render(request, "observatoire/resultats/fiche_nationale.html", donnees)


def portrait(request, pk, annee):
    reponse = selectors_resultats.reponse_du_portrait(pk, annee)
    exiger(request.user, "reponse.voir", reponse)
    return render(request, "observatoire/resultats/portrait.html", selectors_resultats.portrait(reponse))


def rapport_pdf(request, code, annee):
    """The departmental report as a PDF, generated synchronously. Background generation with progress for large
    scopes (national sheet, many campaigns) is planned for later."""
    campagne = _campagne_visible(request, annee, code)
    try:
        contenu = rapports.rapport_pdf(campagne, base_url=request.build_absolute_uri("/"))
    except rapports.PDFIndisponible as e:
        return render(
            request,
            "observatoire/resultats/pdf_indisponible.html",
            {"message": str(e), "campagne": campagne},
            status=503,
        )
    reponse = HttpResponse(contenu, content_type="application/pdf")
    reponse["Content-Disposition"] = f'attachment; filename="observatoire-{code}-{annee}.pdf"'
    return reponse


def rapport_xlsx(request, code, annee):
    """The workbook: one row per structure (individual answers) plus the aggregates; generated synchronously
    (background generation with progress for large scopes is planned for later)."""
    campagne = selectors_resultats.campagne_de(annee, code)
    exiger(request.user, "departement.voir_finances", campagne.departement_id)
    reponse = HttpResponse(
        rapports.rapport_xlsx(campagne),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    reponse["Content-Disposition"] = f'attachment; filename="observatoire-{code}-{annee}.xlsx"'
    return reponse
