"""The built-in demo set: synthetic music in the ten GTZAN genres, with GTZAN's flaws planted.

Why synthetic: the pipeline must run end to end offline (tests, CI, a first try) and every fault
the cleaning stage handles must have known ground truth. Each genre has its own musical rules
(tempo range, drum pattern, swing, harmony, bass line, comping rhythm, timbre, distortion); each
"artist" inside a genre has habits shared by all of its clips (key, tempo, timbre, brightness,
drum tuning, noise floor, mix). So a classifier can partly recognise the *artist*, and a split
that puts one artist on both sides scores higher than an artist-disjoint one, as on real GTZAN.

Planted faults, listed in ``faults.csv`` (the format :mod:`musicgenre.faults` reads):
exact duplicates under other names (one across genres, as in GTZAN), clips filed under the wrong
genre, and unreadable files (corrupt bytes, like the Kaggle copy's ``jazz.00054.wav``).
"""

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy.signal import lfilter

from .. import GENRES
from ..audio import write_wav
from ..errors import MusicgenreError
from ..files import atomic_write

SAMPLE_RATE = 22050

# Drum patterns on a 16-step bar: (kick, snare, hat) as step lists.
_PATTERNS = {
    "shuffle": ([0, 8], [4, 12], [0, 3, 4, 7, 8, 11, 12, 15]),
    "train": ([0, 8], [4, 12], list(range(0, 16, 2))),
    "four_floor": ([0, 4, 8, 12], [4, 12], [2, 6, 10, 14]),
    "boom_bap": ([0, 7, 10], [4, 12], list(range(0, 16, 2))),
    "ride": ([0], [], [0, 4, 7, 8, 12, 15]),
    "double_kick": (list(range(16)), [4, 12], [0, 4, 8, 12]),
    "backbeat": ([0, 8, 10], [4, 12], list(range(0, 16, 2))),
    "one_drop": ([8], [8], [2, 6, 10, 14]),
    "rock": ([0, 6, 8], [4, 12], list(range(0, 16, 2))),
}

# Chord qualities as semitone intervals over the root.
_MAJ, _MIN, _DOM7, _MIN7, _MAJ7, _POWER = (0, 4, 7), (0, 3, 7), (0, 4, 7, 10), (0, 3, 7, 10), (0, 4, 7, 11), (0, 7, 12)

# Progressions: one (root offset, chord) per bar.
_PROGRESSIONS = {
    "twelve_bar": [(0, _DOM7), (5, _DOM7), (0, _DOM7), (7, _DOM7)],
    "classical": [(0, _MAJ), (5, _MAJ), (7, _MAJ), (9, _MIN), (2, _MIN)],
    "country": [(0, _MAJ), (5, _MAJ), (7, _MAJ), (0, _MAJ)],
    "disco": [(0, _MIN7), (5, _MIN7), (3, _MAJ7), (10, _DOM7)],
    "hiphop": [(0, _MIN7), (8, _MAJ7)],
    "jazz": [(2, _MIN7), (7, _DOM7), (0, _MAJ7), (9, _DOM7)],
    "metal": [(0, _POWER), (1, _POWER), (3, _POWER), (0, _POWER)],
    "pop": [(0, _MAJ), (7, _MAJ), (9, _MIN), (5, _MAJ)],
    "reggae": [(0, _MIN), (5, _MIN), (10, _MAJ), (0, _MIN)],
    "rock": [(0, _POWER), (10, _POWER), (5, _POWER), (7, _POWER)],
}


@dataclass(frozen=True)
class Style:
    """A genre's musical rules."""

    tempo: tuple  # bpm range
    drums: str | None  # key of _PATTERNS, None for no drums
    swing: float  # 0 straight, ~0.33 triplet feel
    progression: str
    comp: tuple  # chord onset steps in a bar
    comp_len: float  # chord length in steps
    bass: str  # "root", "walking", "octave", "sub", "root_fifth"
    harmonics: float  # spectral slope of the instrument (higher = darker)
    cutoff: float  # low-pass cutoff (Hz) of the whole mix
    distortion: float  # tanh drive; 0 for clean
    register: int  # MIDI root of the chords


