"""Every URL × every role × GET and POST answers as the expected table says (`matrice_droits.json`).

Each URL pattern of the project (walked with `get_resolver()`, the django-ninja API routes included; the
Django admin left out, it has its own staff check) is requested with its parameters filled from the demo
(département 94: objects of the structure account's own structure, the 2016 campaign, a demo fiche…) and,
when it takes parameters, once more with objects of a second département, 93, created here (suffix ` [93]`).
Roles: anonymous, pilote 94, conseiller 94 (on three communes), partenaire 94, structure account, admin.
POST is sent with an empty body. Each request runs in a savepoint rolled back afterwards, so requests do not
change what the next one sees.

A cell reads "GET POST", each a status class: `200`, `302-connexion` (sent to the login page), `302`
(any other redirect), `403`, `404`, `405`…, followed by `+écrit` when the request wrote to the audit log
(something changed). A 5xx always fails, whatever the table says.

A new URL pattern (or a changed answer) fails the test. After checking that the new behaviour is the one
wanted, regenerate the table from the current behaviour and read its diff:

    MAILLAGE_MATRICE_ECRIRE=1 .venv/bin/python -m pytest tests/transverse/test_matrice_droits.py -p no:randomly

The regenerated file must then be READ: a partenaire reading a structure's private data, another
département's objects reachable, a write (`+écrit`) by a role without the right are defects, not entries.
"""

import datetime
import json
import os
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.core import signals
from django.db import close_old_connections, transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from maillage.comptes.models import Mandat, Organisation, Role, Utilisateur
from maillage.core.models import Travail
from maillage.diagnostic.models import Scenario
from maillage.fiches.models import FicheExperience
from maillage.observatoire.models import Campagne, Reponse
from maillage.reseau.models import (
    Actualite,
    Envoi,
    Evenement,
    Inscription,
    Invitation,
    ListeDiffusion,
    Personne,
    Ressource,
    SerieAteliers,
)
from maillage.schema.models import (
    Decision,
    DocumentSchema,
    Enjeu,
    FicheAction,
    Indicateur,
    Jalon,
    Reunion,
    Schema,
    ValeurIndicateur,
)
from maillage.structures.models import Agrement, Contact, DocumentProjet, ProjetSocial, Structure
from maillage.territoires.models import EPCI, Chargement, Commune
from tests.comptes.factories import UtilisateurFactory
from tests.territoires.factories import CommuneFactory, DepartementFactory
from tests.transverse.conftest import ROLES, client_de

FICHIER = Path(__file__).with_name("matrice_droits.json")
ECRIRE = os.environ.get("MAILLAGE_MATRICE_ECRIRE") == "1"
COMMANDE = "MAILLAGE_MATRICE_ECRIRE=1 .venv/bin/python -m pytest tests/transverse/test_matrice_droits.py"
EXCLUES = ("admin:",)

