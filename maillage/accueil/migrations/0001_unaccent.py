"""The PostgreSQL `unaccent` extension, for the search (maillage/accueil/recherche.py). Nothing on SQLite, where the
search registers its own function. Where the database refuses the extension (no privilege), the migration goes on
and the search ignores case only."""

import logging

from django.db import DatabaseError, migrations, transaction

logger = logging.getLogger(__name__)


def creer_unaccent(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    except DatabaseError as erreur:
        # A refusal (no privilege, extension not installed) leaves the search without accents, not the deploy broken.
        logger.warning("Extension unaccent non créée (%s) : la recherche ignorera la casse, pas les accents.", erreur)


class Migration(migrations.Migration):
    dependencies = []

    operations = [migrations.RunPython(creer_unaccent, migrations.RunPython.noop, elidable=False)]
