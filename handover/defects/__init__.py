"""Defects found in inspections and their rectification by contractors."""
