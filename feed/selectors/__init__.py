"""Feed reads, one module each: ``budget``, ``goals``, ``posts``, ``social``, ``steering``.

Import the module you need (``from feed.selectors.posts import ...``); this package
re-exports nothing, so importing one module never loads the others.
"""
