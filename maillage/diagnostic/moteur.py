"""Coverage of a territory by AVS structures: pure computation (numpy, scipy, shapely, pyproj; no Django).

Inputs are plain dataclasses built by `maillage.diagnostic.selectors`; the output is plain data too, so the
same engine serves the pages, the API, the simulation and the national benchmark. Definitions and default
parameters are documented in docs/diagnostic.md.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CommuneEntree:
    code: str
    nom: str
    population: int | None
    longitude: float | None  # representative point (inside the commune), WGS84
    latitude: float | None
    epci: str | None = None
    # Optional imported indicators by code (see models.Indicateur), e.g. {"personnes_bas_revenus": 1234.0}
    indicateurs: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class QPVEntree:
    code: str
    nom: str
    communes: tuple[str, ...]
    geometrie: str | None = None  # GeoJSON text (WGS84) when known
    longitude: float | None = None
    latitude: float | None = None


@dataclass(frozen=True)
class StructureEntree:
    id: int  # negative ids for hypothetical structures of a simulation
    nom: str
    type: str  # "centre_social" | "evs"
    commune: str  # INSEE code of the commune where it is located
    longitude: float | None
    latitude: float | None
    zone_communes: tuple[str, ...] = ()  # zone de compétence
    zone_qpv: tuple[str, ...] = ()


@dataclass(frozen=True)
class Parametres:
    distance_couverture_km: float = 2.0
    tampon_qpv_m: float = 500.0
    # Weights of the priority score components (normalised to sum 1 by the engine).
    poids: dict[str, float] = field(
        default_factory=lambda: {"population": 0.25, "distance": 0.35, "qpv": 0.25, "bas_revenus": 0.15}
    )


@dataclass
class ResultatCommune:
    code: str
    nom: str
    population: int
    epci: str | None
    structures: int  # structures competent: located in it or listing it in their zone de compétence
    structures_situees: int
    structures_pour_10000_habitants: float | None
    distance_structure_km: float | None  # to the nearest structure; 0 when one is located in the commune
    couverte: bool
    qpv: int
    qpv_sans_structure: int
    score_priorite: float  # 0-100
    score_detail: dict[str, float]  # component -> points contributed (sums to score_priorite)
    rang: int | None = None  # rank among territoires prioritaires (1 = most urgent), None when covered


@dataclass
class ResultatQPV:
    code: str
    nom: str
    communes: tuple[str, ...]
    servi: bool
    regle: str  # "geometrie" (structure inside or within the buffer) | "zone" | "communes"
    structures: tuple[int, ...]


@dataclass
class Synthese:
    population: int
    population_couverte: int
    part_population_couverte: float | None
    communes: int
    communes_sans_structure: int
    qpv_total: int
    qpv_sans_structure: int
    structures: int


@dataclass
class Resultat:
    synthese: Synthese
    communes: list[ResultatCommune]
    qpv: list[ResultatQPV]
    parametres: Parametres


def diagnostiquer(
    *,
    communes: list[CommuneEntree],
    qpv: list[QPVEntree],
    structures: list[StructureEntree],
    parametres: Parametres | None = None,
) -> Resultat:
    """Coverage of `communes` and `qpv` by the (active) `structures` — implemented in the engine helper's change."""
    raise NotImplementedError
