"""Pages of the schémas and their fiches actions: list by département, a schéma's page (figures frozen at adoption
beside today's, enjeux, directions, axes → orientations → fiches with their progress), a fiche's page with its
update form; and the pilote's editing pages (schéma, status, copy, ordered lists, fiches, milestones).

Every view checks its rule (`schema.voir`, `schema.gerer`, `fiche_action.mettre_a_jour`); an anonymous visitor
refused a page is sent to the login page, an account out of scope gets 403."""

import datetime
import functools
import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from maillage.comptes.models import Utilisateur
from maillage.core.formulaires import ajouter_erreurs_du_service, creation_unique
from maillage.core.horloge import aujourdhui
from maillage.core.permissions import exiger, peut
from maillage.territoires import perimetres
from maillage.territoires.models import Departement

from . import selectors, selectors_schema, services, services_schema
from .contexte import contexte_schema
from .forms import (
    CopieForm,
    ElementForm,
    FicheForm,
    FiltreDepartementForm,
    FiltresArbreForm,
    JalonForm,
    MiseAJourForm,
    SchemaForm,
    TransitionForm,
    initial_copie,
    initial_fiche,
    initial_schema,
)
from .models import Axe, FicheAction, Jalon, Orientation, Schema
from .selectors_indicateurs import version_donnees_schema

NATURES = services_schema.NATURES
LIBELLES = services_schema.LIBELLES_NATURES


def _connexion_si_anonyme(vue):
    """A refused anonymous visitor is sent to the login page (then back here); a refused account gets 403."""

    @functools.wraps(vue)
    def envelopper(request, *args, **kwargs):
        try:
            return vue(request, *args, **kwargs)
        except PermissionDenied:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise

    return envelopper


def _schema(request, pk, regle: str = "schema.voir", *, detaille: bool = True) -> Schema:
    try:
        schema = selectors_schema.schema_detaille(pk) if detaille else selectors_schema.schema_seul(pk)
    except Schema.DoesNotExist:
        raise Http404("Schéma introuvable.") from None
    exiger(request.user, regle, schema)
    return schema


def _fiche(request, pk, regle: str = "schema.voir") -> FicheAction:
    try:
        fiche = selectors_schema.fiche_detaillee(pk)
    except FicheAction.DoesNotExist:
        raise Http404("Fiche action introuvable.") from None
    fiche.referent_ids = {u.pk for u in fiche.referents.all()}  # the rules read it without a query
    exiger(request.user, regle, fiche)
    return fiche


# --- List ---------------------------------------------------------------------------------------------------------


def liste(request):
    departements = list(Departement.objects.only("code", "nom").order_by("code"))
    defaut = settings.MAILLAGE_PLATEFORME.get("departement_defaut") or ""
    form = FiltreDepartementForm(request.GET or {"departement": defaut}, departements=departements)
    code = form.cleaned_data["departement"] if form.is_valid() else ""
    departement = next((d for d in departements if d.code == code), None)
    schemas = list(selectors.schemas_visibles(request.user, departement=code).order_by("-debut", "pk")) if code else []
    avancements = selectors.avancements(schemas)
    lignes = [(s, avancements.get(s.pk), peut(request.user, "schema.gerer", s)) for s in schemas]
    return render(
        request,
        "schema/liste.html",
        {
            "form": form,
            "departement": departement,
            "lignes": lignes,
            "peut_creer": departement is not None and peut(request.user, "schema.gerer", departement),
        },
    )


# --- A schéma -----------------------------------------------------------------------------------------------------


DUREE_CACHE = 24 * 60 * 60  # keys change with the data: the duration only bounds memory


