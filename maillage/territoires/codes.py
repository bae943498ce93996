"""INSEE codes of départements as they arrive in URLs and API paths (pure: no Django, no database).

One reading for every page and API route: surrounding spaces dropped, letters upper-cased ("2a" is "2A"), and only
the shapes of real département codes accepted, so that anything else is unknown without a query.
"""

import re

# 01-19, 2A/2B (Corsica has no "20"), 21-95, 971-976 (overseas départements).
_CODE_DEPARTEMENT = re.compile(r"0[1-9]|1[0-9]|2[AB1-9]|[3-8][0-9]|9[0-5]|97[1-6]")


def code_departement(code) -> str | None:
    """ "94" → "94", " 2a " → "2A", "971" → "971"; None for what cannot be a département code ("00", "20",
    "977", "9400", "abc", "")."""
    if not isinstance(code, str):
        return None
    code = code.strip().upper()
    return code if _CODE_DEPARTEMENT.fullmatch(code) else None


def normaliser_code_departement(code: str) -> str:
    """The tolerant reading of a code typed in a command or a file cell: "1" → "01", "2a" → "2A"; other codes are
    returned as they are, for the caller to look up (and report when unknown)."""
    code = code.strip().upper()
    return code.zfill(2) if code.isdigit() and len(code) == 1 else code
