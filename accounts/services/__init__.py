"""Account writes, one module each: ``blocks``, ``deletion``, ``teens``, ``users``.

Import the module you need (``from accounts.services.users import ...``); this package
re-exports nothing, so importing one module never loads the others.
"""
