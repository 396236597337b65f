"""Content-based duplicate detection: audio fingerprints that find repeats no list mentions.

Chromaprint would be the first choice, but it is not installable from PyPI alone (pyacoustid
needs the system ``libchromaprint``/``fpcalc``), and the project must install with pip. So this is
the classic Haitsma & Kalker (2002) fingerprint in numpy: every frame gets a 32-bit word, one bit
per pair of adjacent bands, set when the energy difference between the bands grows from the
previous frame. Words survive re-encoding, gain changes and small noise, so two excerpts of one
recording share many words at a constant time offset.

Search is by index, not by comparing every pair: frames with equal words vote for the (clip pair,
offset) they imply; a pair with enough votes at one offset is verified by the bit error rate
(BER) over the overlapping frames. Haitsma & Kalker call BER < 0.35 the same recording.
"""

import numpy as np
import pandas as pd

SAMPLE_RATE = 11025
HOP = 256  # 23 ms frames
N_BANDS = 33  # 33 bands -> 32 bits per frame
MIN_VOTES = 8
MAX_BER = 0.35
MIN_OVERLAP_S = 3.0
COMMON_WORD = 50  # words in more places than this (silence, steady tones) carry no identity


def fingerprint(y, sr):
    """The 32-bit words of mono audio ``y`` at ``sr`` (resampled to 11025 Hz), one per frame."""
    import librosa

    if sr != SAMPLE_RATE:
        y = librosa.resample(y, orig_sr=sr, target_sr=SAMPLE_RATE)
    bands = librosa.feature.melspectrogram(y=y, sr=SAMPLE_RATE, n_fft=2048, hop_length=HOP,
                                           n_mels=N_BANDS, fmin=300, fmax=2000, power=2.0)
    energy = np.log(bands + 1e-10)
    diff = energy[:-1] - energy[1:]  # adjacent bands, (32, frames)
    bits = (diff[:, 1:] - diff[:, :-1]) > 0  # growth over time, (32, frames - 1)
    return (bits.astype(np.uint64) << np.arange(32, dtype=np.uint64)[:, None]).sum(axis=0).astype(np.uint32)


def fingerprint_file(path):
    """The fingerprint of an audio file (decoded, down-mixed and resampled as :func:`audio.load` does)."""
    from .audio import load

    return fingerprint(load(path, SAMPLE_RATE), SAMPLE_RATE)


def bit_error_rate(a, b, offset):
    """BER of words ``a[t]`` against ``b[t + offset]`` over their overlap, and the overlap length."""
    start, stop = max(0, -offset), min(len(a), len(b) - offset)
    if stop <= start:
        return 1.0, 0
    x, y = a[start:stop], b[start + offset:stop + offset]
    differing = np.unpackbits((x ^ y).view(np.uint8)).sum()
    return float(differing) / (32 * (stop - start)), stop - start


def find_duplicates(prints):
    """Pairs of clips that hold the same audio, from ``{file: words}``.

    Returns a frame with ``file_a, file_b, offset_s, overlap_s, ber, kind`` where ``kind`` is
    ``exact`` (aligned, near-zero BER over the whole clip) or ``overlap`` (the same recording at
    a shift, or a noisier copy).
    """
    columns = ["file_a", "file_b", "offset_s", "overlap_s", "ber", "kind"]
    if len(prints) < 2:  # nothing to pair (also detect_duplicates: skip, which passes no prints)
        return pd.DataFrame(columns=columns)
    files = sorted(prints)
    frame_s = HOP / SAMPLE_RATE
    rows = []
    for a, b, shift in best_alignments([prints[f] for f in files]):
        ber, overlap = bit_error_rate(prints[files[a]], prints[files[b]], shift)
        if ber < MAX_BER and overlap * frame_s >= MIN_OVERLAP_S:
            whole = overlap >= 0.95 * min(len(prints[files[a]]), len(prints[files[b]]))
            rows.append({"file_a": files[a], "file_b": files[b], "offset_s": round(shift * frame_s, 3),
                         "overlap_s": round(overlap * frame_s, 2), "ber": round(ber, 4),
                         "kind": "exact" if abs(shift) <= 1 and ber < 0.05 and whole else "overlap"})
    return pd.DataFrame(rows, columns=columns)


