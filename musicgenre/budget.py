"""What a collection larger than GTZAN will cost on this machine, said by ``download`` before the
cost is paid, and a stop when the run would not fit in this machine's memory.

Without it, a user who points the pipeline at a 25,000-song folder would find out by running out of
memory after an hour. The figures are ``benchmarks/scaling.py``'s fit, saved to
``musicgenre/data/scaling.json`` with the number of CPUs and the clip length measured on. For each
stage they give its time as a fixed cost plus a power of the clips (``fixed_s + scale_s * clips **
growth_exponent``: a search that costs the square of its rows grows faster than the collection),
and its peak memory as a straight line (with the sizes and commit they come from). The
projection:

* scales each stage's per-clip time by this collection's mean clip length, and the per-clip stages'
  (``clean``, ``represent@<name>``, ``hear@<name>``) by their workers here (``n_jobs``, at most one
  per CPU) against the benchmark's, since the workers share the clips;
* adds the stages up, and takes the largest peak (stages run one at a time);
* lists the stages that have no figures (a family or embedding of the user's own), because the
  projection cannot count them.

``budget.stop_over_memory: false`` in ``params.yaml`` runs anyway. It is not a parameter of any
stage, since it changes no output: a stopped ``download`` leaves no record, so ``dvc repro`` runs
it again after the change.
"""

import os
from importlib import resources

import yaml

from .errors import MusicgenreError
from .jsonio import read_json
from .params import section

#: Clips up to which nothing is said: GTZAN's size, which every figure in the docs is about.
GTZAN_CLIPS = 1000
#: Stages whose per-clip work is shared among workers (their section's ``n_jobs``, at most one per CPU).
PER_CLIP = ("clean", "represent@", "hear@")


def figures():
    """The benchmark's fitted figures (``musicgenre/data/scaling.json``)."""
    return read_json(resources.files("musicgenre") / "data" / "scaling.json")


def stage_names(pipeline, params):
    """The stages of ``pipeline`` (``dvc.yaml`` as read) with each ``foreach`` expanded over ``params``, as
    DVC names them (``train@knn``)."""
    names = []
    for name, stage in pipeline["stages"].items():
        if "foreach" not in stage:
            names.append(name)
            continue
        items = params
        for key in stage["foreach"].strip("${} ").split("."):
            items = (items or {}).get(key, {})
        names += [f"{name}@{key}" for key in items]
    return names


def machine_memory():
    """This machine's physical memory in bytes."""
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def workers(stage, params, cpus):
    """The worker processes a per-clip ``stage`` runs on: its section's ``n_jobs`` (``-1``: one per CPU; 0 or
    1: one), at most one per CPU."""
    jobs = section(params, f"{stage.partition('@')[2] or stage}.n_jobs")
    return min(cpus, cpus if jobs == -1 else max(1, jobs))


def stage_cost(fitted, clips, shared=1.0):
    """``(seconds, peak bytes)`` of one stage on ``clips`` clips by its ``fitted`` figures, the growing part
    of its time times ``shared`` (its workers there against here); memory never below its largest peak."""
    return (fitted["fixed_s"] + fitted["scale_s"] * clips ** fitted["growth_exponent"] * shared,
            max(fitted["peak_max_mb"], fitted["peak_base_mb"] + fitted["peak_per_clip_mb"] * clips) * 1e6)


def projection(stages, clips, seconds, cpus, measured, params):
    """``(seconds, peak bytes, peak stage, unmeasured stages)`` of running ``stages`` on ``clips`` clips
    of ``seconds`` mean length on ``cpus`` CPUs with ``params``, from ``measured`` (:func:`figures`: its
    per-clip stages ran one worker per CPU, the shipped params' ``n_jobs``)."""
    total, peak, worst, unmeasured = 0.0, 0.0, None, []
    length = clips * seconds / measured["clip_seconds"]  # in clips of the measured length
    for stage in stages:
        fitted = measured["stages"].get(stage)
        if fitted is None:
            unmeasured.append(stage)
            continue
        shared = measured["cpus"] / workers(stage, params, cpus) if stage.startswith(PER_CLIP) else 1.0
        seconds, grown = stage_cost(fitted, length, shared)
        total += seconds
        if grown > peak:
            peak, worst = grown, stage
    return total, peak, worst, unmeasured


def say_cost(manifest, params, pipeline_file="dvc.yaml", cpus=None, memory=None, measured=None):
    """For a collection of more than :data:`GTZAN_CLIPS` readable clips (``manifest``): the line that
    says what the whole run will cost here, or an error when its peak memory would exceed the
    machine's (unless ``budget.stop_over_memory`` is false). ``None`` for smaller collections."""
    readable = manifest[manifest["readable"]]
    if len(readable) <= GTZAN_CLIPS:
        return None
    cpus, memory = cpus or os.cpu_count(), memory or machine_memory()
    measured = measured or figures()
    with open(pipeline_file) as handle:
        stages = stage_names(yaml.safe_load(handle), params)
    seconds = float(readable["duration_s"].mean())
    total, peak, worst, unmeasured = projection(stages, len(readable), seconds, cpus, measured, params)
    hours, minutes = divmod(round(total / 60), 60)
    said = (f"budget: {len(readable)} clips of {seconds:.3g} s on average; on {cpus} CPUs the whole run will take "
            f"about {hours} h {minutes:02d} min and peak at {peak / 1e9:.1f} GB ({worst}) of this machine's "
            f"{memory / 1e9:.1f} GB (projected from benchmarks/scaling.py's runs on {measured['cpus']} CPUs: "
            "docs/benchmarks.md)")
    if unmeasured:
        said += f"; not counted, having no figures: {', '.join(unmeasured)}"
    if peak > memory and section(params, "budget.stop_over_memory"):
        raise MusicgenreError(f"{said}. Its peak memory would exceed this machine's, so the run stops here, before "
                              "paying for it: run it on a machine with more memory, or on part of the collection, "
                              "or set budget.stop_over_memory: false in params.yaml to run anyway")
    return said
