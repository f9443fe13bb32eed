"""Django's SQLite backend, with each statement's %s marks turned into ? once (``base``)."""
