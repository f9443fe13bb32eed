"""Feed reads, one module each: ``goals``, ``posts``, ``social``.

Import the module you need (``from feed.selectors.posts import ...``); this package
re-exports nothing, so importing one module never loads the others.
"""
