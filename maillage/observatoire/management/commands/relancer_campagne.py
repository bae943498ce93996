from django.core.management.base import BaseCommand, CommandError

from maillage.observatoire.models import Campagne
from maillage.observatoire.relecture import selectors as selectors_relecture
from maillage.observatoire.relecture import services as services_relecture


class Command(BaseCommand):
    help = (
        "Relance par e-mail les structures en retard d'une campagne de l'observatoire (non soumises après la date"
        " limite, ou « à corriger » depuis plus de 14 jours), au plus une fois par jour et par structure. À lancer"
        " par une tâche planifiée (cron) ; les relances demandées depuis le tableau de suivi passent, elles, par les"
        " tâches de fond (db_worker). Une relance déjà envoyée le jour même, d'où qu'elle vienne, n'est pas refaite."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campagne", type=int, required=True, help="Identifiant (pk) de la campagne")
        parser.add_argument("--simulation", action="store_true", help="Liste les relances sans rien envoyer")

    def handle(self, *args, campagne, simulation, **options):
        try:
            objet = Campagne.objects.select_related("departement").get(pk=campagne)
        except Campagne.DoesNotExist:
            raise CommandError(f"Campagne inconnue : {campagne}.") from None
        reponses = selectors_relecture.reponses_suivies(None, objet)
        envois = services_relecture.relancer(par=None, campagne=objet, reponses=reponses, simulation=simulation)
        for envoi in envois:
            self.stdout.write(f"{envoi['structure']} — {envoi['retard']} : {', '.join(envoi['destinataires'])}")
        verbe = "seraient relancées" if simulation else "relancées"
        self.stdout.write(self.style.SUCCESS(f"{len(envois)} structure(s) {verbe}."))
