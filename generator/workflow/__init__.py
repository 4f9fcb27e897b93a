"""Changing a desk the way an engineer does: scaffold (init), ids (new, renumber), edits (status)."""
