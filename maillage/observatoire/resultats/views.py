"""Results of the observatoire: the département synthesis (printable report), the national sheet, a structure's
portrait, and the report's downloads (PDF, XLSX).

Access: a campaign's aggregates are public once it is published (`Campagne.publiee`); before that only the Caf
staff and partners in scope see them (rule `departement.voir_pilotage`). Individual answers are never public: the
XLSX (one row per structure) needs `reponses.exporter` (pilote, mandated correspondents), a portrait needs
`reponse.voir` on the structure's answer.
"""

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string

from maillage.core import travaux
from maillage.core.models import Travail
from maillage.core.permissions import exiger, peut

from .. import selectors_references, taches
from ..models import CommentaireRapport
from . import commentaires, rapports
from . import selectors as selectors_resultats


def synthese_visible(user, campagne) -> bool:
    return campagne.publiee or peut(user, "departement.voir_pilotage", campagne.departement_id)


def _campagne_visible(request, annee, code, *, avec_precedente: bool = False):
    lue = selectors_resultats.campagne_de(annee, code, avec_precedente=avec_precedente)
    campagne = lue[0] if avec_precedente else lue
    if not synthese_visible(request.user, campagne):
        raise PermissionDenied("Cette synthèse n'est pas encore publiée.")
    return lue


def _commentaires(campagne, version: str) -> list[tuple[str, str]]:
    """The report's commentaries in the sections' order, cached with the campaign's results: writing one changes
    the campaign's date of change, hence the version."""
    cle = f"observatoire:page:commentaires:{campagne.pk}:{version}"
    textes = cache.get(cle)
    if textes is None:
        ordre = list(CommentaireRapport.Section.values)
        par_section = commentaires.commentaires_par_section(campagne)
        textes = [(par_section[s].get_section_display(), par_section[s].texte) for s in ordre if s in par_section]
        cache.set(cle, textes, selectors_resultats.DUREE_CACHE)
    return textes


def synthese(request, code, annee):
    """The département synthesis of a campaign: also the printable departmental report."""
    campagne, precedente = _campagne_visible(request, annee, code, avec_precedente=True)
    etat = selectors_resultats.etat([c for c in (campagne, precedente) if c])
    # "Par territoire": the cut asked for (?decoupage=), else the EPT where there are some, else the EPCI.
    decoupages = selectors_resultats.decoupages_de_la_campagne(campagne, etat_=etat)
    decoupage = selectors_resultats.decoupage_choisi(decoupages, request.GET.get("decoupage"))
    # The figures and their tables change only with the data: rendered once per data version (territories and
    # groupings included) and cut, served from the cache.
    cle = f"observatoire:page:synthese:{campagne.pk}:{etat.version}:{decoupage.cle if decoupage else '-'}"
    corps = cache.get(cle)
    if corps is None:
        contexte = rapports.contexte_rapport(campagne, precedente=precedente, etat=etat)
        contexte["decoupages"] = decoupages
        contexte["par_territoire"] = (
            selectors_resultats.groupes_par_decoupage(campagne, decoupage.cle, etat_=etat) if decoupage else None
        )
        corps = render_to_string("observatoire/resultats/_synthese.html", contexte)
        cache.set(cle, corps, selectors_resultats.DUREE_CACHE)
    reperes = selectors_references.references_en_cache(
        etat.version, annee=campagne.annee, departement=campagne.departement_id
    )
    comparaison = []
    if reperes:  # the synthesis is cached: read again only to put its figures beside the references
        ensemble = selectors_resultats.synthese(campagne, precedente=precedente, etat_=etat)["ensemble"]
        comparaison = selectors_references.comparaison(ensemble, reperes)
    contexte = {
        "campagne": campagne,
        "precedente": precedente,
        "corps": corps,
        "comparaison": comparaison,
        "reperes_illustratifs": any(r.illustratif for r in reperes),
        "peut_gerer_reperes": peut(request.user, "references.gerer"),
        "peut_xlsx": peut(request.user, "reponses.exporter", campagne.departement_id),
        "peut_commenter": peut(request.user, "rapport.commenter", campagne),
        "pdf_disponible": rapports.pdf_disponible(),
        "commentaires": _commentaires(campagne, etat.version),
    }
    return render(request, "observatoire/resultats/synthese.html", contexte)


def fiche_nationale(request, annee):
    """The comparison of the départements of this instance (not a national figure), and the published references."""
    campagnes = selectors_resultats.campagnes_visibles(annee, visible=lambda c: synthese_visible(request.user, c))
    etat = selectors_resultats.etat(campagnes, par_campagne=False)
    donnees = selectors_resultats.fiche_nationale(annee, campagnes=campagnes, etat_=etat)  # cached aggregates
    # Rendered once per data version and set of campaigns seen (the public sees the published ones only).
    cle = f"observatoire:page:fiche_nationale:{annee}:{etat.version}:{int(request.user.is_authenticated)}"
    tableau = cache.get(cle)
    if tableau is None:
        tableau = render_to_string(
            "observatoire/resultats/_fiche_nationale.html", {**donnees, "authentifie": request.user.is_authenticated}
        )
        cache.set(cle, tableau, selectors_resultats.DUREE_CACHE)
    # With one département, its région's and its own references too (cached with the same data version).
    seul = donnees["departements"][0]["departement"] if donnees["seul_departement"] else None
    reperes = selectors_references.references_en_cache(
        etat.version, annee=annee, departement=seul.code if seul else None
    )
    contexte = {
        "annee": annee,
        "tableau": tableau,
        "libelle_fiche": donnees["libelle_fiche"],
        "libelle_ensemble": donnees["libelle_ensemble"],
        "seul_departement": seul,
        "libelle_observee": seul.nom if seul else donnees["libelle_ensemble"],
        "reperes_illustratifs": any(r.illustratif for r in reperes),
        "peut_gerer_reperes": peut(request.user, "references.gerer"),
        "comparaison": selectors_references.comparaison(
            donnees["ensemble"] if donnees["departements"] else None, reperes
        ),
        "reperes": reperes,
    }
    return render(request, "observatoire/resultats/fiche_nationale.html", contexte)


