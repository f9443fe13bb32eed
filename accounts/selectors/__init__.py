"""Account reads, one module each: ``export``, ``people``, ``teens``, ``visibility``.

Import the module you need (``from accounts.selectors.people import ...``); this package
re-exports nothing, so importing one module never loads the others.
"""
