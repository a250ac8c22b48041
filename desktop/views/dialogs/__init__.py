"""Dialogs: ladder builder, compare variants."""
