"""Forms of the registrations: the public form (also prefilled from an account or an invitation, and used by the
organisers to add someone), the change form of the personal page, the organisers' filters."""

from django import forms

from maillage.comptes.models import Organisation
from maillage.core.versions import AvecVersion
from maillage.territoires.models import Commune

from .models import Categorie, Inscription

CONSENTEMENT_AIDE = (
    "Facultatif. Base légale : votre consentement (RGPD, article 6.1.a). Si vous cochez, la Caf ajoute vos "
    "coordonnées professionnelles à l'annuaire du réseau de l'animation de la vie sociale du département pour vous "
    "inviter aux prochaines rencontres. Vous pouvez retirer cet accord à tout moment en écrivant à la Caf."
)


def _libelle_session(session) -> str:
    heure = f"{session.debut:%H:%M}–{session.fin:%H:%M}"
    if session.restantes is None:
        places = ""
    elif session.restantes == 0:
        places = " — complet"
    else:
        pluriel = "s" if session.restantes > 1 else ""
        places = f" — {session.restantes} place{pluriel} restante{pluriel}"
    return f"{session.titre} ({heure}{', ' + session.salle if session.salle else ''}){places}"


class InscriptionForm(forms.Form):
    nom = forms.CharField(max_length=150, error_messages={"required": "Indiquez votre nom."})
    prenom = forms.CharField(label="Prénom", max_length=150, required=False)
    email = forms.EmailField(
        label="Adresse e-mail",
        max_length=254,
        help_text="Votre lien personnel (pour modifier ou annuler) y sera envoyé.",
        error_messages={
            "required": "Indiquez une adresse e-mail.",
            "invalid": "Cette adresse e-mail n'est pas valide (exemple : prenom.nom@exemple.fr).",
        },
    )
    telephone = forms.CharField(label="Téléphone", max_length=30, required=False)
    fonction = forms.CharField(max_length=200, required=False)
    organisation_nom = forms.CharField(label="Organisation", max_length=200, required=False)
    type_organisation = forms.ChoiceField(
        label="Type d'organisation", required=False, choices=[("", "—"), *Organisation.Type.choices]
    )
    categorie = forms.ChoiceField(
        label="Catégorie",
        choices=Categorie.choices,
        initial=Categorie.AUTRE,
        error_messages={"invalid_choice": "Choisissez une catégorie dans la liste."},
    )
    commune = forms.ModelChoiceField(
        label="Commune", queryset=Commune.objects.none(), required=False, empty_label="—",
        help_text="Facultatif : la commune où vous travaillez, pour les statistiques par territoire.",
    )  # fmt: skip
    sessions = forms.MultipleChoiceField(
        label="Ateliers au choix",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Deux ateliers à la même heure ne peuvent pas être choisis ensemble.",
    )
    consentement = forms.BooleanField(
        label="J'accepte d'être recontacté·e par le réseau", required=False, help_text=CONSENTEMENT_AIDE
    )

    def __init__(self, *args, evenement, sessions=(), email_fixe: str = "", avec_consentement: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.evenement = evenement
        communes = Commune.objects.filter(departement_id=evenement.departement_id)
        self.fields["commune"].queryset = communes.order_by("nom")
        sessions = list(sessions)
        if sessions:
            self.fields["sessions"].choices = [(str(s.pk), _libelle_session(s)) for s in sessions]
        else:
            del self.fields["sessions"]
        if email_fixe:
            self.fields["email"].initial = email_fixe
            self.fields["email"].disabled = True
            self.fields["email"].help_text = "L'adresse de votre compte ou de votre invitation."
        if not avec_consentement:
            del self.fields["consentement"]

    GROUPES = (
        ("Vous", ("nom", "prenom", "email", "telephone", "fonction")),
        ("Organisation", ("organisation_nom", "type_organisation", "categorie", "commune")),
    )

    def groupes(self):
        """[(legend, [bound fields])] for the fieldsets; sessions and consent come after them."""
        return [(legende, [self[c] for c in champs if c in self.fields]) for legende, champs in self.GROUPES]

    def identite(self) -> dict:
        d = self.cleaned_data
        return {c: d.get(c, "") for c in ("nom", "prenom", "email", "telephone", "fonction", "organisation_nom",
                                          "categorie", "type_organisation")}  # fmt: skip

    def sessions_choisies(self) -> list[int]:
        return [int(v) for v in self.cleaned_data.get("sessions", [])]


class ModificationForm(AvecVersion, InscriptionForm):
    """The registrant changes their details and sessions (the e-mail does not change)."""

    def __init__(self, *args, inscription: Inscription, **kwargs):
        kwargs.setdefault("initial", initial_inscription(inscription))
        super().__init__(*args, email_fixe=inscription.email, avec_consentement=False, version=inscription.version,
                         **kwargs)  # fmt: skip
        del self.fields["commune"]
        self.fields["email"].help_text = "L'adresse ne se change pas : annulez et inscrivez-vous à nouveau."


def initial_inscription(inscription: Inscription) -> dict:
    return {
        "nom": inscription.nom, "prenom": inscription.prenom, "email": inscription.email,
        "telephone": inscription.telephone, "fonction": inscription.fonction,
        "organisation_nom": inscription.organisation_nom, "type_organisation": inscription.type_organisation,
        "categorie": inscription.categorie,
        "sessions": [str(c.session_id) for c in inscription.choix.all()],
    }  # fmt: skip


class FiltresForm(forms.Form):
    statut = forms.ChoiceField(label="Statut", required=False, choices=[("", "Tous"), *Inscription.Statut.choices])
    categorie = forms.ChoiceField(label="Catégorie", required=False, choices=[("", "Toutes"), *Categorie.choices])
    q = forms.CharField(label="Nom ou organisation", required=False, max_length=100)

    def criteres(self) -> dict:
        if not self.is_valid():
            return {}
        d = self.cleaned_data
        return {"statut": d["statut"], "categorie": d["categorie"], "recherche": d["q"]}
