"""Content-area bands, keyed by the fixed outline keys (unknown keys are rejected)."""

from __future__ import annotations

from step1plan.models.common import DISCIPLINES, SYSTEMS, Band, StrictModel, cached_attribute

# The ``(group, area)`` keys of :meth:`ContentAreas.bands` and :meth:`ContentAreas.band_items`,
# in outline order (built once).
_DISCIPLINE_AREAS = tuple(("disciplines", key) for key in DISCIPLINES)
_SYSTEM_AREAS = tuple(("systems", key) for key in SYSTEMS)


class Disciplines(StrictModel):
    """Band per discipline; leave out the disciplines the report did not show."""

    pathology: Band | None = None
    physiology: Band | None = None
    pharmacology: Band | None = None
    biochemistry_nutrition: Band | None = None
    microbiology: Band | None = None
    immunology: Band | None = None
    gross_anatomy_embryology: Band | None = None
    histology_cell_biology: Band | None = None
    behavioral_sciences: Band | None = None
    genetics: Band | None = None


class Systems(StrictModel):
    """Band per organ system; leave out the systems the report did not show."""

    human_development: Band | None = None
    blood_immune: Band | None = None
    behavioral_nervous: Band | None = None
    musculoskeletal_skin: Band | None = None
    cardiovascular: Band | None = None
    respiratory_renal: Band | None = None
    gastrointestinal: Band | None = None
    reproductive_endocrine: Band | None = None
    multisystem: Band | None = None
    biostatistics_epidemiology: Band | None = None
    social_sciences_communication: Band | None = None


class ContentAreas(StrictModel):
    """Content-area feedback from a score report or an NBME practice report."""

    disciplines: Disciplines = Disciplines()
    """Bands by discipline."""
    systems: Systems = Systems()
    """Bands by organ system."""

    def bands(self) -> dict[tuple[str, str], Band]:
        """Every band given, keyed by ``(group, area)``; group is ``disciplines`` or ``systems``.

        A fresh dict each call (the caller may change it), copied from :attr:`_given_bands`.
        """
        return dict(self._given_bands)

    def band_items(self) -> tuple[tuple[tuple[str, str], Band], ...]:
        """Every band given as ``((group, area), band)`` pairs, in outline order.

        Read-only and cheaper than :meth:`bands`: the cached :attr:`_given_bands` itself, not a
        copy.
        """
        return self._given_bands

    @cached_attribute
    def _given_bands(self) -> tuple[tuple[tuple[str, str], Band], ...]:
        """The bands given, in outline order: computed once, the model being immutable."""
        out: list[tuple[tuple[str, str], Band]] = []
        for model, areas in ((self.disciplines, _DISCIPLINE_AREAS), (self.systems, _SYSTEM_AREAS)):
            # The group's bands from its ``__dict__``: a dict lookup per area instead of an
            # unspecialised model read (see StrictModel).
            fields = vars(model)
            for area in areas:
                band = fields[area[1]]
                if band is not None:
                    out.append((area, band))
        return tuple(out)
