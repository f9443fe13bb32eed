"""Cameo writes, one module each: ``consent``, ``uses``, ``verification``.

Import the module you need (``from cameo.services.consent import ...``); this package
re-exports nothing, so importing one module never loads the others.
"""
