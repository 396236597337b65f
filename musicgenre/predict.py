"""Classify any audio file with a trained bundle.

A file is decoded (down-mixed, resampled to the bundle's rate) and cut into the bundle's chunks
exactly as the stages decode and cut a clip (:func:`musicgenre.audio.load` and
:func:`~musicgenre.audio.cut_chunks`), and its chunks become what the bundle's model reads by the
same function the stage computed its rows with (the 57 descriptors, log-mel spectrograms or musicnn
embeddings: :meth:`Representation.chunks`). So a test clip gets here the probabilities that
``evaluate`` gave it. The file's genre follows the family's clip rule: the soft vote of its
chunks, or the class of their pooled vector.

A file that cannot be classified raises :class:`MusicgenreError` with the reason (cannot be read,
cannot be decoded, silent). Any other exception is a bug, not bad audio, and is left to the caller
to report as one.
"""

import os
from pathlib import Path

import numpy as np

from .audio import AUDIO_EXTENSIONS, cut_chunks, decode
from .errors import MusicgenreError
from .representations import named

SILENCE = 1e-4  # peak amplitude below which a file is treated as silent
#: The chunks a file is classified by at most, spread evenly over it, unless told otherwise: the
#: chunks of a 90 s file (a 30 s GTZAN clip's 10 are all read, as evaluate read them).
MAX_CHUNKS = 30


def find_audio(paths):
    """Expand files and folders (recursively, by audio extension) into ``[(path, error)]``.

    A named file is always tried, whatever its extension. Folders are walked without following
    symbolic links, so a link loop cannot trap the walk. A missing path, a folder that cannot be
    read, or a folder with no audio becomes one entry with an error.
    """
    found = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            walk_errors = []
            files = []
            for folder, dirs, names in os.walk(path, onerror=walk_errors.append):
                dirs.sort()
                files += [Path(folder) / n for n in sorted(names) if Path(n).suffix.lower() in AUDIO_EXTENSIONS]
            found += [(f, None) for f in files]
            for error in walk_errors:
                found.append((Path(error.filename or path), f"cannot read folder: {error.strerror}"))
            if not files and not walk_errors:
                found.append((path, "no audio files in this folder (looked for "
                                    f"{', '.join(sorted(AUDIO_EXTENSIONS))})"))
        elif path.exists() or path.is_symlink():
            found.append((path, None))
        else:
            found.append((path, "no such file or folder"))
    return found


def model_input(bundle, path, max_chunks=None):
    """``(batch, padded, total)``: what the bundle's model reads for the file at ``path``
    (:func:`audio_input` of its decoded samples)."""
    return audio_input(bundle, decoded(bundle, path), max_chunks)


def decoded(bundle, path):
    """The file's samples, decoded as the stages decode a clip (mono, at the bundle's rate)."""
    try:
        open(path, "rb").close()  # permission and link-loop problems, named plainly before any decoder tries
    except OSError as err:
        raise MusicgenreError(f"cannot read the file: {err.strerror or err}") from None
    return audible(decode(path, bundle["config"]["sample_rate"]))  # MusicgenreError for anything undecodable


def samples(audio, sample_rate, target_rate):
    """Samples in memory (``(samples,)`` or ``(channels, samples)`` at ``sample_rate``) made what a
    file decodes to (:func:`musicgenre.audio.load`, which is ``librosa.load``): float32, down-mixed
    to mono, resampled to ``target_rate`` by librosa's default resampler, then checked like a file."""
    import librosa

    y = np.asarray(audio, dtype=np.float32)
    if y.ndim not in (1, 2) or y.size == 0:
        raise MusicgenreError(f"samples must be an array of shape (samples,) or (channels, samples), got {y.shape}")
    if not np.isfinite(y).all():
        raise MusicgenreError("the audio contains NaN or infinite samples")
    y = librosa.to_mono(y)
    if sample_rate != target_rate:
        y = librosa.resample(y, orig_sr=sample_rate, target_sr=target_rate)
    return audible(y)


def audible(y):
    """``y``, unless it is silent (peak amplitude below :data:`SILENCE`): nothing to classify then."""
    if max(y.max(), -y.min()) < SILENCE:  # no copy of an hour of samples
        raise MusicgenreError("the audio is silent (peak amplitude below 1e-4); nothing to classify")
    return y


def audio_input(bundle, y, max_chunks=None):
    """``(batch, padded, total)``: what the bundle's model reads for decoded audio ``y``, a row (or
    array) per chunk, equal to the rows its representation's stage computed for the same clip.
    ``padded``: shorter than one chunk, so zero-padded to one, as the stages do. ``total``: the
    chunks of the whole file; past ``max_chunks`` of them, only ``max_chunks`` spread evenly over
    it are computed (:func:`spread`), so a long file costs a bounded time."""
    config = bundle["config"]
    representation = named(config["input"], config)
    y, parts, padded = cut_chunks(y, config["sample_rate"], config["chunk_seconds"])
    used = spread(parts, max_chunks)
    values = representation.chunks(config, y, used)
    return representation.batch(config, values, bundle["feature_names"]), padded, len(parts)


def spread(parts, max_chunks):
    """All ``parts``, or ``max_chunks`` of them spread evenly from the first to the last (``None``
    or 0: all). A sampled chunk's neighbours are not computed, so it is described from its own
    audio (the descriptors' separation, :func:`musicgenre.dsp.features.segments`)."""
    if not max_chunks or len(parts) <= max_chunks:
        return parts
    return [parts[k] for k in np.unique(np.linspace(0, len(parts) - 1, max_chunks).round().astype(int))]


def classify(bundle, path, max_chunks=None):
    """Genre probabilities of one file (:func:`classify_audio` of its decoded samples)."""
    return classify_audio(bundle, decoded(bundle, path), max_chunks)


def classify_audio(bundle, y, max_chunks=None):
    """Genre probabilities of decoded audio: ``{"probabilities": {genre: p}, "chunks": n used,
    "file_chunks": n in the file, "padded": bool}``, by the family's clip rule, as in evaluation."""
    batch, padded, total = audio_input(bundle, y, max_chunks)
    means = bundle["model"].clip_proba(batch, np.zeros(len(batch))).iloc[0]
    return {"probabilities": means.sort_values(ascending=False).round(4).to_dict(),
            "chunks": len(batch), "file_chunks": total, "padded": padded}