STYLES = {
    "blues": Style((70, 100), "shuffle", 0.33, "twelve_bar", (0, 3, 8, 11), 3, "walking", 1.3, 5000, 0.6, 52),
    "classical": Style((60, 100), None, 0.0, "classical", (0,), 16, "root", 2.2, 4000, 0.0, 60),
    "country": Style((95, 130), "train", 0.0, "country", (0, 2, 4, 6, 8, 10, 12, 14), 1.5, "root_fifth", 1.0, 7000, 0.0, 55),
    "disco": Style((112, 128), "four_floor", 0.0, "disco", (2, 6, 10, 14), 1, "octave", 1.2, 8000, 0.0, 57),
    "hiphop": Style((80, 98), "boom_bap", 0.15, "hiphop", (0,), 12, "sub", 1.8, 3000, 0.2, 50),
    "jazz": Style((110, 180), "ride", 0.45, "jazz", (0, 6, 10), 2, "walking", 1.6, 4500, 0.0, 53),
    "metal": Style((150, 200), "double_kick", 0.0, "metal", tuple(range(0, 16, 2)), 1.8, "root", 0.7, 6000, 4.0, 40),
    "pop": Style((100, 125), "backbeat", 0.0, "pop", (0, 4, 8, 12), 3, "root", 1.1, 9000, 0.0, 60),
    "reggae": Style((68, 88), "one_drop", 0.1, "reggae", (4, 12), 0.8, "root_fifth", 1.2, 5000, 0.0, 57),
    "rock": Style((110, 150), "rock", 0.0, "rock", tuple(range(0, 16, 2)), 1.8, "root_fifth", 0.9, 6500, 1.8, 45),
}


@dataclass(frozen=True)
class Artist:
    """Habits shared by every clip of one artist: these make artist leakage real."""

    name: str
    genre: str
    key: int  # semitones added to the genre's register
    tempo: float
    slope: float  # harmonic slope offset
    cutoff: float  # mix low-pass cutoff
    drive: float  # distortion offset
    kick_hz: float
    noise: float  # noise floor level
    drum_level: float
    seed: int


def make_artists(genre, count, rng):
    """Draw ``count`` artists for ``genre``; each is a point in habit space around the genre's."""
    style = STYLES[genre]
    artists = []
    for index in range(count):
        artists.append(
            Artist(
                name=f"{genre}_artist{index + 1}",
                genre=genre,
                key=int(rng.integers(-5, 7)),
                tempo=float(rng.uniform(style.tempo[0] * 0.85, style.tempo[1] * 1.15)),
                slope=float(rng.uniform(-0.8, 0.8)),
                cutoff=float(style.cutoff * rng.uniform(0.35, 2.5)),
                drive=float(rng.uniform(0.3, 1.5) if rng.random() < 0.3 else 0.0),
                kick_hz=float(rng.uniform(45, 90)),
                noise=float(rng.uniform(0.002, 0.06)),
                drum_level=float(rng.uniform(0.3, 1.0)),
                seed=int(rng.integers(2**31)),
            )
        )
    return artists


def render_clip(genre, artist, seconds, rng, sample_rate=SAMPLE_RATE):
    """Render one clip of ``genre`` played by ``artist``; ``rng`` varies clips of one artist."""
    style = STYLES[genre]
    n = int(seconds * sample_rate)
    tempo = artist.tempo * rng.uniform(0.94, 1.06)
    step = 60.0 / tempo / 4  # a 16th note in seconds
    n_bars = int(np.ceil(seconds / (16 * step))) + 1
    swing = style.swing * rng.uniform(0.8, 1.2)
    mix = np.zeros(n + sample_rate, dtype=np.float64)  # one second of tail room, cut at the end

    def onset(bar, position):
        swung = position + (swing if int(position) % 2 == 1 else 0.0)
        return int(((bar * 16) + swung) * step * sample_rate)

    progression = _PROGRESSIONS[style.progression]
    start = int(rng.integers(len(progression)))
    slope = max(0.3, style.harmonics + artist.slope)
    with_drums = style.drums is not None and rng.random() > 0.2  # some clips catch a breakdown
    with_bass = rng.random() > 0.2
    root_midi = style.register + artist.key
    for bar in range(n_bars):
        root, chord = progression[(start + bar) % len(progression)]
        for position in style.comp:
            notes = [root_midi + root + interval for interval in chord]
            length = style.comp_len * step * rng.uniform(0.9, 1.1)
            _add(mix, onset(bar, position), _chord(notes, length, slope, sample_rate, rng) * 0.25)
        if with_bass:
            _add_bass(mix, style.bass, root_midi + root - 12, bar, onset, step, slope, sample_rate, rng)
        if genre in ("classical", "jazz"):  # a wandering melody line over the chords
            for position in range(0, 16, 4 if genre == "classical" else 2):
                if rng.random() < 0.7:
                    note = root_midi + 12 + root + int(rng.choice([0, 2, 4, 5, 7, 9, 11, 12]))
                    _add(mix, onset(bar, position), _chord([note], 4 * step, slope + 0.3, sample_rate, rng) * 0.2)
        if with_drums:
            kicks, snares, hats = _PATTERNS[style.drums]
            level = artist.drum_level * 0.6
            for position in kicks:
                _add(mix, onset(bar, position), _kick(artist.kick_hz, sample_rate) * level)
            for position in snares:
                _add(mix, onset(bar, position), _snare(sample_rate, rng) * level * 0.7)
            for position in hats:
                _add(mix, onset(bar, position), _hat(sample_rate, rng) * level * 0.25)

    y = mix[:n]
    drive = style.distortion + artist.drive
    if drive > 0:
        y = np.tanh(y * (1 + drive)) / np.tanh(1 + drive)
    y = _lowpass(y, artist.cutoff * rng.uniform(0.85, 1.15), sample_rate)
    y = y / (np.max(np.abs(y)) + 1e-9) * rng.uniform(0.5, 0.9)
    y = y + rng.normal(0, artist.noise, n)
    return y.astype(np.float32)


