"""Sound for every video: ambience, a music bed, effects in sync with the picture, spoken lines.

Made on the CPU from the scene plan, the renderer's event timeline and the quoted lines of the
prompt, deterministically from the request and its seed. Knows no Django app.
"""
