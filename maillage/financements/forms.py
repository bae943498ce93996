"""The budget form: fields only; amounts are parsed and validated by `services.budget_enregistrer`."""

from django import forms

from maillage.core.versions import AvecVersion

from .models import Financeur

CHARGES = [
    (
        "charges_totales",
        "Total des charges (€)",
        "Toutes les charges de l'exercice : c'est le budget de la structure. Les montants sont en euros, avec "
        "deux décimales au plus, par exemple 412 500 ou 412 500,50.",
    ),
    ("charges_pilotage", "Charges de pilotage (€)", "Direction, coordination : base de la PS animation globale."),
    (
        "charges_logistique",
        "Charges de logistique (€)",
        "Accueil, secrétariat, locaux : base de la PS animation globale.",
    ),
    (
        "charges_referent_familles",
        "Charges du ou de la référent·e familles (€)",
        "Salaire et frais du ou de la référent·e familles : base de la PS ACF.",
    ),
]


def _montant(libelle: str, aide: str = "", requis: bool = False) -> forms.CharField:
    return forms.CharField(
        label=libelle,
        help_text=aide,
        required=requis,
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class BudgetForm(AvecVersion, forms.Form):
    """Charges, one field per funder and, for the Caf's PS, one field per PS type of the year."""

    def __init__(self, *args, types_ps=(), **kwargs):
        super().__init__(*args, **kwargs)
        for nom, libelle, aide in CHARGES:
            self.fields[nom] = _montant(libelle, aide, requis=nom == "charges_totales")
        self.types_ps = list(types_ps)
        for type_ps in self.types_ps:
            self.fields[f"ps_{type_ps.code}"] = _montant(f"Caf — PS {type_ps.libelle} (€)")
        for code, libelle in Financeur.choices:
            if code != Financeur.CAF_PS:
                self.fields[f"produit_{code}"] = _montant(f"{libelle} (€)")
        self.fields["commentaire"] = forms.CharField(
            label="Commentaire", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
        )

    def champs_charges(self):
        return [self[nom] for nom, _, _ in CHARGES]

    def champs_ps(self):
        return [self[f"ps_{t.code}"] for t in self.types_ps]

    def champs_produits(self):
        return [self[f"produit_{code}"] for code, _ in Financeur.choices if code != Financeur.CAF_PS]

    def arguments_service(self) -> dict:
        donnees = self.cleaned_data
        produits = {code: donnees.get(f"produit_{code}") for code, _ in Financeur.choices if code != Financeur.CAF_PS}
        produits[Financeur.CAF_PS] = {t.code: donnees.get(f"ps_{t.code}") for t in self.types_ps}
        return {
            **{nom: donnees.get(nom) for nom, _, _ in CHARGES},
            "produits": produits,
            "commentaire": donnees.get("commentaire", ""),
        }
