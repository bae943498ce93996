"""Forms of the registry: the directory's filters and the back-office pages.

Forms only shape and check input; the services decide and write. Choices are limited to the user's
scope (communes, QPV and gestionnaires of the structure's département): a forged value is an invalid
choice, with Django's French message, before the service checks it again.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q

from maillage.core import horloge
from maillage.core.versions import CHAMP_VERSION, AvecVersion
from maillage.core.widgets import CasesACocherFiltrables, ChampDate
from maillage.territoires import perimetres
from maillage.territoires.models import QPV, Commune, Departement

from . import services
from .models import Contact, DocumentProjet, Gestionnaire, ModeGestion, ProjetSocial, Structure, TypeStructure

# --- Directory filters ----------------------------------------------------------------------------

PAR_PAGE = (("25", "25"), ("50", "50"))


class FiltreAnnuaireForm(forms.Form):
    q = forms.CharField(label="Rechercher", required=False, max_length=100, help_text="Nom, commune ou gestionnaire")
    departement = forms.ChoiceField(label="Département", required=False)
    commune = forms.ChoiceField(label="Commune", required=False)
    perimetre = forms.ChoiceField(
        label="Territoire",
        required=False,
        help_text="EPCI, EPT ou regroupement de communes (Caf, Département) du département choisi.",
    )
    type = forms.ChoiceField(label="Type", required=False, choices=[("", "Tous")] + TypeStructure.choices)
    gestion = forms.ChoiceField(label="Mode de gestion", required=False, choices=[("", "Tous")] + ModeGestion.choices)
    date = forms.DateField(
        label="Active à la date du",
        required=False,
        widget=ChampDate(),
        help_text="Structures titulaires d'un agrément couvrant cette date.",
    )
    toutes = forms.BooleanField(label="Inclure les structures sans agrément à cette date", required=False)
    par_page = forms.ChoiceField(label="Résultats par page", required=False, choices=PAR_PAGE)

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and not data.get("date"):
            # The date in effect is shown in the field: the page says which day the list describes.
            data = data.copy()
            data["date"] = horloge.aujourdhui().isoformat()
        super().__init__(data, *args, **kwargs)
        # Every département and commune is a valid filter (an empty list is an answer, not an error).
        departements = Departement.objects.only("code", "nom").order_by("code")
        self.fields["departement"].choices = [("", "Tous")] + [(d.code, f"{d.code} — {d.nom}") for d in departements]
        code = (self.data.get("departement") or "").strip() if self.is_bound else ""
        if code:
            communes = Commune.objects.filter(departement_id=code).only("code", "nom")
            self.fields["commune"].choices = [("", "Toutes")] + [(c.code, c.nom) for c in communes.order_by("nom")]
        else:
            # Without a département, the commune is given by its INSEE code (a link from a commune page).
            self.fields["commune"] = forms.RegexField(
                label="Commune (code INSEE)", required=False, regex=r"^[0-9AB]{5}$", max_length=5
            )
        # The département's périmètres in force today (EPCI, EPT, the Caf's and the Département's groupings).
        self.perimetres = {}
        choix = [("", "Tout le département" if code else "Choisissez d'abord un département")]
        if code:
            for decoupage, liste in perimetres.perimetres_du_departement(code, date=horloge.aujourdhui()):
                choix.append((decoupage.libelle, [(p.valeur, p.nom) for p in liste]))
                self.perimetres.update({p.valeur: p for p in liste})
        self.fields["perimetre"].choices = choix

    def filtres(self) -> dict:
        """The valid filters (an invalid one is ignored, and its error shown)."""
        donnees = self.cleaned_data if self.is_bound and self.is_valid() else getattr(self, "cleaned_data", {})
        return {
            "date": donnees.get("date") or horloge.aujourdhui(),
            "departement": donnees.get("departement") or None,
            "commune": donnees.get("commune") or None,
            "perimetre": self.perimetres.get(donnees.get("perimetre") or ""),
            "type": donnees.get("type") or None,
            "gestion": donnees.get("gestion") or None,
            "recherche": donnees.get("q") or "",
            "toutes": bool(donnees.get("toutes")),
        }

    def nombre_par_page(self) -> int:
        return int(getattr(self, "cleaned_data", {}).get("par_page") or 25)


# --- Structures -------------------------------------------------------------------------------------


def gestionnaires_du_departement(code: str):
    return Gestionnaire.objects.filter(
        Q(commune__departement_id=code)
        | Q(Exists(Structure.objects.filter(gestionnaire=OuterRef("pk"), departement_id=code)))
    ).order_by("nom")


class StructureForm(AvecVersion, forms.ModelForm):
    """Create or edit a structure; the fields shown are those the user may change (services.champs_modifiables)."""

    site_web = forms.URLField(label="Site web", required=False, max_length=200, assume_scheme="https")
    # Localised: "2,4556" as French users type it (and as the form shows it back).
    longitude = forms.FloatField(
        required=False, localize=True, widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
    )
    latitude = forms.FloatField(
        required=False, localize=True, widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
    )
    code_postal = forms.CharField(
        label="Code postal",
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )

    class Meta:
        model = Structure
        fields = [
            "type",
            "nom",
            "siret",
            "gestionnaire",
            "adresse",
            "code_postal",
            "commune",
            "longitude",
            "latitude",
            "communes_competence",
            "qpv_competence",
            "telephone",
            "email",
            "site_web",
            "presentation",
            "multi_sites",
            "itinerante",
            "gens_du_voyage",
            "situation_qpv",
            "adherent_federation",
            "date_premier_agrement",
            "date_ouverture",
            "date_fermeture",
        ]
        widgets = {
            "communes_competence": CasesACocherFiltrables(nom="commune", feminin=True),
            "qpv_competence": CasesACocherFiltrables(nom="quartier prioritaire", nom_pluriel="quartiers prioritaires"),
            "date_premier_agrement": ChampDate(),
            "date_ouverture": ChampDate(),
            "date_fermeture": ChampDate(),
            "presentation": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "siret": "14 chiffres ; les espaces sont acceptés.",
            "code_postal": "5 chiffres, par exemple 94400.",
            "longitude": "En degrés décimaux (WGS 84), par exemple 2,4556. Laissez vide pour placer la structure au "
            "centre de la commune.",
            "latitude": "En degrés décimaux (WGS 84), par exemple 48,7904.",
            "communes_competence": "Communes du département où la structure intervient.",
            "qpv_competence": "Quartiers prioritaires du département où la structure intervient.",
        }

    def __init__(self, *args, user, departement: str, **kwargs):
        super().__init__(*args, **kwargs)
        structure = self.instance if self.instance.pk else None
        permis = services.champs_modifiables(user, structure) if structure else services.CHAMPS_STRUCTURE
        for nom in list(self.fields):
            if nom not in permis and nom != CHAMP_VERSION:
                del self.fields[nom]
        communes = Commune.objects.filter(departement_id=departement).only("code", "nom", "departement_id")
        if "commune" in self.fields:
            self.fields["commune"].queryset = communes.order_by("nom")
        if "communes_competence" in self.fields:
            self.fields["communes_competence"].queryset = communes.order_by("nom")
        if "qpv_competence" in self.fields:
            self.fields["qpv_competence"].queryset = (
                QPV.objects.filter(
                    Exists(QPV.communes.through.objects.filter(qpv=OuterRef("pk"), commune__departement_id=departement))
                )
                .only("code", "nom", "generation")
                .order_by("-generation", "nom")
            )
        if "gestionnaire" in self.fields:
            self.fields["gestionnaire"].queryset = gestionnaires_du_departement(departement)
            self.fields["gestionnaire"].help_text = "Absent de la liste ? Créez d'abord le gestionnaire."

    def clean_code_postal(self):
        # "94 400" as some people type it.
        return "".join(self.cleaned_data.get("code_postal", "").split())

    def clean(self):
        # The service's checks of the postal code and of the position run here too, so that their errors come
        # with those of the other fields instead of after the next submission.
        donnees = super().clean()
        if "commune" in self.fields:
            commune = donnees.get("commune")
        else:
            commune = self.instance.commune if self.instance.commune_id else None
        if "code_postal" in self.fields and donnees.get("code_postal"):
            for message in services.erreurs_code_postal(donnees["code_postal"], commune):
                self.add_error("code_postal", message)
        position = ("longitude", "latitude")
        if commune is not None and all(nom in self.fields and nom not in self.errors for nom in position):
            _, _, erreurs = services.verifier_position(commune, donnees.get("longitude"), donnees.get("latitude"))
            for champ, messages in erreurs.items():
                for message in messages:
                    self.add_error(champ, message)
        return donnees

    def _post_clean(self):
        # The model's own checks run in the service (with the position and zone rules); here only the form's.
        pass

    def champs(self) -> dict:
        return self.champs_saisis()


class GestionnaireForm(forms.Form):
    nom = forms.CharField(max_length=250)
    forme_juridique = forms.ChoiceField(label="Forme juridique", choices=Gestionnaire.FormeJuridique.choices)
    designation = forms.ChoiceField(
        label="Mode de désignation du gestionnaire",
        choices=[("", "— selon la forme juridique —")] + list(Gestionnaire.Designation.choices),
        required=False,
        help_text="Une délégation de service public ou un marché public range la structure dans « Autre (dont "
        "délégation) » de SENACS, même gérée par une association.",
    )
    siret = forms.CharField(label="SIRET", max_length=20, required=False, help_text="14 chiffres ; facultatif.")
    commune = forms.ModelChoiceField(label="Commune du siège", queryset=Commune.objects.none(), required=False)

    def __init__(self, *args, departement: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = (
            Commune.objects.filter(departement_id=departement).only("code", "nom").order_by("nom")
        )


class FermetureForm(forms.Form):
    date = forms.DateField(label="Date de fermeture", widget=ChampDate())


# --- Contacts, projets sociaux, documents --------------------------------------------------------------


class ContactForm(AvecVersion, forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["fonction", "prenom", "nom", "email", "telephone", "base_legale", "consentement_le", "public"]
        widgets = {"consentement_le": ChampDate()}
        help_texts = {
            "base_legale": "Le fondement qui permet de conserver ces données personnelles.",
            "consentement_le": "Obligatoire si la base légale est le consentement ou si le contact est public.",
            "public": "Seulement avec l'accord daté de la personne.",
        }

    def clean(self):
        donnees = super().clean()
        consentement = donnees.get("consentement_le")
        if donnees.get("base_legale") == Contact.BaseLegale.CONSENTEMENT and not consentement:
            self.add_error("consentement_le", "Un contact fondé sur le consentement doit en dater le recueil.")
        elif donnees.get("public") and not consentement:
            self.add_error(
                "consentement_le",
                "Un contact n'est affiché sur la fiche publique qu'avec le consentement daté de la personne.",
            )
        return donnees

    def champs(self) -> dict:
        return self.champs_saisis()


class ProjetSocialForm(AvecVersion, forms.ModelForm):
    class Meta:
        model = ProjetSocial
        fields = ["intitule", "debut", "fin", "diagnostic", "axes"]
        widgets = {
            "debut": ChampDate(),
            "fin": ChampDate(),
            "diagnostic": forms.Textarea(attrs={"rows": 4}),
            "axes": forms.Textarea(attrs={"rows": 4}),
        }

    def champs(self) -> dict:
        return self.champs_saisis()


class DocumentForm(forms.ModelForm):
    class Meta:
        model = DocumentProjet
        fields = ["nature", "titre", "fichier"]
        help_texts = {
            "fichier": f"PDF, ODT, ODS, DOCX ou XLSX, {services.TAILLE_MAX_DOCUMENT // (1024 * 1024)} Mo au plus."
        }
        widgets = {"fichier": forms.ClearableFileInput(attrs={"accept": ".pdf,.odt,.ods,.docx,.xlsx"})}

    def clean_fichier(self):
        fichier = self.cleaned_data.get("fichier")
        if fichier and (raison := services.erreur_document(fichier)):
            raise ValidationError(raison)
        return fichier

    def _post_clean(self):
        # The instance is built by the service.
        pass
