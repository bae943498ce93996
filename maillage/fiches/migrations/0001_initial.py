"""The fiches expérience leave the observatoire for their own app, keeping their table and rows.

State only: the table `observatoire_ficheexperience` was created by observatoire 0002 and stays as it is; the
observatoire forgets the model in its 0004, which runs after this one.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('observatoire', '0002_fiche_experience'),
        ('structures', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='FicheExperience',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('titre', models.CharField(max_length=200)),
                        ('theme', models.CharField(help_text="Code de la liste des thèmes d'action du questionnaire SENACS", max_length=60, verbose_name='thème')),
                        ('public_concerne', models.TextField(max_length=2000, verbose_name='public concerné')),
                        ('partenaires', models.TextField(blank=True, max_length=2000)),
                        ('moyens', models.TextField(blank=True, max_length=4000, verbose_name='moyens mobilisés')),
                        ('resultats', models.TextField(blank=True, max_length=4000, verbose_name='résultats')),
                        ('limites', models.TextField(blank=True, max_length=4000, verbose_name='limites et points de vigilance')),
                        ('statut', models.CharField(choices=[('brouillon', 'Brouillon'), ('proposee', 'Proposée'), ('publiee_reseau', 'Publiée au réseau'), ('publiee_public', 'Publiée au public')], default='brouillon', max_length=20)),
                        ('proposee_le', models.DateTimeField(blank=True, null=True, verbose_name='proposée le')),
                        ('publiee_le', models.DateTimeField(blank=True, null=True, verbose_name='publiée le')),
                        ('cree_le', models.DateTimeField(auto_now_add=True)),
                        ('modifie_le', models.DateTimeField(auto_now=True)),
                        ('auteur', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('publiee_par', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('structure', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='fiches_experience', to='structures.structure')),
                    ],
                    options={
                        'verbose_name': 'fiche expérience',
                        'verbose_name_plural': 'fiches expérience',
                        'db_table': 'observatoire_ficheexperience',
                        'ordering': ['-modifie_le', 'pk'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('titre', ''), _negated=True), name='fiche_titre_non_vide'), models.CheckConstraint(condition=models.Q(models.Q(('statut__in', ['publiee_reseau', 'publiee_public']), _negated=True), ('publiee_le__isnull', False), _connector='OR'), name='fiche_publiee_datee')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