# The object kind behind a route's `pk` (or `id`), by route name.
SORTE_DU_PK = {
    "comptes:modifier": "compte",
    "comptes:desactiver": "compte",
    "comptes:reactiver": "compte",
    "comptes:reinviter": "compte",
    "territoires:chargement": "chargement",
    "structures:contact_modifier": "contact",
    "structures:contact_supprimer": "contact",
    "structures:projet_modifier": "projet",
    "structures:document_deposer": "projet",
    "structures:document": "document",
    "structures:document_supprimer": "document",
    "structures:agrement_modifier": "agrement",
    "structures:agrement_decider": "agrement",
    "diagnostic:scenario": "scenario",
    "diagnostic:scenario_export": "scenario",
    "diagnostic:scenario_supprimer": "scenario",
    "observatoire:campagne_modifier": "campagne",
    "observatoire:campagne_publication": "campagne",
    "observatoire:suivi": "campagne",
    "observatoire:suivi_relancer": "campagne",
    "observatoire:reponse": "reponse",
    "observatoire:section": "reponse",
    "observatoire:reponse_prefill": "reponse",
    "observatoire:reponse_soumettre": "reponse",
    "observatoire:relire": "reponse",
    "observatoire:relire_action": "reponse",
    "observatoire:fiche": "fiche",
    "observatoire:fiche_modifier": "fiche",
    "observatoire:fiche_proposer": "fiche",
    "observatoire:fiche_publier": "fiche",
    "core:travail": "travail",
    "comptes:organisation": "organisation",
    "comptes:organisation_modifier": "organisation",
    "comptes:mandat_revoquer": "mandat",
    # Schéma directeur
    "schema:detail": "schema",
    "schema:modifier": "schema",
    "schema:statut": "schema",
    "schema:copier": "schema",
    "schema:structure": "schema",
    "schema:element_ajouter": "schema",
    "schema:elements_renumeroter": "schema",
    "schema:fiche_creer": "schema",
    "schema:indicateurs": "schema",
    "schema:indicateur_creer": "schema",
    "schema:gouvernance": "schema",
    "schema:instance_creer": "schema",
    "schema:decisions": "schema",
    "schema:mise_a_jour": "schema",
    "schema:mise_a_jour_export": "schema",
    "schema:mise_a_jour_confirmer": "schema",
    "schema:documents": "schema",
    "schema:export_pdf": "schema",
    "schema:export_xlsx": "schema",
    "schema:element_modifier": "enjeu",
    "schema:element_deplacer": "enjeu",
    "schema:element_supprimer": "enjeu",
    "schema:fiche": "fiche_action",
    "schema:fiche_modifier": "fiche_action",
    "schema:jalon_ajouter": "fiche_action",
    "schema:jalon_modifier": "jalon",
    "schema:jalon_supprimer": "jalon",
    "schema:indicateur": "indicateur_schema",
    "schema:indicateur_modifier": "indicateur_schema",
    "schema:indicateur_supprimer": "indicateur_schema",
    "schema:valeur_modifier": "valeur_indicateur",
    "schema:valeur_supprimer": "valeur_indicateur",
    "schema:instance_modifier": "instance",
    "schema:instance_supprimer": "instance",
    "schema:reunion_creer": "instance",
    "schema:reunion": "reunion",
    "schema:reunion_modifier": "reunion",
    "schema:reunion_supprimer": "reunion",
    "schema:reunion_figer": "reunion",
    "schema:reunion_compte_rendu": "reunion",
    "schema:reunion_preparer": "reunion",
    "schema:decision_creer": "reunion",
    "schema:decision_modifier": "decision",
    "schema:decision_statut": "decision",
    "schema:decision_supprimer": "decision",
    "schema:document": "document_schema",
    "schema:document_supprimer": "document_schema",
    "api:schemas_detail": "schema",
    "api:indicateurs_schema": "schema",
    "api:schemas_action": "fiche_action",
    "api:schemas_action_modifier": "fiche_action",
    # Réseau et événements (default for reseau:* and the events API: the event)
    "reseau:personne": "personne",
    "reseau:personne_modifier": "personne",
    "reseau:personne_effacer": "personne",
    "reseau:liste": "liste",
    "reseau:liste_modifier": "liste",
    "reseau:liste_export": "liste",
    "reseau:serie": "serie",
    "reseau:serie_modifier": "serie",
    "reseau:ressource": "ressource",
    "reseau:ressource_modifier": "ressource",
    "reseau:ressource_supprimer": "ressource",
    "reseau:ressource_fichier": "ressource",
    "reseau:actualite": "actualite",
    "reseau:actualite_modifier": "actualite",
    "reseau:actualite_image": "actualite",
}
# Routes of the events area whose `pk`/`id` is the event (an event's parts have their own `<kind>_pk`).
PREFIXES_EVENEMENT = ("reseau:", "api:evenements", "api:inscription", "api:reseau_evenement")
# The object behind a route's `jeton` (secret personal link), by route name.
SORTE_DU_JETON = {"reseau:invitation": "invitation"}
# Routes whose `code` is a commune's or an EPCI's, not a département's.
SORTE_DU_CODE = {
    "territoires:commune": "commune",
    "territoires:commune_geojson": "commune",
    "api:commune": "commune",
    "api:diagnostic_epci": "epci",
}


