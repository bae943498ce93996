import datetime

from django import forms
from django.utils import formats


class ChampDate(forms.DateInput):
    """A native date picker: its value must be ISO (2015-12-31) whatever the user or the URL typed.

    A bound form re-renders the submitted text as is; "31/12/2015" from a shared link would leave the
    picker empty and the next submission would lose the date.
    """

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")

    def format_value(self, value):
        if isinstance(value, str) and value:
            for format_entree in formats.get_format("DATE_INPUT_FORMATS"):
                try:
                    return datetime.datetime.strptime(value.strip(), format_entree).date().isoformat()
                except ValueError:
                    continue
        return super().format_value(value)


class CasesACocherFiltrables(forms.CheckboxSelectMultiple):
    """A long checkbox list (the 47 communes of a département) in a bounded scrolling box, checked items first.

    Works without JavaScript (plain checkboxes, a count of the checked ones); js/formulaires.js adds a filter
    box above the list (accents and case ignored) and keeps the count up to date. `nom` and `nom_pluriel` name
    the items in the count ("1 commune cochée", "12 communes cochées"); `feminin` agrees the participle.
    """

    template_name = "core/widgets/cases_filtrables.html"

    def __init__(self, attrs=None, choices=(), *, nom="élément", nom_pluriel=None, feminin=False):
        super().__init__(attrs=attrs, choices=choices)
        self.nom = nom
        self.nom_pluriel = nom_pluriel or f"{nom}s"
        self.feminin = feminin

    def compte(self, nombre: int) -> str:
        coche = "cochée" if self.feminin else "coché"
        if nombre == 0:
            return f"Aucun{'e' if self.feminin else ''} {self.nom} {coche}"
        if nombre == 1:
            return f"1 {self.nom} {coche}"
        return f"{nombre} {self.nom_pluriel} {coche}s"

    def optgroups(self, name, value, attrs=None):
        # Checked items first, each group keeping its own index (and so its input's id).
        groupes = super().optgroups(name, value, attrs)
        return sorted(groupes, key=lambda groupe: not any(option["selected"] for option in groupe[1]))

    def get_context(self, name, value, attrs):
        contexte = super().get_context(name, value, attrs)
        coches = sum(1 for _, options, _ in contexte["widget"]["optgroups"] for option in options if option["selected"])
        contexte["widget"].update(
            compte=self.compte(coches),
            nom=self.nom,
            nom_pluriel=self.nom_pluriel,
            modeles_compte={
                "zero": self.compte(0),
                "un": self.compte(1),
                "plusieurs": self.compte(2).replace("2", "{n}", 1),
            },
        )
        return contexte
