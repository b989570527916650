"""The offline field client: a tablet page that keeps working without a signal.

A shell on top of the workflows: the page, its service worker and manifest (views.py), and the
sync-down package of a batch's buildings (package.py, served by api.py). Records made offline sync
up through each domain's own idempotent API (defects, photos, checklist results, key checks).
"""
