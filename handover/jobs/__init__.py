"""Background jobs: long exports run outside requests, with progress and a download at the end."""
