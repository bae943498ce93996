"""Background tasks of the observatoire (django-tasks): the departmental report files and the reminders.

Each task receives the id of its `core.Travail` row and runs through `core.travaux.executer`, which records progress
and outcome. Arguments are JSON-able ids, never model instances (the database backend stores them).
"""

from maillage.comptes.models import Utilisateur
from maillage.core.travaux import ErreurTravail, executer, task

from .models import Campagne
from .relecture import selectors as selectors_relecture
from .relecture import services as services_relecture
from .resultats import rapports

FORMATS = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def nom_fichier(campagne: Campagne, format: str) -> str:
    return f"observatoire-{campagne.departement_id}-{campagne.annee}.{format}"


@task()
def generer_rapport(*, travail_id: str, campagne_id: int, format: str) -> str:
    def travail(suivi):
        campagne = Campagne.objects.select_related("departement").get(pk=campagne_id)
        try:
            if format == "pdf":
                contenu = rapports.rapport_pdf(campagne, progression=suivi.avancer)
            else:
                contenu = rapports.rapport_xlsx(campagne, progression=suivi.avancer)
        except rapports.PDFIndisponible as e:
            raise ErreurTravail(str(e)) from e
        return {"contenu": contenu, "nom_fichier": nom_fichier(campagne, format), "type_contenu": FORMATS[format]}

    return executer(travail_id, travail)


@task()
def envoyer_relances(*, travail_id: str, campagne_id: int, reponse_ids: list[int], par_id: int | None) -> str:
    def travail(suivi):
        campagne = Campagne.objects.select_related("departement").get(pk=campagne_id)
        par = Utilisateur.objects.filter(pk=par_id).first() if par_id else None
        if par_id and (par is None or not par.is_active):
            raise ErreurTravail("Le compte qui a demandé ces relances n'est plus actif : rien n'a été envoyé.")
        reponses = selectors_relecture.reponses_suivies(par, campagne).filter(pk__in=reponse_ids)
        envois = services_relecture.relancer(par=par, campagne=campagne, reponses=reponses, progression=suivi.avancer)
        ignorees = len(reponse_ids) - len(envois)
        message = f"{len(envois)} structure(s) relancée(s) par e-mail."
        if ignorees:
            message += f" {ignorees} non relancée(s) : plus en retard, déjà relancée(s) aujourd'hui ou sans compte."
        return {"message": message}

    return executer(travail_id, travail)


@task()
def generer_fiche_nationale(*, travail_id: str, annee: int, campagne_ids: list[int]) -> str:
    def travail(suivi):
        contenu = rapports.fiche_nationale_xlsx(annee, campagne_ids, progression=suivi.avancer)
        return {
            "contenu": contenu,
            "nom_fichier": f"observatoire-fiche-nationale-{annee}.xlsx",
            "type_contenu": FORMATS["xlsx"],
        }

    return executer(travail_id, travail)