def routes() -> list[tuple[str, URLPattern]]:
    """(namespaced name, pattern) of every named URL pattern, the admin left out."""

    def parcourir(resolveur, espace=""):
        for motif in resolveur.url_patterns:
            if isinstance(motif, URLResolver):
                yield from parcourir(motif, f"{espace}{motif.namespace}:" if motif.namespace else espace)
            elif motif.name:
                yield f"{espace}{motif.name}", motif

    vues = {}
    for nom, motif in parcourir(get_resolver()):
        if not nom.startswith(EXCLUES):
            vues.setdefault(nom, motif)
    return sorted(vues.items())


def _cloner(original, **champs):
    """A saved copy of `original` with `champs` changed (`original` itself is left as it was)."""
    objet = type(original).objects.get(pk=original.pk)
    objet.pk = None
    objet._state.adding = True
    for champ, valeur in champs.items():
        setattr(objet, champ, valeur)
    objet.save()
    return objet


def _pdf():
    from django.core.files.base import ContentFile

    return ContentFile(b"%PDF-1.4\n%%EOF\n", name="document-de-test.pdf")


def objets_94() -> dict:
    compte_structure = Utilisateur.objects.get(email="structure@demo.maillage.fr")
    structure = compte_structure.structure
    projet = ProjetSocial.objects.filter(structure=structure).first()
    scenario = Scenario.objects.filter(departement_id="94").first() or Scenario.objects.create(
        departement_id="94", nom="Scénario de test", date_reference=datetime.date(2016, 12, 31)
    )
    document = DocumentProjet.objects.filter(projet=projet).first() if projet else None
    if projet and document is None:  # the demo deposits no document
        document = DocumentProjet.objects.create(
            projet=projet, nature=DocumentProjet.Nature.AUTRE, titre="Document de test", fichier=_pdf()
        )
    travail = Travail.objects.create(nature="test.matrice", libelle="Travail de test", departement_id="94")
    reponse = Reponse.objects.filter(structure=structure).select_related("campagne__questionnaire").first()
    return {
        "departement": "94",
        "commune": structure.commune_id,
        "epci": structure.commune.epci_id,
        "structure": structure,
        "compte": Utilisateur.objects.filter(role=Role.STRUCTURE).exclude(pk=compte_structure.pk).first(),
        "chargement": Chargement.objects.first(),
        "contact": Contact.objects.filter(structure=structure).first(),
        "projet": projet,
        "document": document,
        "agrement": Agrement.objects.filter(structure=structure).first(),
        "scenario": scenario,
        "campagne": reponse.campagne,
        "reponse": reponse,
        "fiche": FicheExperience.objects.filter(structure__departement_id="94").first(),
        "travail": travail,
        "organisation": Organisation.objects.filter(departement_id="94", type=Organisation.Type.FEDERATION).first(),
        "mandat": Mandat.objects.filter(departement_id="94").order_by("pk").first(),
        **objets_schema_94(),
        **objets_reseau_94(),
    }


def objets_reseau_94() -> dict:
    """The demo's departmental day of 29/09/2016 and one of each of its parts (a batch and an invitation
    created here when the demo has none)."""
    evenement = Evenement.objects.filter(departement_id="94", type="journee_departementale").order_by("pk").first()
    personne = Personne.objects.filter(departement_id="94").order_by("pk").first()
    invitation = Invitation.objects.filter(evenement=evenement).order_by("pk").first()
    if invitation is None and evenement is not None:
        invitation = Invitation.objects.create(evenement=evenement, email="invite-test@exemple.fr", nom="Invité test")
    envoi = Envoi.objects.filter(evenement=evenement).order_by("pk").first()
    if envoi is None and evenement is not None:
        envoi = Envoi.objects.create(evenement=evenement, nature="message", objet="Message de test")
    return {
        "evenement": evenement,
        "session": evenement.sessions.order_by("pk").first() if evenement else None,
        "inscription": Inscription.objects.filter(evenement=evenement, statut="confirmee").order_by("pk").first(),
        "invitation": invitation,
        "envoi": envoi,
        "personne": personne,
        "liste": ListeDiffusion.objects.filter(departement_id="94").order_by("pk").first(),
        "serie": SerieAteliers.objects.filter(departement_id="94").order_by("pk").first(),
        "ressource": Ressource.objects.filter(departement_id="94", visibilite="reseau").order_by("pk").first(),
        "actualite": Actualite.objects.filter(departement_id="94").order_by("pk").first(),
    }


