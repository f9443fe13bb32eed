"""Colours for the built-in renderer: one grade applied to every colour a scene uses.

Time of day, palette style, mood and the seed's jitter all change colours here, on a few dozen
RGB triples, instead of on every pixel of every frame. That is why "mono" or "sunset" costs
nothing at render time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from generation.pipeline.scene import ScenePlan

Rgb = tuple[float, float, float]


def hex_rgb(code: str) -> np.ndarray:
    code = code.lstrip("#")
    return np.array([int(code[i : i + 2], 16) / 255 for i in (0, 2, 4)], dtype=np.float32)


# Sky gradient (top, horizon) by time of day, before the palette style is applied.
SKIES: dict[str, tuple[str, str]] = {
    "dawn": ("#6f8fcf", "#ffc7a8"),
    "day": ("#3f8fe0", "#bfe3ff"),
    "sunset": ("#3b3f8f", "#ff9a5a"),
    "night": ("#050b24", "#1d2b5a"),
}
# Settings whose "sky" is not the open sky.
SETTING_SKIES: dict[str, dict[str, tuple[str, str]]] = {
    "space": {t: ("#02020a", "#120a2e") for t in SKIES},
    "underwater": {
        "dawn": ("#2f8fb0", "#0a3d5c"),
        "day": ("#3fb6d8", "#0b4f7a"),
        "sunset": ("#3a7ea0", "#12305a"),
        "night": ("#0b2d4a", "#020c1c"),
    },
    "stage": {t: ("#14061f", "#3a1450") for t in SKIES},
    "kitchen": {
        "dawn": ("#f3e3cf", "#e8d2b8"),
        "day": ("#f6eedd", "#e9dcc3"),
        "sunset": ("#f0d6b8", "#d9b48e"),
        "night": ("#c9b79c", "#8f7c63"),
    },
}
INDOOR = frozenset({"stage", "kitchen", "room", "underwater", "space"})

MOOD_GRADES: dict[str, tuple[float, float, float]] = {
    # mood -> (saturation, brightness, vignette strength)
    "calm": (0.9, 1.02, 0.18),
    "happy": (1.15, 1.05, 0.12),
    "dramatic": (1.05, 0.9, 0.4),
    "mysterious": (0.75, 0.85, 0.4),
    "romantic": (1.0, 1.02, 0.25),
    "sad": (0.55, 0.88, 0.3),
    "energetic": (1.25, 1.05, 0.2),
}
MOOD_TINTS: dict[str, Rgb] = {
    "romantic": (1.06, 0.97, 1.0),
    "sad": (0.94, 0.98, 1.06),
    "mysterious": (0.95, 1.0, 1.05),
}
TIME_TINTS: dict[str, tuple[Rgb, float]] = {
    # time -> (multiplier for scenery lit by the sky, how far toward the sky's colour)
    "dawn": ((1.0, 0.9, 0.9), 0.12),
    "day": ((1.0, 1.0, 1.0), 0.0),
    "sunset": ((0.85, 0.62, 0.55), 0.2),
    "night": ((0.42, 0.48, 0.68), 0.1),
}
STYLE_TINTS: dict[str, Rgb] = {
    "warm": (1.1, 1.0, 0.84),
    "cool": (0.86, 1.0, 1.12),
}


@dataclass(frozen=True)
class Grade:
    """Everything that turns a "daylight" colour into this scene's colour."""

    time_of_day: str
    style: str
    saturation: float
    brightness: float
    vignette: float
    tint: np.ndarray
    lit: bool  # False indoors: the time of day does not darken a kitchen

    def apply(self, rgb: np.ndarray | str, *, emissive: bool = False) -> np.ndarray:
        """Grade one colour (or an (..., 3) array). Emissive colours ignore the time of day."""
        color = hex_rgb(rgb) if isinstance(rgb, str) else np.asarray(rgb, dtype=np.float32)
        if self.lit and not emissive:
            mult, toward = TIME_TINTS[self.time_of_day]
            color = color * np.array(mult, dtype=np.float32)
            color = color * (1 - toward) + self.sky_horizon() * toward
        return self.style_only(color)

    def style_only(self, color: np.ndarray) -> np.ndarray:
        """Palette style, mood and seed tint, without the time of day."""
        color = color * self.tint
        gray = color @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
        saturation = 0.0 if self.style == "mono" else self.saturation
        color = gray[..., None] + (color - gray[..., None]) * saturation
        if self.style == "pastel":
            color = color * 0.65 + 0.35
        if self.style == "neon":
            color = np.clip((color - 0.5) * 1.25 + 0.5, 0, 1)
        return np.clip(color * self.brightness, 0.0, 1.0).astype(np.float32)

    def sky_horizon(self) -> np.ndarray:
        return hex_rgb(SKIES[self.time_of_day][1])


def make_grade(plan: ScenePlan, rng: np.random.Generator) -> Grade:
    saturation, brightness, vignette = MOOD_GRADES.get(plan.mood, MOOD_GRADES["happy"])
    if plan.weather == "rain" and plan.setting not in INDOOR:
        saturation, brightness = saturation * 0.8, brightness * 0.88  # overcast light is flat
    tint = np.array(MOOD_TINTS.get(plan.mood, (1.0, 1.0, 1.0)), dtype=np.float32)
    tint = tint * np.array(STYLE_TINTS.get(plan.palette, (1.0, 1.0, 1.0)), dtype=np.float32)
    # The seed nudges the whole palette a little so two seeds of one prompt look related.
    tint = tint * (1 + rng.uniform(-0.06, 0.06, size=3)).astype(np.float32)
    return Grade(
        time_of_day=plan.time_of_day,
        style=plan.palette,
        saturation=saturation,
        brightness=brightness * float(rng.uniform(0.96, 1.04)),
        vignette=vignette,
        tint=tint,
        lit=plan.setting not in INDOOR,
    )


def sky_colors(plan: ScenePlan, grade: Grade) -> tuple[np.ndarray, np.ndarray]:
    """(top, horizon) colours of the background gradient."""
    table = SETTING_SKIES.get(plan.setting, SKIES)
    top, horizon = table[plan.time_of_day]
    if plan.palette == "neon" and plan.setting not in ("underwater", "kitchen", "room"):
        top, horizon = "#12002b", "#7a1f8f" if plan.time_of_day == "night" else "#ff5fa2"
    return grade.style_only(hex_rgb(top)), grade.style_only(hex_rgb(horizon))
