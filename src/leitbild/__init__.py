"""leitbild — a city's integration concept as structured, versioned, public data."""

__version__ = "0.1.0"