def objets_reseau_93(de_94: dict, dep) -> dict:
    """The same in département 93 (cloned)."""
    evenement = _cloner(de_94["evenement"], departement=dep, serie=None, schema=None, organisateur=None,
                        lieu_commune=None) if de_94["evenement"] else None  # fmt: skip
    inscription = (
        _cloner(
            de_94["inscription"],
            evenement=evenement,
            code="ZZ93ZZ93",
            jeton="jeton-93-inscription",
            organisation=None,
            commune=None,
            personne=None,
            compte=None,
            invitation=None,
        )  # fmt: skip
        if de_94["inscription"] and evenement
        else None
    )
    personne = (
        _cloner(de_94["personne"], departement=dep, organisation=None, commune=None) if de_94["personne"] else None
    )
    serie = _cloner(de_94["serie"], departement=dep) if de_94["serie"] else None
    return {
        "evenement": evenement,
        "session": _cloner(de_94["session"], evenement=evenement) if de_94["session"] and evenement else None,
        "inscription": inscription,
        "invitation": _cloner(de_94["invitation"], evenement=evenement, personne=None, jeton="jeton-93-invitation")
        if de_94["invitation"] and evenement
        else None,
        "envoi": _cloner(de_94["envoi"], evenement=evenement, cree_par=None) if de_94["envoi"] and evenement else None,
        "personne": personne,
        "liste": _cloner(de_94["liste"], departement=dep) if de_94["liste"] else None,
        "serie": serie,
        "ressource": _cloner(de_94["ressource"], departement=dep, serie=None, evenement=None, schema=None)
        if de_94["ressource"]
        else None,
        "actualite": _cloner(de_94["actualite"], departement=dep, evenement=None) if de_94["actualite"] else None,
    }


def objets_schema_94() -> dict:
    """The demo's SDAVS 2016-2020 and one of each of its parts (a document deposited here: the demo has none)."""
    schema = Schema.objects.get(departement_id="94")
    fiche = FicheAction.objects.filter(schema=schema).order_by("numero").first()
    reunion = Reunion.objects.filter(instance__schema=schema, decisions__isnull=False).order_by("date").first()
    return {
        "schema": schema,
        "enjeu": Enjeu.objects.filter(schema=schema).order_by("numero").first(),
        "fiche_action": fiche,
        "jalon": Jalon.objects.filter(fiche__schema=schema).order_by("pk").first(),
        "indicateur_schema": Indicateur.objects.filter(schema=schema, source="manuel").order_by("pk").first(),
        "valeur_indicateur": ValeurIndicateur.objects.filter(indicateur__schema=schema, source="manuel")
        .order_by("pk")
        .first(),
        "instance": reunion.instance,
        "reunion": reunion,
        "decision": Decision.objects.filter(reunion=reunion).order_by("pk").first(),
        "document_schema": DocumentSchema.objects.create(
            schema=schema, nature=DocumentSchema.Nature.ANNEXE, titre="Annexe de test", fichier=_pdf()
        ),
    }


def objets_schema_93(de_94: dict, dep) -> dict:
    """The same parts in a schéma of département 93 (cloned, so in force too: its public pages are public)."""
    schema = _cloner(de_94["schema"], departement=dep)
    axe = _cloner(de_94["fiche_action"].orientation.axe, schema=schema)
    orientation = _cloner(de_94["fiche_action"].orientation, axe=axe)
    fiche = _cloner(de_94["fiche_action"], schema=schema, orientation=orientation)
    indicateur = _cloner(de_94["indicateur_schema"], schema=schema, axe=None, fiche=None)
    instance = _cloner(de_94["instance"], schema=schema)
    reunion = _cloner(de_94["reunion"], instance=instance)
    return {
        "schema": schema,
        "enjeu": _cloner(de_94["enjeu"], schema=schema),
        "fiche_action": fiche,
        "jalon": _cloner(de_94["jalon"], fiche=fiche),
        "indicateur_schema": indicateur,
        "valeur_indicateur": _cloner(de_94["valeur_indicateur"], indicateur=indicateur),
        "instance": instance,
        "reunion": reunion,
        "decision": _cloner(de_94["decision"], reunion=reunion),
        "document_schema": _cloner(de_94["document_schema"], schema=schema, fichier=_pdf()),
    }


