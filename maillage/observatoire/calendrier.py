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
    date_limite_relecture: datetime.date,
    statut: str,
) -> str:
    """'' when a structure may write its answer today; otherwise the reason, in French. The answer deadline plays
    no part: past it, an answer is late (`en_retard`) but still accepted."""
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
        date_limite_relecture=campagne.date_limite_relecture,
        statut=statut,
    )


# --- A campaign's phase and the checks of its dates (for the pilot's pages and the campaign services) ----------

A_VENIR, OUVERTE, RELECTURE, CLOSE = "a_venir", "ouverte", "relecture", "close"
LIBELLES_PHASES = {
    A_VENIR: "à venir",
    OUVERTE: "ouverte",
    RELECTURE: "en retard / relecture",
    CLOSE: "close",
}


def phase(
    *,
    aujourd_hui: datetime.date,
    ouverture: datetime.date,
    date_limite_reponse: datetime.date,
    date_limite_relecture: datetime.date,
) -> str:
    """Where the campaign stands today, with the same bounds as `motif_fermeture` and `en_retard`: before the
    opening, « à venir »; until the answer deadline (included), « ouverte »; then late answers are still accepted
    while reviewers work until the review deadline (included), « en retard / relecture »; after it, « close »."""
    if aujourd_hui < ouverture:
        return A_VENIR
    if not en_retard(aujourd_hui=aujourd_hui, date_limite_reponse=date_limite_reponse):
        return OUVERTE
    if aujourd_hui <= date_limite_relecture:
        return RELECTURE
    return CLOSE


def phase_pour(campagne, aujourd_hui: datetime.date) -> str:
    """`phase` for a campaign object (anything with the three dates)."""
    return phase(
        aujourd_hui=aujourd_hui,
        ouverture=campagne.ouverture,
        date_limite_reponse=campagne.date_limite_reponse,
        date_limite_relecture=campagne.date_limite_relecture,
    )


def _est_une_date(valeur) -> bool:
    return isinstance(valeur, datetime.date) and not isinstance(valeur, datetime.datetime)


def erreurs_dates(*, ouverture, date_limite_reponse, date_limite_relecture) -> dict[str, str]:
    """French error message by field for a campaign's three dates ({} when they are valid): each must be a date,
    and ouverture < date limite de réponse < date limite de relecture (the database constraint says the same)."""
    dates = {
        "ouverture": ouverture,
        "date_limite_reponse": date_limite_reponse,
        "date_limite_relecture": date_limite_relecture,
    }
    erreurs = {champ: "Saisissez une date valide." for champ, valeur in dates.items() if not _est_une_date(valeur)}
    if erreurs:
        return erreurs
    if not ouverture < date_limite_reponse:
        return {"date_limite_reponse": "La date limite de réponse doit suivre la date d'ouverture."}
    if not date_limite_reponse < date_limite_relecture:
        return {"date_limite_relecture": "La date limite de relecture doit suivre la date limite de réponse."}
    return {}
