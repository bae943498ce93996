import datetime

from maillage.core.widgets import ChampDate


def test_le_champ_date_rend_toujours_une_date_iso():
    widget = ChampDate()
    # A shared link may carry the French form: the native picker needs ISO to show it.
    assert 'value="2015-12-31"' in widget.render("date", "31/12/2015")
    assert 'value="2015-12-31"' in widget.render("date", "2015-12-31")
    assert 'value="2015-12-31"' in widget.render("date", datetime.date(2015, 12, 31))
    # Garbage is shown back as typed, for the form's error message to make sense.
    assert 'value="31/13/2015"' in widget.render("date", "31/13/2015")


def test_cases_filtrables_sans_javascript():
    """A plain checkbox list, checked items first, and the count agreed in gender and number."""
    from django import forms

    from maillage.core.widgets import CasesACocherFiltrables

    class Formulaire(forms.Form):
        communes = forms.MultipleChoiceField(
            choices=[("a", "Ablon"), ("b", "Bry"), ("c", "Cachan")],
            required=False,
            widget=CasesACocherFiltrables(nom="commune", feminin=True),
        )
        quartiers = forms.MultipleChoiceField(
            choices=[("q", "Quartier")],
            required=False,
            widget=CasesACocherFiltrables(nom="quartier prioritaire", nom_pluriel="quartiers prioritaires"),
        )

    html = str(Formulaire(data={"communes": ["c", "b"]}))
    assert "2 communes cochées" in html and "Aucun quartier prioritaire coché" in html
    assert 'data-compte-un="1 commune cochée"' in html and 'data-compte-plusieurs="{n} communes cochées"' in html
    # Checked first, each input keeping the id of its choice; the box carries the field's id (for the summary).
    ordre = [html.index(f'id="id_communes_{i}"') for i in (1, 2, 0)]
    assert ordre == sorted(ordre)
    assert '<div id="id_communes" class="cases-filtrables__liste">' in html
    assert (
        str(Formulaire(data={"quartiers": ["q"]})).count("1 quartier prioritaire coché") == 2
    )  # the count, and the script's template
    # A copy of the form's fields keeps the words (Django deep-copies widgets for each form).
    assert Formulaire().fields["quartiers"].widget.compte(3) == "3 quartiers prioritaires cochés"
