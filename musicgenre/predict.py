"""Classify any audio file with a trained bundle.

A file is read in chunks of the bundle's ``chunk_seconds``, block by block, so a one-hour file
never sits in memory. Each block is down-mixed and resampled to the bundle's rate. Each chunk
becomes what the bundle's model reads (its representation: the 57 descriptors, a log-mel
spectrogram or a musicnn embedding). The file's genre follows the family's clip rule, the one
behind the clip-level metric: the soft vote of its chunks, or the class of their pooled vector.
A file that cannot be classified raises :class:`MusicgenreError` with the reason. The caller
reports it and goes on with the next file.
"""

import os
import warnings
from pathlib import Path

import numpy as np
import soundfile as sf

from .audio import AUDIO_EXTENSIONS, decode, pad_to_one_chunk
from .errors import MusicgenreError
from .representations import named

SILENCE = 1e-4  # peak amplitude below which a file is treated as silent


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


def chunks_of(path, sample_rate, chunk_seconds):
    """Yield consecutive mono ``chunk_seconds`` chunks of ``path`` at ``sample_rate``.

    The last partial chunk is dropped, as in training, unless the file is shorter than one chunk:
    then it is zero-padded to one chunk, with a warning. Decoding goes through soundfile block by
    block (WAV, AU, FLAC, OGG, MP3). Other formats fall back to librosa/audioread, which decodes
    the whole file.
    """
    import soxr

    chunk_len = int(round(chunk_seconds * sample_rate))
    try:
        handle = sf.SoundFile(str(path))
    except Exception:
        handle = None
    if handle is None:
        yield from _chunks_in_memory(path, sample_rate, chunk_len)
        return
    with handle:
        native = handle.samplerate
        block = int(np.ceil(chunk_seconds * native))
        # a streaming resampler (the soxr 'HQ' filter librosa.load uses) has no seams between blocks
        stream = soxr.ResampleStream(native, sample_rate, 1, dtype="float32", quality="HQ") if native != sample_rate else None
        emitted, peak, tail = 0, 0.0, np.zeros(0, dtype=np.float32)
        blocks = handle.blocks(blocksize=block, dtype="float32", always_2d=True)
        for data in blocks:
            mono = data.mean(axis=1)
            if not np.isfinite(mono).all():
                raise MusicgenreError("the audio contains NaN or infinite samples")
            peak = max(peak, float(np.abs(mono).max(initial=0.0)))
            last = handle.tell() >= handle.frames
            if stream is not None:
                mono = stream.resample_chunk(mono, last=last)
            tail = np.concatenate([tail, mono])
            while len(tail) >= chunk_len:
                yield tail[:chunk_len]
                emitted += 1
                tail = tail[chunk_len:]
        if emitted == 0 and len(tail) == 0:
            raise MusicgenreError("the file holds no audio samples")
        if peak < SILENCE:
            raise MusicgenreError("the file is silent (peak amplitude below 1e-4); nothing to classify")
        if emitted == 0:
            yield pad_to_one_chunk(tail, chunk_len, sample_rate, path)


def _chunks_in_memory(path, sample_rate, chunk_len):
    y = decode(path, sample_rate)  # raises a clear error for anything undecodable
    if np.abs(y).max() < SILENCE:
        raise MusicgenreError("the file is silent (peak amplitude below 1e-4); nothing to classify")
    y = pad_to_one_chunk(y, chunk_len, sample_rate, path)
    for start in range(0, len(y) - chunk_len + 1, chunk_len):
        yield y[start:start + chunk_len]


def classify(bundle, path):
    """Genre probabilities of one file: ``{"probabilities": {genre: p}, "chunks": n, "padded": bool}``."""
    config = bundle["config"]
    representation = named(config["input"])
    rows = []
    try:
        open(path, "rb").close()  # permission and link-loop problems, named plainly before any decoder tries
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for chunk in chunks_of(path, config["sample_rate"], config["chunk_seconds"]):
                rows.append(representation.chunk(config, chunk))
    except MusicgenreError:
        raise
    except OSError as err:
        raise MusicgenreError(f"cannot read the file: {err.strerror or err}") from None
    except Exception as err:  # decoders raise many types for corrupt input; all mean "cannot decode"
        raise MusicgenreError(f"cannot decode the audio ({str(err).strip() or type(err).__name__})") from None
    padded = any("zero-padded" in str(w.message) for w in caught)
    model = bundle["model"]
    batch = representation.batch(config, rows, bundle["feature_names"])
    means = model.clip_proba(batch, np.zeros(len(rows))).iloc[0]  # the family's clip rule, as in evaluation
    return {"probabilities": means.sort_values(ascending=False).round(4).to_dict(),
            "chunks": len(rows), "padded": padded}
