"""The practice simulator: a causal medical group that writes a landing folder and its truth.

simulate("small", seed=7, out=Path("demo"))   # demo/landing/... and demo/truth/...
simulate_next_day(Path("demo"))               # appends the following day
"""

from .api import SimulationSummary, simulate, simulate_next_day
from .presets import DEFAULT_END_DATE, PRESETS, Preset

__all__ = [
    "DEFAULT_END_DATE",
    "PRESETS",
    "Preset",
    "SimulationSummary",
    "simulate",
    "simulate_next_day",
]
