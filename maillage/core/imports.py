"""What every file importer shares, without Django: an error located by line and column of the file."""

from dataclasses import dataclass


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