def _arbre_de_la_page(schema: Schema, jour: datetime.date, criteres_de) -> tuple:
    """(summary of the tree, filter form, HTML of the listed axes → orientations → fiches, number listed).

    The rendering of 200 fiches costs more than reading them: both kept in cache by the schéma's data version
    (`selectors.version_schema`, late milestones included) and the day, the rendering also by the filters. The same
    for every viewer: the fragment shows nothing internal (links, public fields). `criteres_de(pilotes)` gives the
    filter form and its criteria."""
    cle = f"schema:page:{selectors.version_schema(schema)}:{jour.isoformat()}"
    resume, arbre = cache.get(cle), None
    if resume is None:
        arbre = selectors.arbre(schema, jour=jour)
        resume = selectors_schema.resume_arbre(arbre)
        cache.set(cle, resume, DUREE_CACHE)
    filtres, criteres = criteres_de(resume.pilotes)
    perimetre = criteres["perimetre"]
    territoire = hashlib.sha256(perimetre.valeur.encode()).hexdigest()[:16] if perimetre else ""
    cle_vue = f"{cle}:{criteres['statut']}:{criteres['pilote'] or ''}:{int(criteres['retard'])}:{territoire}"
    rendu = cache.get(cle_vue)
    if rendu is None:
        fiches = selectors_schema.fiches_du_perimetre(schema, perimetre, date=jour) if perimetre else None
        autres = {nom: valeur for nom, valeur in criteres.items() if nom != "perimetre"}
        vue = selectors_schema.filtrer_arbre(arbre or selectors.arbre(schema, jour=jour), fiches=fiches, **autres)
        contexte = {"vue": vue, "filtre_actif": any(criteres.values())}
        rendu = (render_to_string("schema/_arbre.html", contexte), vue.nombre)
        cache.set(cle_vue, rendu, DUREE_CACHE)
    return resume, filtres, criteres, mark_safe(rendu[0]), rendu[1]  # our own template's output


@_connexion_si_anonyme
def detail(request, pk):
    schema = _schema(request, pk, detaille=False)
    jour = aujourdhui()
    contexte = contexte_schema(request, schema, "apercu")
    # The page's content is the same for every viewer of a variant (internal follow-up, management, filters): kept
    # in cache by the data versions of what it shows (the schéma and its tree, the accounts named in its history,
    # today's figures) and the day. A visit then reads neither the tree nor the lists.
    variante = [int(contexte["interne"]), int(contexte["gerer"]), sorted(request.GET.lists())]
    versions = [selectors.version_schema(schema, Utilisateur), version_donnees_schema(schema.departement_id)]
    cle = "schema:page-contenu:" + hashlib.sha256(repr([versions, jour, variante]).encode()).hexdigest()
    contenu = cache.get(cle)
    if contenu is None:
        schema = selectors_schema.schema_detaille(schema.pk)  # with its lists, for the rendering
        contexte["schema"] = schema
        contenu = render_to_string("schema/_detail_contenu.html", _contexte_detail(request, contexte, jour))
        cache.set(cle, contenu, DUREE_CACHE)
    return render(request, "schema/detail.html", {**contexte, "contenu": mark_safe(contenu)})  # our own rendering


def _contexte_detail(request, contexte: dict, jour: datetime.date) -> dict:
    schema = contexte["schema"]

    def criteres_de(pilotes):
        choix = perimetres.perimetres_du_departement(schema.departement_id, date=jour)
        filtres = FiltresArbreForm(request.GET or None, pilotes=pilotes, perimetres=choix)
        sans_filtre = {"statut": "", "pilote": None, "retard": False, "perimetre": None}
        return filtres, filtres.criteres() if request.GET else sans_filtre

    resume, filtres, criteres, arbre_html, nombre_vue = _arbre_de_la_page(schema, jour, criteres_de)
    actuels = selectors_schema.chiffres_diagnostic(schema.departement_id, jour)
    fige = schema.diagnostic_fige or {}
    return {
        **contexte,
        "arbre": resume,
        "arbre_html": arbre_html,
        "nombre_vue": nombre_vue,
        "filtres": filtres,
        "filtre_actif": any(criteres.values()),
        "statuts": [(code, libelle, resume.par_statut[code]) for code, libelle in FicheAction.Statut.choices],
        "nombre_fiches": resume.nombre_fiches,
        "fiches_en_retard": resume.fiches_en_retard,
        "fige": fige,
        "date_fige": datetime.date.fromisoformat(fige["date"]) if fige.get("date") else None,
        "actuels": actuels,
        "date_actuelle": jour,
        "chiffres": selectors_schema.lignes_chiffres(schema.diagnostic_fige, actuels),
        "enjeux": list(schema.enjeux.all()),
        "directions": list(schema.directions.all()),
        "transitions": list(schema.transitions.all()),
        "suivant": services_schema.SUIVANT.get(schema.statut),
    }


