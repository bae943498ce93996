"""Form of a new e-mail batch (nature, recipients, subject and text). Reads and checks the input; the choice of
recipients and the writes are the services' (`services_envois`)."""

from django import forms

from . import selectors_envois
from .models import Categorie, Destinataire, Envoi

LONGUEUR_OBJET = 250
PAGE_PERSONNES = 200

MESSAGES = {
    Envoi.Nature.INVITATION: (
        "Invitation — {titre}",
        "Nous avons le plaisir de vous inviter à « {titre} ».\n\n"
        "Cette rencontre réunit les acteurs de l'animation de la vie sociale du département : élus, "
        "centres sociaux, espaces de vie sociale, associations et partenaires. Le programme détaillé est "
        "en ligne.\n\nNous espérons vous y retrouver.",
    ),
    Envoi.Nature.MESSAGE: (
        "Information — {titre}",
        "Vous êtes inscrit·e à « {titre} ». Voici une information pratique avant l'événement :\n\n",
    ),
    Envoi.Nature.RAPPEL: (
        "Rappel — {titre}",
        "Nous vous rappelons votre inscription à « {titre} ». Nous avons hâte de vous accueillir.",
    ),
    Envoi.Nature.ENQUETE: (
        "Votre avis sur « {titre} »",
        "Merci de votre participation à « {titre} ». Votre avis nous aide à préparer les prochains "
        "rendez-vous du réseau : quelques minutes suffisent.",
    ),
}


def textes_par_defaut(evenement, nature: str) -> dict:
    objet, message = MESSAGES.get(nature, MESSAGES[Envoi.Nature.INVITATION])
    titre = evenement.titre
    return {"objet": objet.format(titre=titre)[:LONGUEUR_OBJET], "message": message.format(titre=titre)}


class EnvoiForm(forms.Form):
    nature = forms.ChoiceField(
        label="Nature de l'envoi",
        choices=Envoi.Nature.choices,
        widget=forms.RadioSelect,
        help_text="Une invitation va aux personnes de l'annuaire ; un message et un rappel, aux inscrits "
        "confirmés ; l'enquête de satisfaction, aux personnes présentes.",
    )
    categories = forms.MultipleChoiceField(
        label="Catégories", choices=Categorie.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Invitation : les personnes de ces catégories (toutes si aucune n'est cochée mais qu'un "
        "territoire est choisi).",
    )  # fmt: skip
    communes = forms.MultipleChoiceField(
        label="Communes", required=False, widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="Invitation : les personnes rattachées à ces communes (Ctrl ou Cmd pour en choisir plusieurs).",
    )  # fmt: skip
    epci = forms.MultipleChoiceField(
        label="EPCI / EPT", required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Invitation : les personnes des communes de ces intercommunalités.",
    )  # fmt: skip
    listes = forms.MultipleChoiceField(
        label="Listes de diffusion", required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Invitation : tous les membres de ces listes, en plus des critères ci-dessus.",
    )  # fmt: skip
    recherche = forms.CharField(
        label="Rechercher une personne", required=False, max_length=100,
        help_text="Nom, e-mail, organisation ou fonction, puis « Rechercher » : la liste ci-dessous se réduit.",
    )  # fmt: skip
    personnes = forms.TypedMultipleChoiceField(
        label="Personnes choisies une à une", coerce=int, required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text="Invitation : ajoutées en plus des critères et des listes (Ctrl ou Cmd pour en choisir plusieurs).",
    )  # fmt: skip
    avec_attente = forms.BooleanField(
        label="Inclure la liste d'attente", required=False, help_text="Message aux inscrits seulement."
    )
    objet = forms.CharField(label="Objet", max_length=LONGUEUR_OBJET)
    message = forms.CharField(
        label="Message", required=False, widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Le texte du courriel ; l'événement (date, lieu, lien vers le programme) et le lien personnel "
        "sont ajoutés en dessous.",
    )  # fmt: skip

    def __init__(self, *args, evenement, **kwargs):
        super().__init__(*args, **kwargs)
        dep = evenement.departement_id
        self.fields["communes"].choices = [(c.code, c.nom) for c in selectors_envois.communes_du_departement(dep)]
        self.fields["epci"].choices = [(e.pk, e.nom) for e in selectors_envois.epci_du_departement(dep)]
        self.fields["listes"].choices = [(str(li.pk), li.nom) for li in selectors_envois.listes_du_departement(dep)]
        source = self.data if self.is_bound else self.initial
        recherche = (source.get("recherche") or "").strip()[:100]
        choisies = source.getlist("personnes") if hasattr(source, "getlist") else source.get("personnes") or []
        choisies = [int(i) for i in choisies if str(i).isdigit()]
        personnes = selectors_envois.personnes_pour_choix(
            dep, recherche=recherche, inclure=choisies, limite=PAGE_PERSONNES
        )
        self.fields["personnes"].choices = [(p.pk, _libelle(p)) for p in personnes]

    def donnees_service(self) -> dict:
        d = self.cleaned_data
        return {k: d[k] for k in ("nature", "categories", "communes", "epci", "listes", "personnes", "avec_attente",
                                  "objet", "message")}  # fmt: skip


def _libelle(personne) -> str:
    morceaux = [personne.nom_complet]
    if personne.organisation_id:
        morceaux.append(personne.organisation.nom)
    if personne.email:
        morceaux.append(personne.email)
    return " — ".join(morceaux)


class FiltreDestinatairesForm(forms.Form):
    statut = forms.ChoiceField(
        label="Statut", required=False, choices=[("", "Tous")] + list(Destinataire.Statut.choices)
    )
