"""Satisfaction surveys per touchpoint, NPS, and a follow-up case for every low score."""