@login_required
@creation_unique
def schema_creer(request):
    code = request.GET.get("departement") or settings.MAILLAGE_PLATEFORME.get("departement_defaut") or ""
    departement = get_object_or_404(Departement, code=code)
    exiger(request.user, "schema.gerer", departement)
    form = SchemaForm(request.POST or None, departement=departement.code)
    if request.method == "POST" and form.is_valid():
        try:
            schema = services_schema.schema_creer(par=request.user, departement=departement, donnees=form.cleaned_data)
        except ValidationError as e:
            ajouter_erreurs_du_service(form, e)
        else:
            messages.success(request, "Schéma créé, en élaboration.")
            return redirect("schema:detail", pk=schema.pk)
    return render(request, "schema/formulaire_schema.html", {"form": form, "departement": departement})


@login_required
def schema_modifier(request, pk):
    schema = _schema(request, pk, "schema.gerer")
    form = SchemaForm(
        request.POST or None, initial=initial_schema(schema), version=schema.version, departement=schema.departement_id
    )
    if request.method == "POST" and form.is_valid():
        try:
            services_schema.schema_modifier(
                par=request.user, schema=schema, donnees=form.champs_saisis(), version=form.version_lue
            )
        except ValidationError as e:
            ajouter_erreurs_du_service(form, e)
        else:
            messages.success(request, "Schéma enregistré.")
            return redirect("schema:detail", pk=schema.pk)
    return render(
        request,
        "schema/formulaire_schema.html",
        {**contexte_schema(request, schema, "apercu"), "form": form, "departement": schema.departement},
    )


@login_required
def schema_statut(request, pk):
    schema = _schema(request, pk, "schema.gerer")
    suivant = services_schema.SUIVANT.get(schema.statut)
    form = TransitionForm(
        request.POST or None,
        initial={"vers": suivant, "date": aujourdhui()},
        version=schema.version,
        suivant=suivant,
    )
    if request.method == "POST" and suivant and form.is_valid():
        try:
            services_schema.schema_changer_statut(
                par=request.user,
                schema=schema,
                vers=form.cleaned_data["vers"],
                date=form.cleaned_data["date"],
                commentaire=form.cleaned_data["commentaire"],
                version=form.version_lue,
            )
        except ValidationError as e:
            ajouter_erreurs_du_service(form, e)
        else:
            messages.success(request, f"Le schéma est désormais « {schema.get_statut_display()} ».")
            return redirect("schema:detail", pk=schema.pk)
    return render(
        request,
        "schema/statut.html",
        {
            **contexte_schema(request, schema, "apercu"),
            "form": form,
            "suivant": suivant and Schema.Statut(suivant),
            "transitions": list(schema.transitions.all()),
        },
    )


@login_required
@creation_unique
def schema_copier(request, pk):
    source = _schema(request, pk, "schema.gerer")
    form = CopieForm(request.POST or None, initial=initial_copie(source))
    if request.method == "POST" and form.is_valid():
        try:
            copie = services_schema.schema_copier(par=request.user, source=source, **form.cleaned_data)
        except ValidationError as e:
            ajouter_erreurs_du_service(form, e)
        else:
            messages.success(request, f"Nouveau schéma créé à partir de « {source.titre} », en élaboration.")
            return redirect("schema:detail", pk=copie.pk)
    return render(request, "schema/copier.html", {"form": form, "source": source})


# --- Ordered lists: enjeux, directions, axes, orientations --------------------------------------------------------


@login_required
def structure(request, pk):
    schema = _schema(request, pk, "schema.gerer")
    axes = list(selectors_schema.axes_du_schema(schema))
    par_axe: dict[int, list] = {}
    for orientation in selectors_schema.orientations_avec_nombre_de_fiches(schema):
        par_axe.setdefault(orientation.axe_id, []).append(orientation)
    enjeux, directions = list(schema.enjeux.all()), list(schema.directions.all())
    return render(
        request,
        "schema/structure.html",
        {
            **contexte_schema(request, schema, "apercu"),
            "listes": [
                ("Enjeux", "enjeu", enjeux, _a_des_trous(enjeux)),
                ("Directions de progrès", "direction", directions, _a_des_trous(directions)),
            ],
            "axes": [(axe, par_axe.get(axe.pk, []), _a_des_trous(par_axe.get(axe.pk, []))) for axe in axes],
            "axes_trous": _a_des_trous(axes),
        },
    )