def _add(mix, at, sound):
    end = min(len(mix), at + len(sound))
    if at < end:
        mix[at:end] += sound[: end - at]


def _envelope(n, sample_rate, attack=0.005, decay=3.0):
    t = np.arange(n) / sample_rate
    return np.minimum(1.0, t / attack) * np.exp(-decay * t)


@lru_cache(maxsize=64)
def _wavetable(slope, size=4096):
    """One cycle of an instrument with 8 harmonics falling off as 1/h**slope."""
    phase = 2 * np.pi * np.arange(size) / size
    return sum(np.sin(h * phase) / h**slope for h in range(1, 9))


def _chord(notes, seconds, slope, sample_rate, rng):
    n = max(1, int(seconds * sample_rate))
    table = _wavetable(round(slope, 2))
    cycles = np.arange(n) / sample_rate
    out = np.zeros(n)
    for note in notes:
        freq = 440.0 * 2 ** ((note - 69) / 12) * (1 + rng.normal(0, 0.002))
        out += table[(cycles * freq * len(table)).astype(np.int64) % len(table)]
    release = np.minimum(1.0, (n - np.arange(n)) / (0.01 * sample_rate))
    return out * _envelope(n, sample_rate, decay=1.5) * release / max(1, len(notes))


def _add_bass(mix, kind, midi, bar, onset, step, slope, sample_rate, rng):
    pattern = {
        "root": [(0, 0), (8, 0)],
        "root_fifth": [(0, 0), (8, 7)],
        "walking": [(0, 0), (4, 4), (8, 7), (12, int(rng.choice([9, 10, 11])))],
        "octave": [(p, 12 * (p // 2 % 2)) for p in range(0, 16, 2)],
        "sub": [(0, -12), (10, -12)],
    }[kind]
    for position, interval in pattern:
        sound = _chord([midi + interval], 3 * step, slope + 1.0, sample_rate, rng) * 0.5
        _add(mix, onset(bar, position), sound)


def _kick(freq, sample_rate):
    n = int(0.25 * sample_rate)
    t = np.arange(n) / sample_rate
    sweep = freq * (1 + 2 * np.exp(-t * 40))
    return np.sin(2 * np.pi * np.cumsum(sweep) / sample_rate) * np.exp(-t * 14)


def _snare(sample_rate, rng):
    n = int(0.18 * sample_rate)
    t = np.arange(n) / sample_rate
    return (rng.normal(0, 0.6, n) + 0.4 * np.sin(2 * np.pi * 190 * t)) * np.exp(-t * 22)


def _hat(sample_rate, rng):
    n = int(0.05 * sample_rate)
    noise = np.diff(rng.normal(0, 1, n + 1))  # differencing tilts the noise towards the highs
    return noise * np.exp(-np.arange(n) / sample_rate * 80)


def _lowpass(y, cutoff, sample_rate):
    """One-pole low-pass: the artist's 'brightness' (a mixing/recording habit)."""
    alpha = 1 - np.exp(-2 * np.pi * cutoff / sample_rate)
    return lfilter([alpha], [1, alpha - 1], y)


def generate(out_dir, seed, artists_per_genre, clips_per_artist, clip_seconds,
             duplicates, mislabels, unreadable, genres=GENRES, progress=None):
    """Write the demo set into the raw layout under ``out_dir``.

    Writes ``audio/<genre>/<genre>.NNNNN.wav``, ``artists.csv`` (file, artist) and ``faults.csv``.
    Everything follows from ``seed``: the same arguments give byte-identical files.
    ``progress`` wraps the clip iterator (e.g. ``tqdm``).
    """
    rng = np.random.default_rng(seed)
    per_genre = artists_per_genre * clips_per_artist
    if duplicates + mislabels + unreadable > len(genres) * per_genre // 2:
        raise MusicgenreError("params.yaml: dataset.synthetic plants faults in more than half of the clips; plant fewer")
    artists = {g: make_artists(g, artists_per_genre, rng) for g in genres}

    # Slots: (file name, genre it is filed under, artist whose clip it holds).
    slots = []
    for genre in genres:
        owners = [a for a in artists[genre] for _ in range(clips_per_artist)]
        order = rng.permutation(per_genre)
        slots += [(f"{genre}.{i:05d}.wav", genre, owners[order[i]]) for i in range(per_genre)]

    fault_slots = rng.choice(len(slots), size=duplicates + mislabels + unreadable, replace=False)
    dup_slots = fault_slots[:duplicates]
    mis_slots = fault_slots[duplicates:duplicates + mislabels]
    bad_slots = fault_slots[duplicates + mislabels:]
    clean = np.setdiff1d(np.arange(len(slots)), fault_slots)
    faults, artist_rows, copy_of = [], {}, {}

    for k, slot in enumerate(mis_slots):  # a clip of another genre, filed under this one
        name, filed, _ = slots[slot]
        true_genre = genres[(genres.index(filed) + 1 + int(rng.integers(len(genres) - 1))) % len(genres)]
        slots[slot] = (name, filed, artists[true_genre][int(rng.integers(artists_per_genre))])
        faults.append({"file": name, "fault": "mislabel", "group": f"mislabel{k + 1}",
                       "correct_genre": true_genre, "note": "planted"})
    used = set()
    for k, slot in enumerate(dup_slots):
        # GTZAN has one replica across genres (the first here); the rest copy a clip of their genre.
        pool = [c for c in clean if c not in used and (k == 0 or slots[c][1] == slots[slot][1])]
        pool = pool or [c for c in clean if c not in used]
        original = pool[int(rng.integers(len(pool)))]
        used.add(original)
        name, filed, _ = slots[slot]
        slots[slot] = (name, filed, slots[original][2])
        copy_of[name] = slots[original][0]
        for member in (slots[original][0], name):
            faults.append({"file": member, "fault": "exact_duplicate", "group": f"dup{k + 1}",
                           "correct_genre": "", "note": "planted"})
    for slot in bad_slots:
        faults.append({"file": slots[slot][0], "fault": "unreadable", "group": "",
                       "correct_genre": "", "note": "planted: corrupt bytes"})

    clip_seeds = np.random.SeedSequence(seed).spawn(len(slots))
    bad_names = {slots[s][0] for s in bad_slots}
    order = sorted(range(len(slots)), key=lambda i: slots[i][0] in copy_of)  # originals first
    iterator = progress(order) if progress else order
    for index in iterator:
        name, filed, artist = slots[index]
        path = out_dir / "audio" / filed / name
        artist_rows[name] = artist.name
        if name in bad_names:
            noise = np.random.default_rng(clip_seeds[index]).bytes(64)
            with atomic_write(path) as temporary:
                temporary.write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt " + noise)
        elif name in copy_of:
            with atomic_write(path) as temporary:
                temporary.write_bytes((out_dir / "audio" / copy_of[name].split(".")[0] / copy_of[name]).read_bytes())
        else:
            clip_rng = np.random.default_rng(clip_seeds[index])
            write_wav(path, render_clip(artist.genre, artist, clip_seconds, clip_rng), SAMPLE_RATE)

    with atomic_write(out_dir / "artists.csv") as temporary:
        pd.DataFrame(sorted(artist_rows.items()), columns=["file", "artist"]).to_csv(temporary, index=False)
    fault_table = pd.DataFrame(faults, columns=["file", "fault", "group", "correct_genre", "note"])
    with atomic_write(out_dir / "faults.csv") as temporary:
        fault_table.sort_values(["fault", "group", "file"]).to_csv(temporary, index=False)
    return per_genre
