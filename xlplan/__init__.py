"""xlplan: Thai LAO anti-corruption action plans kept in spreadsheets, checked and summed up by software."""

from __future__ import annotations

__version__ = "0.1.0"
