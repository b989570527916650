"""Inspection rounds per unit and stage, and the editable checklist they follow."""
