"""The two contact resources and their dynamic providers."""
