"""Forms of the schéma's governance (input only: `services_gouvernance` validates and writes).

Choices are limited to the schéma's own département (organisations, accounts) and to its own fiches actions."""

import datetime

from django import forms
from django.utils import timezone

from maillage.core.versions import AvecVersion
from maillage.core.widgets import ChampDate

from . import selectors_gouvernance as selecteurs
from .models import Decision, Instance, Reunion
from .services_gouvernance import TAILLE_MAX_COMPTE_RENDU


class ChoixCompte(forms.ModelMultipleChoiceField):
    def label_from_instance(self, compte):
        nom = compte.get_full_name() or compte.email
        return f"{nom} ({compte.organisation.nom})" if compte.organisation_id else nom


class ChoixOrganisations(forms.ModelMultipleChoiceField):
    def label_from_instance(self, organisation):
        return organisation.nom


class ChoixFiches(forms.ModelMultipleChoiceField):
    def label_from_instance(self, fiche):
        return f"{fiche.numero} — {fiche.titre}"


def _deja(initial: dict, champ: str) -> list[int]:
    """Ids of the objects an edit form opens with (kept as choices even if deactivated since)."""
    valeur = initial.get(champ) or []
    return [o.pk for o in (valeur if isinstance(valeur, list | tuple) else [valeur]) if o is not None]


def _organisations(schema, label, deja=(), **kwargs):
    return ChoixOrganisations(
        label=label,
        queryset=selecteurs.organisations_du_departement(schema, deja=deja),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choisissez des organisations du département du schéma."},
        **kwargs,
    )


def _comptes(schema, label, deja=(), **kwargs):
    return ChoixCompte(
        label=label,
        queryset=selecteurs.comptes_du_departement(schema, deja=deja),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choisissez des comptes du département du schéma."},
        **kwargs,
    )


class InstanceForm(AvecVersion, forms.Form):
    type = forms.ChoiceField(label="Type", choices=[("", "— Choisir —"), *Instance.Type.choices])
    nom = forms.CharField(label="Nom", max_length=200, help_text="Par exemple « COPIL du schéma » ou « Groupe QPV ».")
    mission = forms.CharField(label="Mission", required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, schema, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"] = _organisations(
            schema, "Organisations membres", _deja(self.initial, "organisations")
        )
        self.fields["membres"] = _comptes(
            schema,
            "Membres (comptes)",
            _deja(self.initial, "membres"),
            help_text="Les personnes qui siègent, parmi les comptes du département.",
        )
        if "version" in self.fields:
            self.fields["version"] = self.fields.pop("version")  # keep it last, hidden


def valeurs_instance(instance: Instance) -> dict:
    return {
        "type": instance.type,
        "nom": instance.nom,
        "mission": instance.mission,
        "organisations": list(instance.organisations.all()),
        "membres": list(instance.membres.all()),
    }