def portrait(request, pk, annee):
    reponse = selectors_resultats.reponse_du_portrait(pk, annee)
    exiger(request.user, "reponse.voir", reponse)
    contexte = {**selectors_resultats.portrait(reponse), "pdf_disponible": rapports.pdf_disponible()}
    contexte["reperes"] = selectors_references.references_pour(
        annee=reponse.campagne.annee, departement=reponse.campagne.departement_id
    )
    return render(request, "observatoire/resultats/portrait.html", contexte)


def portrait_pdf(request, pk, annee):
    """The portrait as a one- or two-page PDF, made at once (it is small): the same access as the portrait."""
    reponse = selectors_resultats.reponse_du_portrait(pk, annee)
    exiger(request.user, "reponse.voir", reponse)
    try:
        contenu = rapports.portrait_pdf(reponse)
    except rapports.PDFIndisponible as e:
        return render(
            request,
            "observatoire/resultats/pdf_indisponible.html",
            {"message": str(e), "campagne": reponse.campagne},
            status=503,
        )
    fichier = HttpResponse(contenu, content_type="application/pdf")
    fichier["Content-Disposition"] = f'attachment; filename="portrait-{reponse.structure_id}-{annee}.pdf"'
    return fichier


def _fichier(request, *, tache, nature: str, cle: str, libelle: str, nom: str, **lancement):
    """Serve a generated file when a job for the current data is done; else start one (a background task) and show
    its progress. With the immediate backend (demo, tests) the file comes at once. `lancement`: the job's access
    (`public`, `regle`, `departement_id`) and the task's arguments."""
    travail = travaux.travail_en_cours_ou_pret(nature=nature, cle=cle)
    if travail is None:
        travail = travaux.travail_lancer(
            tache=tache,
            nature=nature,
            cle=cle,
            libelle=libelle,
            demandeur=request.user,
            url_resultat=request.path,
            **lancement,
        )
    if travail.statut == Travail.Statut.TERMINE and travail.fichier:
        # A report is a few megabytes at most: read it whole, the file is closed at once.
        with travail.fichier.open("rb") as fichier:
            reponse = HttpResponse(fichier.read(), content_type=travail.type_contenu)
        reponse["Content-Disposition"] = f'attachment; filename="{nom}"'
        return reponse
    return redirect("core:travail", pk=travail.pk)


def _rapport(request, campagne, format: str, *, public: bool, regle: str):
    return _fichier(
        request,
        tache=taches.generer_rapport,
        nature=f"observatoire.rapport_{format}",
        cle=f"{campagne.pk}:{rapports.empreinte_donnees(campagne)}",
        libelle=f"Rapport {format.upper()} de l'observatoire {campagne.annee} — {campagne.departement.nom}",
        nom=taches.nom_fichier(campagne, format),
        public=public,
        regle=regle,
        departement_id=campagne.departement_id,
        campagne_id=campagne.pk,
        format=format,
    )


def rapport_pdf(request, code, annee):
    """The departmental report as a PDF, generated in the background (progress page) and reused until the data
    change. Public once the campaign is published."""
    campagne = _campagne_visible(request, annee, code)
    try:
        rapports.verifier_pdf()
    except rapports.PDFIndisponible as e:
        return render(
            request,
            "observatoire/resultats/pdf_indisponible.html",
            {"message": str(e), "campagne": campagne},
            status=503,
        )
    regle = "" if campagne.publiee else "departement.voir_pilotage"
    return _rapport(request, campagne, "pdf", public=campagne.publiee, regle=regle)


def rapport_xlsx(request, code, annee):
    """The workbook: one row per structure (individual answers) plus the aggregates; generated in the background
    and reused until the data change."""
    campagne = selectors_resultats.campagne_de(annee, code)
    exiger(request.user, "reponses.exporter", campagne.departement_id)
    return _rapport(request, campagne, "xlsx", public=False, regle="reponses.exporter")


def fiche_nationale_xlsx(request, annee):
    """The national sheet as a workbook, over the campaigns the reader may see (the published ones for the public):
    generated in the background, shared by all readers who see the same campaigns."""
    campagnes = [c for c in selectors_resultats.campagnes_de_l_annee(annee) if synthese_visible(request.user, c)]
    if not campagnes:
        raise Http404(f"Aucune campagne {annee} visible.")
    ids = sorted(c.pk for c in campagnes)
    publique = all(c.publiee for c in campagnes)
    return _fichier(
        request,
        tache=taches.generer_fiche_nationale,
        nature="observatoire.fiche_nationale_xlsx",
        cle=f"{annee}:{rapports.empreinte_nationale(annee, ids)}",
        libelle=f"{selectors_resultats.LIBELLE_FICHE} : observatoire {annee} (XLSX)",
        nom=f"observatoire-fiche-nationale-{annee}.xlsx",
        # With unpublished campaigns in it, only its requester may follow it (their scope decided its content).
        public=publique,
        annee=annee,
        campagne_ids=ids,
    )
