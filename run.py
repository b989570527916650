"""Entry point for gunicorn and `flask`: builds the app from the environment."""
from handover import create_app

app = create_app()
