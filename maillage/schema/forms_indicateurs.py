"""Forms of the indicators (input only: `services_indicateurs` validates the whole and writes)."""

from django import forms

from maillage.core.versions import AvecVersion
from maillage.core.widgets import ChampDate

from . import indicateurs as catalogue
from .models import Axe, FicheAction, Indicateur


def _nombre(label: str, *, required: bool = False, aide: str = "") -> forms.CharField:
    # Read by the service (`lire_nombre`): "1 234,5" as well as "1234.5".
    return forms.CharField(label=label, required=required, max_length=40, help_text=aide,
                           widget=forms.TextInput(attrs={"inputmode": "decimal"}))  # fmt: skip


class ValeurForm(AvecVersion, forms.Form):
    date = forms.DateField(label="Date de la valeur", widget=ChampDate)
    valeur = _nombre("Valeur", required=True, aide="Un nombre, avec une virgule pour les décimales.")
    commentaire = forms.CharField(
        label="Commentaire",
        required=False,
        max_length=2000,
        help_text="La source du chiffre, ce qu'il compte ou ne compte pas.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


RATTACHEMENT_SCHEMA = "schema"


class IndicateurForm(AvecVersion, forms.Form):
    code = forms.CharField(
        label="Code", max_length=30, help_text="Court et unique dans le schéma, par exemple I-3.2 ou STRUCT."
    )
    libelle = forms.CharField(
        label="Libellé", max_length=300, required=False, help_text="Laissé vide : celui de la définition."
    )
    source = forms.ChoiceField(label="Source des valeurs", choices=Indicateur.Source.choices)
    definition = forms.ChoiceField(
        label="Définition du catalogue (indicateur calculé)",
        required=False,
        help_text="Le calcul fait par Maillage à partir du registre, du diagnostic, des budgets ou de l'observatoire.",
    )
    type_structure = forms.ChoiceField(
        label="Type de structure (paramètre de la définition)",
        required=False,
        choices=[("", "Tous les types"), *catalogue.PARAMETRE_TYPE["type"].items()],
        help_text="Seulement pour les définitions qui comptent des structures ou leurs budgets.",
    )
    unite = forms.CharField(
        label="Unité", max_length=30, required=False, help_text="Laissée vide : celle de la définition."
    )
    sens = forms.ChoiceField(
        label="Sens", choices=[("", "Celui de la définition"), *Indicateur.Sens.choices], required=False
    )
    rattachement = forms.ChoiceField(label="Rattaché à")
    reference_valeur = _nombre(
        "Valeur de référence",
        aide="Laissée vide pour un indicateur calculé : elle est calculée à la date de référence.",
    )
    reference_date = forms.DateField(label="Date de référence", required=False, widget=ChampDate)
    cible_valeur = _nombre("Cible")
    cible_date = forms.DateField(label="Date de la cible", required=False, widget=ChampDate)
    ordre = forms.IntegerField(label="Ordre d'affichage", min_value=0, max_value=32767, required=False, initial=0)

    def __init__(self, *args, schema, **kwargs):
        super().__init__(*args, **kwargs)
        self.schema = schema
        self.fields["definition"].choices = [("", "— Aucune (indicateur saisi) —")] + [
            (d.code, f"{d.libelle} ({d.unite})") for d in catalogue.CATALOGUE.values()
        ]
        self.axes = {str(a.pk): a for a in Axe.objects.filter(schema=schema).order_by("numero")}
        self.fiches = {
            str(f.pk): f for f in FicheAction.objects.filter(schema=schema).only("pk", "numero", "titre", "schema_id")
        }
        self.fields["rattachement"].choices = [
            (RATTACHEMENT_SCHEMA, "Le schéma"),
            ("Axes", [(f"axe:{pk}", f"Axe {a.numero} — {a.titre}"[:120]) for pk, a in self.axes.items()]),
            (
                "Fiches actions",
                [
                    (f"fiche:{pk}", f"{f.numero} — {f.titre}"[:120])
                    for pk, f in sorted(self.fiches.items(), key=lambda p: p[1].numero)
                ],
            ),
        ]

    @staticmethod
    def initial_de(indicateur: Indicateur) -> dict:
        rattachement = RATTACHEMENT_SCHEMA
        if indicateur.axe_id:
            rattachement = f"axe:{indicateur.axe_id}"
        elif indicateur.fiche_id:
            rattachement = f"fiche:{indicateur.fiche_id}"
        return {
            "code": indicateur.code,
            "libelle": indicateur.libelle,
            "source": indicateur.source,
            "definition": indicateur.definition,
            "type_structure": (indicateur.parametres or {}).get("type", ""),
            "unite": indicateur.unite,
            "sens": indicateur.sens,
            "rattachement": rattachement,
            "reference_valeur": _texte_nombre(indicateur.reference_valeur),
            "reference_date": indicateur.reference_date,
            "cible_valeur": _texte_nombre(indicateur.cible_valeur),
            "cible_date": indicateur.cible_date,
            "ordre": indicateur.ordre,
        }

    def donnees(self) -> dict:
        """The service's `donnees` from the cleaned form."""
        d = self.cleaned_data
        genre, _, pk = (d.get("rattachement") or "").partition(":")
        parametres = {"type": d["type_structure"]} if d.get("type_structure") else {}
        return {
            "code": d.get("code", ""),
            "libelle": d.get("libelle", ""),
            "source": d.get("source"),
            "definition": d.get("definition", ""),
            "parametres": parametres,
            "unite": d.get("unite", ""),
            "sens": d.get("sens") or "",
            "axe": self.axes.get(pk) if genre == "axe" else None,
            "fiche": self.fiches.get(pk) if genre == "fiche" else None,
            "reference_valeur": d.get("reference_valeur") or None,
            "reference_date": d.get("reference_date"),
            "cible_valeur": d.get("cible_valeur") or None,
            "cible_date": d.get("cible_date"),
            "ordre": d.get("ordre") or 0,
        }


def _texte_nombre(valeur) -> str:
    if valeur is None:
        return ""
    texte = format(valeur.normalize(), "f")
    return texte.replace(".", ",")
