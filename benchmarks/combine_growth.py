"""Benchmark: how ``combine``'s own work grows, up to FMA's sizes.

At ``benchmarks/scaling.py``'s sizes (250 to 2000 clips) ``combine`` takes two or three seconds,
most of them starting DVC: its time exponent cannot be told there, and its memory (251 to 370 MiB)
was projected to FMA large by a straight line through four points. This measures the work itself
where it weighs: it takes the descriptor and embedding tables of a kept scaling project
(``--source``, default the 2000-clip one of ``scaling.py --keep``), repeats their clips under new
names up to each size (default 2000, 8000, 25000 and 106574 clips: FMA small, medium and large),
writes them as the stages write them (``musicgenre.streams.parquet_stream``: the same row groups),
and runs ``python -m stages.combine`` on them, without DVC. It prints each size's wall time
(the fastest of ``--repeat``, each run ``--cold`` if asked, as in ``scaling.py``) and peak memory,
then the fitted growth (``scaling.fit``). ``--save musicgenre/data/scaling.json`` puts them in
place of ``combine``'s figures from ``scaling.py``, for ``download``'s projections.

    python benchmarks/combine_growth.py [--source ~/.cache/musicgenre/scaling/project-2000x30s]
                                        [--sizes 2000 8000 25000 106574] [--repeat 3] [--cold] [--save FILE]
"""

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pyarrow.parquet as pq

from gtzan_budget import PROJECT, timed  # beside it
from scaling import PROJECTED, fastest, fit, refuse_cold_unless_root, save
from musicgenre.paths import CHUNKS, EMBEDDINGS
from musicgenre.streams import parquet_stream

#: The tables ``combine`` joins, and what else the stage reads beside them.
TABLES = (CHUNKS, EMBEDDINGS)
BESIDE = ("params.yaml", "data/inputs/embeddings/model.json")

#: The length of the clips of scaling.py's projects (what its figures are per clip of).
CLIP_SECONDS = 30.0


def repeated(source, target, clips):
    """Write ``source``'s chunk rows to ``target``, its clips repeated under new names (``007-blues.00001.wav``)
    until ``clips`` clips, in the same order in every table (as the stages write the manifest's clips)."""
    table = pq.read_table(source).to_pandas()
    files = table["file"].unique()
    with parquet_stream(target, list(table.columns)) as written:
        for copy in range(-(-clips // len(files))):
            wanted = files[:clips - copy * len(files)]
            rows = table[table["file"].isin(wanted)].copy()
            rows["file"] = f"{copy:03d}-" + rows["file"]
            written.add(rows)
    return written.rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path,
                        default=Path.home() / ".cache" / "musicgenre" / "scaling" / "project-2000x30s")
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, *PROJECTED.values()])
    parser.add_argument("--repeat", type=int, default=3, help="run combine this many times per size: the fastest counts")
    parser.add_argument("--cold", action="store_true", help="as scaling.py --cold (needs root)")
    parser.add_argument("--save", type=Path, help="write combine's fitted figures into this JSON file")
    args = parser.parse_args()
    if not all((args.source / table).exists() for table in TABLES):
        parser.error(f"{args.source} holds no descriptor and embedding tables: run benchmarks/scaling.py --keep first")
    if args.cold:
        refuse_cold_unless_root(parser)
    print(f"{'clips':>7} {'rows':>9} {'wall':>8} {'peak memory':>12}   (combine alone, {os.cpu_count()} CPUs)", flush=True)
    rows = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            for name in BESIDE:
                (root / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(args.source / name, root / name)
            for table in TABLES:
                chunks = repeated(args.source / table, root / table, size)
            wall, peak = fastest(lambda: timed([sys.executable, "-m", "stages.combine"], root,
                                               {**os.environ, "PYTHONPATH": str(PROJECT)}), args.repeat, args.cold)
        rows.append((size, wall, peak))
        print(f"{size:>7} {chunks:>9} {wall:7.1f}s {peak / 2**20:9.0f} MiB", flush=True)
    figures = fit(*zip(*rows))
    print(f"\nexponent {figures['exponent']:.2f}, above the fixed cost {figures['growth_exponent']:.2f}"
          f"{'' if figures['exponent_measured'] else ' (too small to tell: taken as linear)'}, fixed "
          f"{figures['fixed_s']:.1f} s; memory {figures['peak_per_clip_mb'] * 1000:.0f} MB per 1,000 clips, "
          f"largest {figures['peak_max_mb'] / 1000:.2f} GB")
    if args.save:
        save(args.save, {"combine": figures}, {"combine": list(args.sizes)}, CLIP_SECONDS)


if __name__ == "__main__":
    main()
