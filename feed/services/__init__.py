"""Feed writes, one module each: ``budget``, ``features``, ``goals``, ``posts``, ``social``,
``steering``, ``wellbeing``.

Import the module you need (``from feed.services.posts import ...``); this package
re-exports nothing, so importing one module never loads the others.
"""
