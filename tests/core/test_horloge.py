"""The one clock (`maillage.core.horloge`): what it returns, and a guard that nothing else reads "today".

Every business "today" (what is active, late, due or open; default dates of forms, filters and API parameters;
"depuis N jours"; business timestamps such as a submission or a publication) comes from `aujourdhui()` or
`maintenant()`, so that the demo (pinned to 15/10/2016) tells one story. Real technical instants stay real: they
are listed below, each with its reason. A new read of the real clock fails this test until it goes through the
clock or is added here with a reason.
"""

import datetime
import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import timezone

from maillage.core import horloge

RACINE = Path(__file__).resolve().parents[2] / "maillage"

# A read of the real clock: the call without argument (`timezone.localtime(instant)` only converts an instant).
LECTURE = re.compile(
    r"date\.today\(\)|datetime\.today\(\)|datetime\.now\(|timezone\.now\(\)|timezone\.localdate\(\)"
    r"|timezone\.localtime\(\)|\btime\.time\(\)"
)

JOURNAL = "journal of loads and imports: the real instants of the run"
TRAVAUX = "background job bookkeeping (start, end, abandonment)"
CONSERVATION = "retention of uploaded files: real age of the file"

# {file: {fragment of the line: reason}}.
AUTORISES = {
    "core/horloge.py": {
        "return timezone.localdate()": "the clock itself: the real date when not pinned",
        "reel = timezone.localtime()": "the clock itself: the real time of day",
    },
    "core/formulaires.py": {"cree_le__lt=timezone.now() - DUREE_JETON": "expiry of one-time form tokens"},
    "accueil/a_faire.py": {
        "depuis = timezone.now() - datetime.timedelta(days=JOURS_IMPORTS_REFUSES)": (
            "the import journal records real instants: its last 30 days are real ones"
        ),
    },
    "core/travaux.py": {
        "travail.cree_le > timezone.now() - ABANDON": TRAVAUX,
        "termine_le=timezone.now()": TRAVAUX,
        "battement=timezone.now()": TRAVAUX,
        "debut = timezone.now()": TRAVAUX,
        "limite = timezone.now() - silence_max()": TRAVAUX,
        "ancienne.finished_at = timezone.now()": TRAVAUX,
    },
    "core/management/commands/purger_travaux.py": {"limite = timezone.now()": TRAVAUX},
    "core/management/commands/sauvegarder.py": {"maillage-{timezone.localtime()": "file name of a backup"},
    "core/sauvegarde.py": {
        '"date": timezone.now().isoformat()': "instant of a backup (its manifest)",
        "date_time=timezone.localtime().timetuple()": "instant of a backup (zip entries)",
    },
    "comptes/services_donnees.py": {'"genere_le": timezone.now()': "instant of a personal data export (RGPD)"},
    "comptes/management/commands/purger_journaux.py": {"maintenant = timezone.now()": "retention of the audit log"},
    "territoires/services.py": {
        'champs.setdefault("fin", timezone.now())': JOURNAL,
        "debut, chrono = timezone.now(), time.monotonic()": JOURNAL,
        "debut_import = timezone.now()": JOURNAL,
        "fin=timezone.now(),": JOURNAL,
        "debut = timezone.now()": JOURNAL,
    },
    "structures/services_import.py": {"debut = timezone.now()": JOURNAL, "fin=timezone.now(),": JOURNAL},
    "structures/views_echanges.py": {
        "limite = timezone.now() - DUREE_CONSERVATION": CONSERVATION,
        "Import enregistré le {datetime.date.today()": "the import's real instant, as its journal records it",
    },
    "diagnostic/services_import.py": {
        "debut = timezone.now()": JOURNAL,
        "fin=timezone.now(),": JOURNAL,
        "update(fin=timezone.now())": JOURNAL,
    },
    "observatoire/services_import.py": {"debut = timezone.now()": JOURNAL, "fin=timezone.now(),": JOURNAL},
    "observatoire/services_references.py": {"debut = timezone.now()": JOURNAL},
    "observatoire/saisie/views.py": {
        'enregistre_a = timezone.localtime().strftime("%H:%M")': "time of day of the autosave just done"
    },
    "schema/views_echanges.py": {"limite = timezone.now() - DUREE_CONSERVATION": CONSERVATION},
    "schema/services_indicateurs.py": {"maintenant = timezone.now()": "instant a computed value was stored (cache)"},
    "reseau/calendrier.py": {"datetime.datetime.now(datetime.UTC)": "iCalendar DTSTAMP: instant the file is made"},
    "reseau/taches.py": {
        "travail.cree_le < timezone.now() - ABANDON": TRAVAUX,
        "envoye_le=timezone.now()": "real instant an e-mail was sent",
        "termine_le=timezone.now()": TRAVAUX,
    },
    "reseau/services_envois.py": {"termine_le=timezone.now()": TRAVAUX},
    "reseau/services_annuaire.py": {"debut = timezone.now()": JOURNAL, "fin=timezone.now(),": JOURNAL},
    "reseau/echanges_annuaire.py": {"debut=debut or timezone.now()": JOURNAL},
    "reseau/views_annuaire.py": {
        "limite = timezone.now() - DUREE_CONSERVATION": CONSERVATION,
        "timezone.localdate().isoformat()": "file name of an export (the day it is made)",
    },
    "demo/registre.py": {"debut = timezone.now()": JOURNAL, "fin=timezone.now(),": JOURNAL},
    "demo/jeu_national.py": {"debut_chargement = timezone.now()": JOURNAL, "fin=timezone.now(),": JOURNAL},
    "demo/jeu_national_schema.py": {"debut_chargement = timezone.now()": JOURNAL, "fin=timezone.now(),": JOURNAL},
}