def objets_93(de_94: dict) -> dict:
    """Département 93 with one object of each kind, cloned from those of 94."""
    dep = DepartementFactory(
        code="93", nom="Seine-Saint-Denis", region_id=Commune.objects.get(code="94028").departement.region_id
    )
    epci = _cloner(EPCI.objects.get(code=de_94["epci"]), code="200057875") if de_94["epci"] else None
    commune = CommuneFactory(code="93066", nom="Saint-Denis", departement=dep, epci=epci)
    structure = _cloner(Structure.objects.get(pk=de_94["structure"].pk), commune=commune, departement=dep, siret="")
    projet = _cloner(de_94["projet"], structure=structure) if de_94["projet"] else None
    campagne = _cloner(Campagne.objects.get(pk=de_94["campagne"].pk), departement=dep)
    organisation = _cloner(de_94["organisation"], departement=dep) if de_94["organisation"] else None
    return {
        "departement": "93",
        "commune": commune.code,
        "epci": epci.code if epci else None,
        "structure": structure,
        "compte": UtilisateurFactory(role=Role.STRUCTURE, structure=structure, departements=[dep]),
        "chargement": None,
        "contact": _cloner(de_94["contact"], structure=structure) if de_94["contact"] else None,
        "projet": projet,
        "document": _cloner(de_94["document"], projet=projet, fichier=_pdf()) if de_94["document"] and projet else None,
        "agrement": _cloner(de_94["agrement"], structure=structure) if de_94["agrement"] else None,
        "scenario": _cloner(Scenario.objects.get(pk=de_94["scenario"].pk), departement=dep),
        "campagne": campagne,
        "reponse": _cloner(Reponse.objects.get(pk=de_94["reponse"].pk), campagne=campagne, structure=structure),
        "fiche": _cloner(de_94["fiche"], structure=structure) if de_94["fiche"] else None,
        "travail": Travail.objects.create(nature="test.matrice", libelle="Travail de test", departement=dep),
        "organisation": organisation,
        "mandat": _cloner(de_94["mandat"], organisation=organisation, departement=dep) if de_94["mandat"] else None,
        **objets_schema_93(de_94, dep),
        **objets_reseau_93(de_94, dep),
    }


def parametres(nom: str, motif: URLPattern, objets: dict) -> dict | None:
    """The URL's keyword arguments from `objets`, or None when that département has no such object."""
    valeurs = {}
    for cle in motif.pattern.converters or _noms_ninja(motif):
        if cle in ("pk", "id", "evenement_id") and nom.startswith(PREFIXES_EVENEMENT) and nom not in SORTE_DU_PK:
            valeur = objets["evenement"].pk if objets.get("evenement") is not None else None
        elif cle in ("pk", "id") and nom.startswith("api:actualite"):
            valeur = objets["actualite"].pk if objets.get("actualite") is not None else None
        elif cle in ("session_pk", "inscription_pk", "envoi_pk"):
            objet = objets[cle.removesuffix("_pk")]
            valeur = objet.pk if objet is not None else None
        elif cle == "jeton":
            objet = objets[SORTE_DU_JETON.get(nom, "inscription")]
            valeur = objet.jeton if objet is not None else None
        elif cle == "format":
            valeur = "csv"
        elif cle in ("pk", "id"):
            sorte = SORTE_DU_PK.get(nom, "structure")
            objet = objets[sorte]
            valeur = objet.pk if objet is not None else None
        elif cle == "code":
            valeur = objets[SORTE_DU_CODE.get(nom, "departement")]
        elif cle == "annee":
            valeur = 2015 if nom.startswith("financements:") else 2016
        elif cle == "nature":
            # A schéma's ordered items are designated by their nature: an enjeu stands for all of them.
            valeur = "enjeu" if nom.startswith("schema:") else "realise"
        elif cle == "section":
            valeur = objets["reponse"].campagne.questionnaire.definition["sections"][0]["code"]
        elif cle == "action":
            valeur = "valider"
        elif cle in ("uidb64", "token"):
            valeur = "invalide"
        else:
            raise AssertionError(f"Paramètre {cle!r} de {nom} inconnu : complétez parametres().")
        if valeur is None:
            return None
        valeurs[cle] = valeur
    return valeurs