def _a_des_trous(elements) -> bool:
    """Numbers other than 1..n (left by the admin or an import): the page offers to renumber."""
    return [e.numero for e in elements] != list(range(1, len(elements) + 1))


def _nature(nature: str):
    if nature not in NATURES:
        raise Http404("Liste inconnue.")
    return NATURES[nature]


def _element(request, nature: str, pk):
    modele = _nature(nature)
    relation = "axe__schema" if modele is Orientation else "schema"
    element = get_object_or_404(modele.objects.select_related(relation), pk=pk)
    schema = element.axe.schema if modele is Orientation else element.schema
    exiger(request.user, "schema.gerer", schema)
    return element, schema


def _axe_du_schema(schema, valeur) -> Axe:
    """The axe named by a request parameter, of this schéma; 404 for anything else (absent, not a number)."""
    if not str(valeur or "").isdigit():
        raise Http404("Axe introuvable.")
    return get_object_or_404(Axe, pk=int(valeur), schema=schema)


def _retour_structure(schema, element=None):
    return redirect(reverse("schema:structure", args=[schema.pk]) + (f"#{element}" if element else ""))


@login_required
@creation_unique
def element_ajouter(request, pk, nature):
    schema = _schema(request, pk, "schema.gerer")
    _nature(nature)
    axe = None
    if nature == "orientation":
        axe = _axe_du_schema(schema, request.GET.get("axe"))
    form = ElementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            element = services_schema.element_ajouter(
                par=request.user, schema=schema, nature=nature, axe=axe, **form.cleaned_data
            )
        except ValidationError as e:
            ajouter_erreurs_du_service(form, e)
        else:
            messages.success(request, f"{LIBELLES[nature][0].capitalize()} ajouté·e : {element}.")
            return _retour_structure(schema, f"{nature}-{element.pk}")
    return render(
        request,
        "schema/element.html",
        {
            **contexte_schema(request, schema, "apercu"),
            "form": form,
            "nature": LIBELLES[nature][0],
            "axe": axe,
            "element": None,
        },
    )