def _lectures():
    for chemin in sorted(RACINE.rglob("*.py")):
        relatif = chemin.relative_to(RACINE).as_posix()
        if "/migrations/" in f"/{relatif}":
            continue
        for numero, ligne in enumerate(chemin.read_text(encoding="utf-8").splitlines(), start=1):
            if LECTURE.search(ligne) and not ligne.lstrip().startswith("#"):
                yield relatif, numero, ligne.strip()


def test_aucune_date_du_jour_hors_horloge():
    inconnues, utilises = [], set()
    for relatif, numero, ligne in _lectures():
        fragments = [f for f in AUTORISES.get(relatif, {}) if f in ligne]
        if fragments:
            utilises.update((relatif, f) for f in fragments)
        else:
            inconnues.append(f"{relatif}:{numero}: {ligne}")
    assert not inconnues, (
        "Date du jour lue hors de maillage.core.horloge (utilisez horloge.aujourdhui()/maintenant(), ou ajoutez "
        "une raison technique dans AUTORISES) :\n" + "\n".join(inconnues)
    )
    perimes = [f"{r}: {f}" for r, fragments in AUTORISES.items() for f in fragments if (r, f) not in utilises]
    assert not perimes, "Entrées d'AUTORISES qui ne correspondent plus à rien :\n" + "\n".join(perimes)


def test_aucun_now_dans_les_gabarits():
    fautifs = [
        chemin.relative_to(RACINE).as_posix()
        for chemin in RACINE.rglob("templates/**/*")
        if chemin.is_file() and re.search(r"{%\s*now\b", chemin.read_text(encoding="utf-8", errors="ignore"))
    ]
    assert not fautifs, f"{{% now %}} lit l'horloge réelle ; utilisez {{% aujourdhui as jour %}} : {fautifs}"


def test_horloge_reelle_par_defaut(settings):
    settings.MAILLAGE_AUJOURDHUI = ""
    assert horloge.aujourdhui() == timezone.localdate()
    assert abs(horloge.maintenant() - timezone.now()) < datetime.timedelta(seconds=5)


@pytest.mark.parametrize("valeur", ["2016-10-15", datetime.date(2016, 10, 15)])
def test_horloge_fixee(settings, valeur):
    settings.MAILLAGE_AUJOURDHUI = valeur
    assert horloge.aujourdhui() == datetime.date(2016, 10, 15)
    assert timezone.localtime(horloge.maintenant()).date() == datetime.date(2016, 10, 15)


def test_balise_aujourdhui(settings):
    settings.MAILLAGE_AUJOURDHUI = "2016-10-15"
    rendu = Template("{% load maillage %}{% aujourdhui as jour %}{{ jour.year }}|{{ jour|date:'d/m/Y' }}").render(
        Context()
    )
    assert rendu == "2016|15/10/2016"


def test_fixee(settings):
    settings.MAILLAGE_AUJOURDHUI = ""
    assert not horloge.fixee()
    settings.MAILLAGE_AUJOURDHUI = "2016-10-15"
    assert horloge.fixee()
