"""What every file importer shares, without Django: an error located by line and column, the refusal of a file."""

from collections.abc import Sequence
from dataclasses import dataclass

from .formats import nombre


@dataclass(frozen=True, slots=True)
class ErreurLigne:
    raison: str
    ligne: int | None = None  # line of the file (CSV) or row of the sheet (XLSX), from 1
    colonne: str = ""  # the header as written in the file

    @property
    def message(self) -> str:
        lieu = []
        if self.ligne is not None:
            lieu.append(f"ligne {self.ligne}")
        if self.colonne:
            lieu.append(f"colonne « {self.colonne} »")
        return f"{', '.join(lieu)} : {self.raison}" if lieu else self.raison

    def __str__(self) -> str:
        return self.message

    def en_dict(self) -> dict:
        # "champ" is the key the journal of loads (Chargement.erreurs) and its page read.
        return {"ligne": self.ligne, "champ": self.colonne, "raison": self.raison, "message": self.message}


class ImportRefuse(Exception):
    """A load refused before any write; `erreurs` lists what is wrong, `chargement` the refused journal row."""

    def __init__(self, message: str, *, erreurs: Sequence[dict] = (), chargement=None):
        super().__init__(message)
        self.message = message
        self.erreurs = list(erreurs)
        self.chargement = chargement


def message_refus(nombre_erreurs: int) -> str:
    """« Fichier refusé : 3 erreurs, rien n'a été importé. »"""
    pluriel = "s" if nombre_erreurs > 1 else ""
    return f"Fichier refusé : {nombre(nombre_erreurs)} erreur{pluriel}, rien n'a été importé."
