"""Sound for every video: ambience, a music bed, effects in sync with the picture, spoken lines.

Made on the CPU from the scene plan, the renderer's event timeline and the quoted lines of the
prompt, deterministically from the request and its seed. Knows no Django app.

``soundtrack.add_sound`` is the step a render calls; it is kept out of this package's
``__init__`` because the web process imports ``audio.lines`` and must not load the mixer.
"""
