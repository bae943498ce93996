"""`manage.py permissions`: the matrix "rule × role", computed from the registered rules (maillage.core.matrice)."""

from django.core.management.base import BaseCommand, CommandError

from maillage.core import matrice


class Command(BaseCommand):
    help = (
        "Affiche la matrice des permissions (une ligne par règle, une colonne par rôle), calculée à partir des "
        "règles ; --markdown pour le tableau Markdown, --ecrire pour mettre à jour docs/permissions.md."
    )

    def add_arguments(self, parser):
        groupe = parser.add_mutually_exclusive_group()
        groupe.add_argument("--markdown", action="store_true", help="Affiche le tableau au format Markdown.")
        groupe.add_argument("--ecrire", action="store_true", help=f"Réécrit la matrice dans {matrice.FICHIER}.")

    def handle(self, *args, markdown=False, ecrire=False, **options):
        if ecrire:
            actuel = matrice.FICHIER.read_text(encoding="utf-8") if matrice.FICHIER.exists() else None
            attendu = matrice.document_attendu(actuel)
            if attendu == actuel:
                self.stdout.write(f"{matrice.FICHIER} est déjà à jour.")
            else:
                matrice.FICHIER.write_text(attendu, encoding="utf-8")
                self.stdout.write(self.style.SUCCESS(f"{matrice.FICHIER} mis à jour."))
        else:
            self.stdout.write(matrice.markdown() if markdown else matrice.texte(), ending="")
        if matrice.INCONNU in matrice.markdown().replace("`", ""):
            raise CommandError(
                "Une case vaut « ? » : la règle donne un résultat qu'aucune formulation ne décrit "
                "(voir maillage/core/matrice.py)."
            )
