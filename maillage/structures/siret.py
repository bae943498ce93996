"""SIRET checks live in the core (accounts' organisations use them too); kept here for existing imports."""

from maillage.core.siret import SIREN_LA_POSTE, erreur_siret, luhn_valide, normaliser

__all__ = ["SIREN_LA_POSTE", "erreur_siret", "luhn_valide", "normaliser"]
