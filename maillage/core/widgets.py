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
