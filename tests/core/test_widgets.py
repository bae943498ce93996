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
