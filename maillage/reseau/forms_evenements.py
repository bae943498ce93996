"""Forms of the event pages (input only: `services` and `services_programme` validate and write).

Choices (communes, organisations, series, schémas) are limited to the event's département."""

from django import forms

from maillage.core.versions import AvecVersion
from maillage.schema.models import Schema

from . import selectors_evenements as selecteurs
from .models import Evenement, SerieAteliers, SessionProgramme
from .selectors_evenements import PERIODES

NOMBRE_INTERVENANTS = 4
_FORMAT_MOMENT = "%Y-%m-%dT%H:%M"


class ChampMoment(forms.DateTimeInput):
    """A native date-and-time picker (value in ISO, minutes)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=_FORMAT_MOMENT)


def _moment(label, *, required=True, **kwargs):
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=ChampMoment(),
        error_messages={"required": f"Indiquez {label.lower()}.", "invalid": "Date et heure invalides."},
        **kwargs,
    )


class _ChoixNom(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return getattr(obj, "nom", None) or getattr(obj, "titre", str(obj))


class _ChoixNoms(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.nom


ORDRE_EVENEMENT = [
    "titre", "type", "statut", "acces", "debut", "fin", "lieu_nom", "lieu_adresse", "lieu_commune", "longitude",
    "latitude", "description", "public_vise", "organisateur", "coorganisateurs", "capacite", "date_limite_inscription",
    "inscriptions_fermees", "liste_attente", "serie", "schema", "version",
]  # fmt: skip


class EvenementForm(AvecVersion, forms.Form):
    titre = forms.CharField(label="Titre", max_length=250)
    type = forms.ChoiceField(label="Type", choices=Evenement.Type.choices)
    statut = forms.ChoiceField(
        label="Statut", choices=Evenement.Statut.choices, help_text="Un brouillon n'est visible que des organisateurs."
    )
    acces = forms.ChoiceField(label="Qui peut s'inscrire", choices=Evenement.Acces.choices)
    debut = _moment("Début")
    fin = _moment("Fin")
    lieu_nom = forms.CharField(
        label="Lieu", max_length=200, required=False, help_text="Par exemple « Salle des fêtes »."
    )
    lieu_adresse = forms.CharField(label="Adresse", max_length=250, required=False)
    longitude = forms.FloatField(
        label="Longitude", required=False, help_text="Facultatif, pour la carte (par exemple 2,45).", localize=True
    )
    latitude = forms.FloatField(label="Latitude", required=False, help_text="Par exemple 48,79.", localize=True)
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea(attrs={"rows": 6}))
    public_vise = forms.CharField(label="Public visé", max_length=250, required=False)
    capacite = forms.IntegerField(
        label="Capacité", required=False, min_value=1, help_text="Nombre de places ; vide : pas de limite."
    )
    date_limite_inscription = _moment("Date limite d'inscription", required=False)
    inscriptions_fermees = forms.BooleanField(label="Fermer les inscriptions maintenant", required=False)
    liste_attente = forms.BooleanField(label="Liste d'attente au-delà de la capacité", required=False, initial=True)

    def __init__(self, *args, departement_id: str, **kwargs):
        super().__init__(*args, **kwargs)
        initial = self.initial
        self.fields["lieu_commune"] = _ChoixNom(
            label="Commune",
            queryset=selecteurs.communes_du_departement(departement_id),
            required=False,
            error_messages={"invalid_choice": "Choisissez une commune du département."},
        )
        deja_orga = [o.pk for o in [initial.get("organisateur"), *(initial.get("coorganisateurs") or [])] if o]
        organisations = selecteurs.organisations_du_departement(departement_id, deja=deja_orga)
        self.fields["organisateur"] = _ChoixNom(
            label="Organisateur",
            queryset=organisations,
            required=False,
            error_messages={"invalid_choice": "Choisissez une organisation du département."},
        )
        self.fields["coorganisateurs"] = _ChoixNoms(
            label="Co-organisateurs",
            queryset=organisations,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            error_messages={"invalid_choice": "Choisissez des organisations du département."},
        )
        self.fields["serie"] = _ChoixNom(
            label="Série d'ateliers",
            queryset=SerieAteliers.objects.filter(departement_id=departement_id).order_by("titre"),
            required=False,
            help_text="Pour une séance d'une série d'ateliers.",
            error_messages={"invalid_choice": "Choisissez une série du département."},
        )
        self.fields["schema"] = _ChoixNom(
            label="Schéma directeur",
            queryset=Schema.objects.filter(departement_id=departement_id).order_by("titre"),
            required=False,
            error_messages={"invalid_choice": "Choisissez un schéma du département."},
        )
        for champ in ("lieu_commune", "organisateur", "serie", "schema"):
            self.fields[champ].empty_label = "— Aucun —"
        # The place together, then the organisers; the hidden version last.
        self.order_fields(ORDRE_EVENEMENT)

    def champs_saisis(self) -> dict:
        donnees = super().champs_saisis()
        donnees["coorganisateurs"] = list(donnees.get("coorganisateurs") or [])
        return donnees


def valeurs_evenement(evenement: Evenement) -> dict:
    from .services import CHAMPS_EVENEMENT

    valeurs = {champ: getattr(evenement, champ) for champ in CHAMPS_EVENEMENT}
    valeurs["coorganisateurs"] = list(evenement.coorganisateurs.all())
    return valeurs


class SessionForm(forms.Form):
    titre = forms.CharField(label="Titre", max_length=250)
    type = forms.ChoiceField(label="Type", choices=SessionProgramme.Type.choices)
    debut = _moment("Début")
    fin = _moment("Fin")
    salle = forms.CharField(label="Salle", max_length=150, required=False)
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    capacite = forms.IntegerField(
        label="Capacité", required=False, min_value=1, help_text="Vide : pas de limite propre."
    )
    au_choix = forms.BooleanField(
        label="Au choix des inscrits", required=False, help_text="Ateliers en parallèle, choisis à l'inscription."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(NOMBRE_INTERVENANTS):
            n = i + 1
            self.fields[f"intervenant_{i}_nom"] = forms.CharField(label=f"Intervenant·e {n} : nom", required=False)
            self.fields[f"intervenant_{i}_fonction"] = forms.CharField(
                label=f"Intervenant·e {n} : fonction", required=False
            )
            self.fields[f"intervenant_{i}_organisation"] = forms.CharField(
                label=f"Intervenant·e {n} : organisation", required=False
            )

    def champs_session(self):
        return [self[n] for n in ("titre", "type", "debut", "fin", "salle", "description", "capacite", "au_choix")]

    def lignes_intervenants(self):
        return [
            (i + 1, [self[f"intervenant_{i}_{c}"] for c in ("nom", "fonction", "organisation")])
            for i in range(NOMBRE_INTERVENANTS)
        ]

    def champs_saisis(self) -> dict:
        donnees = {n: self.cleaned_data[n] for n in self.fields if not n.startswith("intervenant_")}
        intervenants = []
        for i in range(NOMBRE_INTERVENANTS):
            if _ligne_remplie(self.cleaned_data, i):
                intervenants.append(
                    {c: self.cleaned_data[f"intervenant_{i}_{c}"] for c in ("nom", "fonction", "organisation")}
                )
        donnees["intervenants"] = intervenants
        return donnees


def valeurs_session(session: SessionProgramme) -> dict:
    valeurs = {
        c: getattr(session, c)
        for c in ("titre", "type", "debut", "fin", "salle", "description", "capacite", "au_choix")
    }
    for i, intervenant in enumerate(list(session.intervenants.all())[:NOMBRE_INTERVENANTS]):
        for c in ("nom", "fonction", "organisation"):
            valeurs[f"intervenant_{i}_{c}"] = getattr(intervenant, c)
    return valeurs


def _ligne_remplie(donnees: dict, i: int) -> bool:
    return any((donnees.get(f"intervenant_{i}_{c}") or "").strip() for c in ("nom", "fonction", "organisation"))


def erreurs_intervenants(form: SessionForm, erreur) -> None:
    """Put the service's `intervenants.<i>.<champ>` errors on the matching field of the form."""
    if not hasattr(erreur, "error_dict"):
        form.add_error(None, erreur)
        return
    for cle, messages in erreur.error_dict.items():
        if cle.startswith("intervenants."):
            _, rang, champ = cle.split(".", 2)
            # The service numbers the filled rows only: find the form row of that rank.
            remplies = [i for i in range(NOMBRE_INTERVENANTS) if _ligne_remplie(form.cleaned_data, i)]
            nom = f"intervenant_{remplies[int(rang)]}_{champ}" if int(rang) < len(remplies) else None
            form.add_error(nom if nom in form.fields else None, messages)
        else:
            form.add_error(cle if cle in form.fields else None, messages)


class SerieForm(AvecVersion, forms.Form):
    titre = forms.CharField(label="Titre", max_length=250)
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea(attrs={"rows": 5}))


class FiltresForm(forms.Form):
    departement = forms.ChoiceField(label="Département", required=False)
    periode = forms.ChoiceField(label="Période", choices=list(PERIODES.items()), required=False)
    type = forms.ChoiceField(label="Type", choices=[("", "Tous les types"), *Evenement.Type.choices], required=False)

    def __init__(self, *args, departements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departement"].choices = [("", "Tous les départements")] + [
            (d.code, f"{d.code} — {d.nom}") for d in departements
        ]
