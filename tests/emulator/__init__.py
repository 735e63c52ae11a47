"""Tests of the ilert contacts API emulator."""
