"""Timing shared by the benchmarks: contenders interleaved, so a busy machine slows them alike."""

import gc
import statistics
import time


def interleaved(contenders, trials):
    """Median seconds per call of each contender, the trials interleaved: {name: seconds}.

    contenders: {name: (fn, calls per trial)}
    """
    times = {name: [] for name in contenders}
    names = list(contenders)
    gc.disable()  # as timeit does: a collection would land on whichever contender runs
    try:
        for trial in range(trials):
            for name in names[trial % len(names):] + names[:trial % len(names)]:  # rotate
                fn, calls = contenders[name]
                t0 = time.perf_counter()
                for _ in range(calls):
                    fn()
                times[name].append((time.perf_counter() - t0) / calls)
    finally:
        gc.enable()
    return {name: statistics.median(t) for name, t in times.items()}
