"""The public entry to the observatoire's results: the campaigns by year and département, with their synthesis and
each year's national sheet.

Published campaigns are listed to everyone, anonymous visitors included; a campaign not yet published is listed,
marked « non publiée », only to those who may see its département's non-public reports (rule
`departement.voir_pilotage`, the same as the synthesis page's). One query for the campaigns whatever their number
(plus the reader's départements, once).
"""

from dataclasses import dataclass, field

from django import forms
from django.shortcuts import render

from maillage.core.permissions import departements_autorises
from maillage.territoires.models import Departement

from ..resultats import selectors as selectors_resultats


class FiltrePublicationsForm(forms.Form):
    departement = forms.ChoiceField(label="Département", required=False, choices=[("", "Tous")])

    def __init__(self, *args, departements=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departement"].choices = [("", "Tous")] + list(departements)


@dataclass
class Annee:
    annee: int
    campagnes: list = field(default_factory=list)

    @property
    def annees_donnees(self) -> list[int]:
        return sorted({c.annee_donnees for c in self.campagnes})


def publications(request):
    # The campaigns whose synthesis the reader may open: the published ones, and the others of the départements
    # where the rule `departement.voir_pilotage` lets them see non-public reports.
    pilotage = departements_autorises(request.user, "departement.voir_pilotage", Departement.objects.all())
    campagnes = list(selectors_resultats.campagnes_des_publications(pilotage.values("code")))
    departements = sorted({(c.departement_id, f"{c.departement.nom} ({c.departement_id})") for c in campagnes})
    filtre = FiltrePublicationsForm(request.GET or None, departements=departements)
    choisi = filtre.cleaned_data["departement"] if filtre.is_bound and filtre.is_valid() else ""
    annees: dict[int, Annee] = {}
    for campagne in campagnes:
        if not choisi or campagne.departement_id == choisi:
            annees.setdefault(campagne.annee, Annee(campagne.annee)).campagnes.append(campagne)
    contexte = {
        "annees": list(annees.values()),
        "filtre": filtre if filtre.is_bound else FiltrePublicationsForm(departements=departements),
        "filtre_actif": bool(choisi),
        "avec_non_publiees": any(not c.publiee for c in campagnes),
    }
    return render(request, "observatoire/resultats/publications.html", contexte)