def best_alignments(words):
    """``(a, b, shift)`` for each pair of clips ``a < b`` whose equal words vote at least
    :data:`MIN_VOTES` times for one shift (``words[a][t]`` against ``words[b][t + shift]``): the
    shift with the most votes, the smaller shift on a tie. Sorted by ``(a, b)``.

    One index of every frame (about 21 bytes a frame), then each clip in turn looks up its words: it votes
    only with the frames of later clips, so every pair of frames votes once, and only its own votes
    are held. A word in at most :data:`COMMON_WORD` places brings at most that many votes per frame,
    so the work and the memory grow with the collection, not with its square.
    """
    lengths = np.array([len(w) for w in words], dtype=np.int64)
    offsets = np.r_[0, np.cumsum(lengths)]
    sorted_words = np.concatenate(words)
    order = np.argsort(sorted_words, kind="stable")
    sorted_words = sorted_words[order]
    ids = np.repeat(np.arange(len(words), dtype=np.int32), lengths)[order]
    times = np.concatenate([np.arange(n, dtype=np.int32) for n in lengths])[order]
    first = np.r_[True, sorted_words[1:] != sorted_words[:-1]]
    del sorted_words
    group = (np.cumsum(first) - 1).astype(np.int32)  # the word's place among the distinct words
    starts = np.flatnonzero(first).astype(np.int32)
    # how many places each word has, counted up to one more than a telling word can have
    sizes = np.minimum(np.diff(np.r_[starts, offsets[-1]]), COMMON_WORD + 1).astype(np.uint8)
    del first
    rank = np.empty_like(order, dtype=np.int32)  # where each frame of the collection sits in the index
    rank[order] = np.arange(len(order), dtype=np.int32)
    del order
    span = 2 * int(lengths.max()) + 1  # every shift, -longest..longest, in one key with the other clip
    found = []
    for a in range(len(words)):
        place = rank[offsets[a]:offsets[a + 1]]
        word = group[place]
        size = sizes[word].astype(np.int64)
        telling = (size > 1) & (size <= COMMON_WORD)
        place, word, size = place[telling], word[telling], size[telling]
        if not len(place):
            continue
        # every place of each frame's word: its group's start plus 0 .. size - 1
        within = np.arange(size.sum()) - np.repeat(np.cumsum(size) - size, size)
        partner = np.repeat(starts[word], size) + within
        partner_ids = ids[partner]
        later = partner_ids > a
        b = partner_ids[later].astype(np.int64)
        shift = times[partner][later] - np.repeat(times[place], size)[later]
        keys, votes = np.unique(b * span + shift + span // 2, return_counts=True)
        strong = votes >= MIN_VOTES
        keys, votes = keys[strong], votes[strong]
        if not len(keys):
            continue
        others, shifts = keys // span, keys % span - span // 2
        pick = np.lexsort((shifts, -votes, others))  # per other clip: most votes, then smallest shift
        pick = pick[np.r_[True, others[pick][1:] != others[pick][:-1]]]
        found += [(a, int(other), int(s)) for other, s in zip(others[pick], shifts[pick])]
    return found


def as_faults(pairs):
    """Detected pairs as fault-list rows (``exact_duplicate``/``recording_duplicate``), one group per pair.

    Pairs sharing a file end up in one duplicate group when the cleaning merges groups.
    """
    rows = []
    for k, pair in enumerate(pairs.itertuples(), start=1):
        fault = "exact_duplicate" if pair.kind == "exact" else "recording_duplicate"
        note = f"detected: offset {pair.offset_s} s, overlap {pair.overlap_s} s, BER {pair.ber}"
        rows += [{"file": f, "fault": fault, "group": f"detected{k}", "correct_genre": "", "note": note}
                 for f in (pair.file_a, pair.file_b)]
    return pd.DataFrame(rows, columns=["file", "fault", "group", "correct_genre", "note"])


def precision_recall(found, truth):
    """Pairwise precision and recall of detected duplicate pairs against known ones (sets of frozensets)."""
    hits = len(found & truth)
    return {"precision": round(hits / len(found), 4) if found else 1.0,
            "recall": round(hits / len(truth), 4) if truth else 1.0}
