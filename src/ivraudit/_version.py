"""The single place the version is kept."""

__version__ = "0.1.0"
