"""When a structure may write its answer, from the campaign's dates (pure: no Django).

- before the opening date: not yet;
- from the opening to the review deadline: yes — after the answer deadline the answer is late (the follow-up board
  and the reminders say so) but still welcome, as in SENACS practice;
- after the review deadline: closed, except for an answer the reviewers sent back « à corriger », which the
  structure may always correct (the reviewers asked for it).
"""

import datetime


def _date(jour: datetime.date) -> str:
    return jour.strftime("%d/%m/%Y")


def motif_fermeture(
    *,
    aujourd_hui: datetime.date,
    ouverture: datetime.date,
    date_limite_reponse: datetime.date,
    date_limite_relecture: datetime.date,
    statut: str,
) -> str:
    """'' when a structure may write its answer today; otherwise the reason, in French."""
    if aujourd_hui < ouverture:
        return f"La campagne ouvre le {_date(ouverture)} : la saisie n'est pas encore possible."
    if statut == "a_corriger":
        return ""
    if aujourd_hui > date_limite_relecture:
        return (
            f"La campagne est close depuis le {_date(date_limite_relecture)} : les réponses ne sont plus acceptées."
            " Contactez votre Caf si vous devez encore transmettre la vôtre."
        )
    return ""


def en_retard(*, aujourd_hui: datetime.date, date_limite_reponse: datetime.date) -> bool:
    return aujourd_hui > date_limite_reponse


def motif_pour(campagne, statut: str, aujourd_hui: datetime.date) -> str:
    """`motif_fermeture` for a campaign object (anything with the three dates)."""
    return motif_fermeture(
        aujourd_hui=aujourd_hui,
        ouverture=campagne.ouverture,
        date_limite_reponse=campagne.date_limite_reponse,
        date_limite_relecture=campagne.date_limite_relecture,
        statut=statut,
    )
