"""The package version, in one place (also sent as the User-Agent)."""

__version__ = "0.2.0"
