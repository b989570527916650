"""The document toolkit: PDF and Excel building blocks, fonts, Chinese amounts, file results.

It knows no domain: each domain lays out its own documents (`<domain>/documents.py`) from the
plain rows it gathers, with these blocks.
"""
