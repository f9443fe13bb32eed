"""The feed's pages, one module per area: ``feed`` (the feed, a post, publishing, steering and the
time budget), ``goals``, ``social`` (comments, messages, search), ``shell`` (inbox, remix) and
``wellbeing``. ``_common`` and ``_controls`` hold what several of them render."""
