"""Machinery shared by the HTML shells (every domain's views.py): form handling, held uploads.

It sits with the shells on the top floor: it may use Flask, the session and the domains' errors,
and no domain imports it.
"""