def _noms_ninja(motif) -> list[str]:
    # django-ninja routes are plain `<code>` patterns, without converters.
    import re

    return re.findall(r"<(?:\w+:)?(\w+)>", str(motif.pattern))


def classe(reponse) -> str:
    statut = reponse.status_code
    if statut in (301, 302, 303, 307, 308):
        return "302-connexion" if reverse("comptes:connexion") in reponse["Location"] else "302"
    return str(statut)


def observer(client, methode: str, url: str) -> str:
    avant = LogEntry.objects.count()
    # A logout (or a new login) changes the client's cookies: the rollback must not leave them behind.
    cookies = client.cookies
    client.cookies = SimpleCookie(cookies.output(header="", sep="\n"))
    with transaction.atomic():
        reponse = client.get(url) if methode == "GET" else client.post(url)
        ecrit = LogEntry.objects.count() > avant
        transaction.set_rollback(True)
    # A file response keeps its file open until closed; closing also signals the end of the request, which must
    # not close the connection holding the test's transaction (PostgreSQL), as the test client ensures.
    signals.request_finished.disconnect(close_old_connections)
    try:
        reponse.close()
    finally:
        signals.request_finished.connect(close_old_connections)
    client.cookies = cookies
    return classe(reponse) + ("+écrit" if ecrit else "")


@pytest.fixture
def cas(demo):
    de_94 = objets_94()
    de_93 = objets_93(de_94)
    liste = []
    for nom, motif in routes():
        for suffixe, objets in (("", de_94), (" [93]", de_93)):
            valeurs = parametres(nom, motif, objets)
            a_parametres = bool(motif.pattern.converters or _noms_ninja(motif))
            if suffixe and not a_parametres:
                continue
            url = reverse(nom, kwargs=valeurs) if valeurs is not None else None
            liste.append((nom + suffixe, url))
    return liste


def _lire() -> dict:
    return json.loads(FICHIER.read_text(encoding="utf-8")) if FICHIER.exists() else {}


def _ecrire(table: dict):
    # One line per URL: the file is read and reviewed by people.
    lignes = [
        f"  {json.dumps(cle, ensure_ascii=False)}: {json.dumps(table[cle], ensure_ascii=False)}"
        for cle in sorted(table)
    ]
    FICHIER.write_text("{\n" + ",\n".join(lignes) + "\n}\n", encoding="utf-8")


@pytest.mark.parametrize("role", ROLES)
def test_matrice_des_droits(cas, role, settings):
    settings.DEBUG = False  # the answers of production, not the demo's
    client = client_de(role)
    observe, erreurs = {}, []
    for cle, url in cas:
        if url is None:
            observe[cle] = "sans objet"
            continue
        cellule = " ".join(observer(client, methode, url) for methode in ("GET", "POST"))
        observe[cle] = cellule
        if any(partie.startswith("5") for partie in cellule.split(" ")):
            erreurs.append(f"{cle} ({url}) : {cellule} — une erreur serveur n'est jamais attendue")
    if ECRIRE:
        table = _lire()
        for cle, cellule in observe.items():
            table.setdefault(cle, {})[role] = cellule
        _ecrire(table)
    else:
        table = _lire()
        for cle, cellule in observe.items():
            if cle not in table or role not in table[cle]:
                erreurs.append(
                    f"{cle} : absente de {FICHIER.name} pour {role} ; "
                    f"ajoutez-la en lançant `{COMMANDE}` puis relisez le diff"
                )
            elif table[cle][role] != cellule:
                erreurs.append(f"{cle} : attendu « {table[cle][role]} », obtenu « {cellule} » ({role})")
        erreurs += [f"{cle} : dans {FICHIER.name} mais plus dans les URL" for cle in table if cle not in observe]
    assert not erreurs, f"{len(erreurs)} écarts ({role}) :\n" + "\n".join(erreurs)
