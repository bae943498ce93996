"""Models of the observatoire recorded by the audit trail (django-auditlog)."""

from auditlog.registry import auditlog

from .models import Campagne, CommentaireRapport, Questionnaire, Reponse, ValeurReference

# Campaigns and answers per object (the answers' bulk creation at campaign opening is not recorded, the
# campaign's creation is; the past campaign import writes its own entries, `journaliser_en_masse`); transitions
# and comments are themselves a journal. The report's commentaries are published texts: who wrote what is kept.
# Published references: each created, changed or deleted value.
for modele in (Questionnaire, Campagne, Reponse, CommentaireRapport, ValeurReference):
    auditlog.register(modele)
