"""Reminders before events: `manage.py envoyer_rappels [--jours 2]`, meant for a daily cron, e.g.

    0 8 * * *  cd /srv/maillage && .venv/bin/python manage.py envoyer_rappels

For each published event starting within the next N days, one reminder (« Rappel — <titre> », with the iCalendar
invitation) to each confirmed registrant not yet reminded. Idempotent: a second run the same day sends nothing more
(those reminded, or queued, are skipped); someone registered since the last run gets theirs on the next one."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from maillage.core.horloge import maintenant
from maillage.reseau import services_envois
from maillage.reseau.forms_envois import textes_par_defaut
from maillage.reseau.models import Envoi, Evenement


class Command(BaseCommand):
    help = (
        "Envoie un rappel aux inscrits confirmés des événements publiés qui commencent dans les N prochains jours "
        "(2 par défaut), une seule fois par personne : à lancer chaque jour (cron). Les courriels partent en tâche "
        "de fond (worker db_worker) ou tout de suite avec MAILLAGE_TACHES=immediate."
    )

    def add_arguments(self, parser):
        parser.add_argument("--jours", type=int, default=2, help="Horizon en jours (défaut : 2).")

    def handle(self, *args, jours: int, **options):
        if jours < 0 or jours > 60:
            raise CommandError("--jours doit être compris entre 0 et 60.")
        debut = maintenant()
        fin = debut + datetime.timedelta(days=jours)
        evenements = Evenement.objects.filter(statut=Evenement.Statut.PUBLIE, debut__gte=debut, debut__lte=fin)
        lots = 0
        for evenement in evenements.order_by("debut", "pk"):
            textes = textes_par_defaut(evenement, Envoi.Nature.RAPPEL)
            envoi = services_envois.rappels_creer(evenement=evenement, objet=textes["objet"], message=textes["message"])
            if envoi is None:
                continue
            lots += 1
            nombre = envoi.destinataires.count()
            self.stdout.write(f"« {evenement.titre} » : rappel à {nombre} inscrit(s) (envoi {envoi.pk}).")
        if not lots:
            self.stdout.write("Aucun rappel à envoyer.")
