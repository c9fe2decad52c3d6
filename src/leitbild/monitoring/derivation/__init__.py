"""Monitoring data in and out, as plain Python (no Django, tested on tiny inputs).

* :mod:`.rows` — :class:`ObservationRow`, :class:`Problem`, :class:`InputError`,
  :func:`validate` against the project's indicators and areas;
* :mod:`.longformat` — :func:`read_long`, the documented long CSV/XLSX layout;
* :mod:`.opensdg` — read, write and check Open SDG data CSVs and metadata;
* :mod:`.areas` — :class:`AreaMatcher`, forgiving but never guessing area names;
* :mod:`.status` — :func:`progress` of a series towards its target.

The formats are described in ``docs/data-formats.md``.
"""

from .areas import Area, AreaMatcher
from .longformat import read_long
from .opensdg import (
    check_opensdg_csv,
    check_opensdg_meta,
    opensdg_paths,
    read_opensdg,
    write_opensdg_csv,
    write_opensdg_meta,
)
from .rows import STATUSES, InputError, ObservationRow, Problem, validate
from .status import Progress, progress

__all__ = [
    "STATUSES",
    "Area",
    "AreaMatcher",
    "InputError",
    "ObservationRow",
    "Problem",
    "Progress",
    "check_opensdg_csv",
    "check_opensdg_meta",
    "opensdg_paths",
    "progress",
    "read_long",
    "read_opensdg",
    "validate",
    "write_opensdg_csv",
    "write_opensdg_meta",
]
