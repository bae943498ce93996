"""The page where the pilote (or a mandated correspondent) writes the report's commentaries, one per section of the
plaquette, before the campaign's publication (rule `rapport.commenter`; read-only once published)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from maillage.core.permissions import exiger

from ..models import CommentaireRapport
from . import commentaires
from . import selectors as selectors_resultats

AIDES = {
    CommentaireRapport.Section.EDITORIAL: "Imprimé sur la couverture : le fait marquant de l'année, en deux ou trois"
    " phrases (600 caractères au plus).",
}


class CommentairesForm(forms.Form):
    def __init__(self, *args, fige=False, **kwargs):
        super().__init__(*args, **kwargs)
        for code, libelle in CommentaireRapport.Section.choices:
            self.fields[code] = forms.CharField(
                label=libelle,
                required=False,
                max_length=commentaires.LONGUEURS.get(code, commentaires.LONGUEUR_MAX),
                disabled=fige,
                help_text=AIDES.get(code, "Affiché en tête de la partie du rapport, avant les chiffres."),
                widget=forms.Textarea(attrs={"rows": 3}),
            )


def commentaires_rapport(request, code, annee):
    campagne = selectors_resultats.campagne_de(annee, code)
    exiger(request.user, "rapport.commenter", campagne)
    existants = commentaires.textes_par_section(campagne)
    fige = campagne.publiee
    if request.method == "POST" and not fige:
        form = CommentairesForm(request.POST, initial=existants)
        if form.is_valid():
            try:
                changes = commentaires.commentaires_enregistrer(
                    par=request.user, campagne=campagne, textes=form.cleaned_data
                )
            except ValidationError as e:
                form.add_error(None, e.messages)
            else:
                messages.success(
                    request,
                    f"{len(changes)} commentaire(s) enregistré(s) : le prochain rapport PDF les reprend."
                    if changes
                    else "Aucun changement.",
                )
                return redirect("observatoire:commentaires_rapport", annee=campagne.annee, code=campagne.departement_id)
    else:
        form = CommentairesForm(initial=existants, fige=fige)
    return render(
        request, "observatoire/resultats/commentaires.html", {"campagne": campagne, "form": form, "fige": fige}
    )