@login_required
def element_modifier(request, nature, pk):
    element, schema = _element(request, nature, pk)
    form = ElementForm(
        request.POST or None, initial={"numero": element.numero, "titre": element.titre, "texte": element.texte}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services_schema.element_modifier(par=request.user, element=element, **form.cleaned_data)
        except ValidationError as e:
            ajouter_erreurs_du_service(form, e)
        else:
            messages.success(request, f"Enregistré : {element}.")
            return _retour_structure(schema, f"{nature}-{element.pk}")
    return render(
        request,
        "schema/element.html",
        {
            **contexte_schema(request, schema, "apercu"),
            "form": form,
            "nature": LIBELLES[nature][0],
            "axe": getattr(element, "axe", None),
            "element": element,
        },
    )


@login_required
@require_POST
def element_deplacer(request, nature, pk):
    element, schema = _element(request, nature, pk)
    sens = -1 if request.POST.get("sens") == "monter" else 1
    services_schema.element_deplacer(par=request.user, element=element, sens=sens)
    return _retour_structure(schema, f"{nature}-{element.pk}")


@login_required
def element_supprimer(request, nature, pk):
    element, schema = _element(request, nature, pk)
    if request.method == "POST":
        try:
            services_schema.element_supprimer(par=request.user, element=element)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
            return _retour_structure(schema, f"{nature}-{element.pk}")
        messages.success(request, f"Supprimé : {element}. Les suivants ont été renumérotés.")
        return _retour_structure(schema)
    return render(
        request,
        "schema/confirmer_suppression.html",
        {
            **contexte_schema(request, schema, "apercu"),
            "objet": element,
            "nature": LIBELLES[nature][0],
            "retour": reverse("schema:structure", args=[schema.pk]),
        },
    )


@login_required
@require_POST
def elements_renumeroter(request, pk, nature):
    schema = _schema(request, pk, "schema.gerer")
    _nature(nature)
    axe = _axe_du_schema(schema, request.POST.get("axe")) if nature == "orientation" else None
    services_schema.elements_renumeroter(par=request.user, schema=schema, nature=nature, axe=axe)
    messages.success(request, f"Liste des {LIBELLES[nature][1]} renumérotée.")
    return _retour_structure(schema)


# --- Fiches actions -----------------------------------------------------------------------------------------------


@_connexion_si_anonyme
def fiche(request, pk):
    fiche = _fiche(request, pk)
    schema = fiche.schema
    jour = aujourdhui()
    jalons = list(fiche.jalons.all())
    form = None
    if peut(request.user, "fiche_action.mettre_a_jour", fiche):
        form = MiseAJourForm(
            request.POST or None,
            initial={
                "statut": fiche.statut,
                "avancement": fiche.avancement,
                "jalons": [j.pk for j in jalons if j.fait],
            },
            version=fiche.version,
            jalons=jalons,
        )
        if request.method == "POST" and form.is_valid():
            faits = set(form.cleaned_data.get("jalons") or [])
            try:
                services.fiche_mettre_a_jour(
                    par=request.user,
                    fiche=fiche,
                    statut=form.cleaned_data["statut"],
                    avancement=form.cleaned_data["avancement"],
                    commentaire=form.cleaned_data["commentaire"],
                    jalons_faits={j.pk: j.pk in faits for j in jalons},
                    version=form.version_lue,
                )
            except ValidationError as e:
                ajouter_erreurs_du_service(form, e)
            else:
                messages.success(request, "Fiche action mise à jour.")
                return redirect("schema:fiche", pk=fiche.pk)
    elif request.method == "POST":
        raise PermissionDenied("Vous n'avez pas accès à cette ressource.")
    contexte = contexte_schema(request, schema, "apercu")
    interne = contexte["interne"]
    return render(
        request,
        "schema/fiche.html",
        {
            **contexte,
            "fiche": fiche,
            "form": form,
            "jour": jour,
            "jalons": [(j, j.en_retard(jour)) for j in jalons],
            "retards": sum(1 for j in jalons if j.en_retard(jour)),
            "commentaires": list(selectors_schema.commentaires(fiche)) if interne else [],
            "decisions": list(selectors_schema.decisions_de_la_fiche(fiche)) if interne else [],
            "indicateurs": list(fiche.indicateurs.all()),
        },
    )


@login_required
@creation_unique
def fiche_creer(request, pk):
    schema = _schema(request, pk, "schema.gerer")
    initial = {"poids": 1}
    if request.GET.get("orientation", "").isdigit():
        initial["orientation"] = int(request.GET["orientation"])
    form = FicheForm(request.POST or None, initial=initial, schema=schema)
    if request.method == "POST" and form.is_valid():
        try:
            fiche = services_schema.fiche_creer(par=request.user, schema=schema, donnees=form.cleaned_data)
        except ValidationError as e:
            ajouter_erreurs_du_service(form, e)
        else:
            messages.success(request, f"Fiche action {fiche.numero} créée, à lancer.")
            return redirect("schema:fiche", pk=fiche.pk)
    return render(
        request,
        "schema/formulaire_fiche.html",
        {**contexte_schema(request, schema, "apercu"), "form": form, "fiche": None},
    )


@login_required
def fiche_modifier(request, pk):
    fiche = _fiche(request, pk, "schema.gerer")
    schema = fiche.schema
    form = FicheForm(request.POST or None, initial=initial_fiche(fiche), version=fiche.version, schema=schema)
    if request.method == "POST" and form.is_valid():
        try:
            services_schema.fiche_modifier(
                par=request.user, fiche=fiche, donnees=form.champs_saisis(), version=form.version_lue
            )
        except ValidationError as e:
            ajouter_erreurs_du_service(form, e)
        else:
            messages.success(request, "Fiche action enregistrée.")
            return redirect("schema:fiche", pk=fiche.pk)
    return render(
        request,
        "schema/formulaire_fiche.html",
        {**contexte_schema(request, schema, "apercu"), "form": form, "fiche": fiche},
    )


# --- Milestones ---------------------------------------------------------------------------------------------------


@login_required
@creation_unique
def jalon_ajouter(request, pk):
    fiche = _fiche(request, pk, "schema.gerer")
    form = JalonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services_schema.jalon_ajouter(par=request.user, fiche=fiche, **form.cleaned_data)
        except ValidationError as e:
            ajouter_erreurs_du_service(form, e)
        else:
            messages.success(request, "Jalon ajouté.")
            return redirect(reverse("schema:fiche", args=[fiche.pk]) + "#titre-jalons")
    return render(
        request,
        "schema/jalon.html",
        {**contexte_schema(request, fiche.schema, "apercu"), "form": form, "fiche": fiche, "jalon": None},
    )


def _jalon(request, pk) -> Jalon:
    jalon = get_object_or_404(Jalon.objects.select_related("fiche", "fiche__schema"), pk=pk)
    exiger(request.user, "schema.gerer", jalon.fiche)
    return jalon


@login_required
def jalon_modifier(request, pk):
    jalon = _jalon(request, pk)
    fiche = jalon.fiche
    initial = {"libelle": jalon.libelle, "echeance": jalon.echeance, "fait": jalon.fait, "fait_le": jalon.fait_le}
    form = JalonForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services_schema.jalon_modifier(par=request.user, jalon=jalon, **form.cleaned_data)
        except ValidationError as e:
            ajouter_erreurs_du_service(form, e)
        else:
            messages.success(request, "Jalon enregistré.")
            return redirect(reverse("schema:fiche", args=[fiche.pk]) + "#titre-jalons")
    return render(
        request,
        "schema/jalon.html",
        {**contexte_schema(request, fiche.schema, "apercu"), "form": form, "fiche": fiche, "jalon": jalon},
    )


@login_required
def jalon_supprimer(request, pk):
    jalon = _jalon(request, pk)
    fiche = jalon.fiche
    if request.method == "POST":
        services_schema.jalon_supprimer(par=request.user, jalon=jalon)
        messages.success(request, "Jalon supprimé.")
        return redirect(reverse("schema:fiche", args=[fiche.pk]) + "#titre-jalons")
    return render(
        request,
        "schema/confirmer_suppression.html",
        {
            **contexte_schema(request, fiche.schema, "apercu"),
            "objet": jalon,
            "nature": "jalon",
            "retour": reverse("schema:fiche", args=[fiche.pk]),
        },
    )


urlpatterns = [
    path("", liste, name="liste"),
    path("nouveau/", schema_creer, name="creer"),
    path("<int:pk>/", detail, name="detail"),
    path("<int:pk>/modifier/", schema_modifier, name="modifier"),
    path("<int:pk>/statut/", schema_statut, name="statut"),
    path("<int:pk>/copier/", schema_copier, name="copier"),
    path("<int:pk>/structure/", structure, name="structure"),
    path("<int:pk>/structure/<str:nature>/ajouter/", element_ajouter, name="element_ajouter"),
    path("<int:pk>/structure/<str:nature>/renumeroter/", elements_renumeroter, name="elements_renumeroter"),
    path("elements/<str:nature>/<int:pk>/modifier/", element_modifier, name="element_modifier"),
    path("elements/<str:nature>/<int:pk>/deplacer/", element_deplacer, name="element_deplacer"),
    path("elements/<str:nature>/<int:pk>/supprimer/", element_supprimer, name="element_supprimer"),
    path("<int:pk>/actions/nouvelle/", fiche_creer, name="fiche_creer"),
    path("actions/<int:pk>/", fiche, name="fiche"),
    path("actions/<int:pk>/modifier/", fiche_modifier, name="fiche_modifier"),
    path("actions/<int:pk>/jalons/ajouter/", jalon_ajouter, name="jalon_ajouter"),
    path("jalons/<int:pk>/modifier/", jalon_modifier, name="jalon_modifier"),
    path("jalons/<int:pk>/supprimer/", jalon_supprimer, name="jalon_supprimer"),
]
