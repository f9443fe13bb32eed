"""Safety writes, one module each: ``console``, ``reports``, ``scan``, ``text_checks``.

Import the module you need (``from safety.services.reports import ...``); this package
re-exports nothing, so importing one module never loads the others.
"""