class ReunionForm(AvecVersion, forms.Form):
    """Planning a meeting (date, time, place, agenda); for an existing one, its record too: attendance, minutes,
    held or not."""

    jour = forms.DateField(label="Date", widget=ChampDate())
    heure = forms.TimeField(
        label="Heure", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), initial=datetime.time(14, 0)
    )
    lieu = forms.CharField(label="Lieu", max_length=300, required=False)
    ordre_du_jour = forms.CharField(label="Ordre du jour", required=False, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, schema, reunion: Reunion | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if reunion is None:
            return
        self.fields["organisations_presentes"] = _organisations(
            schema, "Organisations présentes", _deja(self.initial, "organisations_presentes")
        )
        self.fields["presents"] = _comptes(schema, "Personnes présentes (comptes)", _deja(self.initial, "presents"))
        self.fields["compte_rendu"] = forms.CharField(
            label="Compte rendu", required=False, widget=forms.Textarea(attrs={"rows": 10})
        )
        self.fields["compte_rendu_fichier"] = forms.FileField(
            label="Compte rendu (fichier)",
            required=False,
            help_text=f"PDF, ODT ou DOCX, {TAILLE_MAX_COMPTE_RENDU // (1024 * 1024)} Mo au plus"
            + (" ; remplace le fichier actuel." if reunion.compte_rendu_fichier else "."),
            widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.odt,.docx"}),
        )
        if reunion.compte_rendu_fichier:
            self.fields["retirer_fichier"] = forms.BooleanField(label="Retirer le fichier actuel", required=False)
        if not reunion.avancements_figes:
            self.fields["tenue"] = forms.BooleanField(
                label="La réunion s'est tenue : figer maintenant l'avancement du schéma et de ses axes",
                required=False,
                help_text="La prochaine réunion de l'instance montrera ce qui a bougé depuis.",
            )
        if "version" in self.fields:
            self.fields["version"] = self.fields.pop("version")

    def clean(self):
        donnees = super().clean()
        if donnees.get("jour") and donnees.get("heure") is not None:
            donnees["date"] = timezone.make_aware(datetime.datetime.combine(donnees["jour"], donnees["heure"]))
        return donnees

    def valeurs(self) -> dict:
        """The service's arguments."""
        d = self.cleaned_data
        valeurs = {"date": d["date"], "lieu": d["lieu"], "ordre_du_jour": d["ordre_du_jour"]}
        if "presents" in self.fields:
            valeurs |= {
                "organisations_presentes": list(d["organisations_presentes"]),
                "presents": list(d["presents"]),
                "compte_rendu": d["compte_rendu"],
                "fichier": d.get("compte_rendu_fichier") or None,
                "retirer_fichier": bool(d.get("retirer_fichier")),
                "tenue": bool(d.get("tenue")),
            }
        return valeurs


def valeurs_reunion(reunion: Reunion) -> dict:
    local = timezone.localtime(reunion.date)
    return {
        "jour": local.date(),
        "heure": local.time().replace(second=0, microsecond=0),
        "lieu": reunion.lieu,
        "ordre_du_jour": reunion.ordre_du_jour,
        "organisations_presentes": list(reunion.organisations_presentes.all()),
        "presents": list(reunion.presents.all()),
        "compte_rendu": reunion.compte_rendu,
    }


class DecisionForm(AvecVersion, forms.Form):
    texte = forms.CharField(label="Décision", widget=forms.Textarea(attrs={"rows": 4}))
    echeance = forms.DateField(
        label="Échéance", required=False, widget=ChampDate(), help_text="Pas avant la date de la réunion."
    )
    statut = forms.ChoiceField(label="Statut", choices=Decision.Statut.choices, initial=Decision.Statut.A_FAIRE)

    def __init__(self, *args, schema, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsable"] = forms.ModelChoiceField(
            label="Organisation responsable",
            queryset=selecteurs.organisations_du_departement(schema, deja=_deja(self.initial, "responsable")),
            required=False,
            empty_label="— Aucune —",
            error_messages={"invalid_choice": "Choisissez une organisation du département du schéma."},
            help_text="Ses comptes partenaires pourront faire avancer le statut de la décision.",
        )
        self.fields["responsable"].label_from_instance = lambda o: o.nom
        self.fields["fiches"] = ChoixFiches(
            label="Fiches actions concernées",
            queryset=selecteurs.fiches_du_schema(schema),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            error_messages={"invalid_choice": "Une décision ne peut être liée qu'à des fiches actions de ce schéma."},
        )
        if "version" in self.fields:
            self.fields["version"] = self.fields.pop("version")

    def valeurs(self) -> dict:
        d = self.cleaned_data
        return {
            "texte": d["texte"],
            "echeance": d["echeance"],
            "statut": d["statut"],
            "responsable": d["responsable"],
            "fiches": list(d["fiches"]),
        }


def valeurs_decision(decision: Decision) -> dict:
    return {
        "texte": decision.texte,
        "echeance": decision.echeance,
        "statut": decision.statut,
        "responsable": decision.responsable,
        "fiches": list(decision.fiches.all()),
    }


class VersionForm(AvecVersion, forms.Form):
    """Only the version the page was opened at: the button of an action on a shared object (« figer »)."""


class StatutDecisionForm(AvecVersion, forms.Form):
    statut = forms.ChoiceField(label="Statut", choices=Decision.Statut.choices)


class FiltresDecisionsForm(forms.Form):
    statut = forms.ChoiceField(label="Statut", required=False, choices=[("", "Tous"), *Decision.Statut.choices])
    en_retard = forms.BooleanField(label="En retard seulement", required=False)

    def __init__(self, *args, schema, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsable"] = forms.ModelChoiceField(
            label="Responsable",
            queryset=selecteurs.organisations_du_departement(schema, inactives=True),
            required=False,
            empty_label="Tous",
            error_messages={"invalid_choice": "Cette organisation n'est pas du département : filtre ignoré."},
        )
        self.fields["responsable"].label_from_instance = lambda o: o.nom
        self.order_fields(["statut", "responsable", "en_retard"])

    def criteres(self) -> dict:
        """The valid filters (an invalid one is ignored, and its error shown)."""
        self.is_valid()
        propres = getattr(self, "cleaned_data", {})
        return {
            "statut": propres.get("statut", ""),
            "responsable": propres.get("responsable"),
            "en_retard": bool(propres.get("en_retard")),
        }
