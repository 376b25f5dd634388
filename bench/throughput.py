"""Throughput and memory of bulk runs, against bare trafilatura, in one run on one corpus.

    python bench/throughput.py          # 3 rounds on 400 docs; memory at 1,000 and 10,000 docs
    python bench/throughput.py --docs 100 --rounds 1 --memory-docs 200,1000   # quicker
    python bench/throughput.py --modes bare,local-1 --memory-docs ""          # 1-worker ratio only
    python bench/throughput.py --modes bare,local-1 --docs 120 --rounds 12 --rotate --memory-docs ""
                                         # the same, in short rounds over the corpus: steadier on a drifting machine

The corpus is ``../shared/data/extraction/pages`` repeated (links in a
temporary folder, or ``--format warc``: one ``.warc.gz`` built from them),
made once and deleted afterwards. Measured, each on the whole corpus:

* bare ``trafilatura.extract(html)`` (default settings) in a loop, one
  process, reading and gunzipping each page as the pipeline does;
* newsdigest's full pipeline, local engine, 1 worker process (IPC included);
* the same with 2 workers;
* bare extraction in 2 plain processes: what 2 cores give right now (the
  machine is shared; this is the ceiling for the 2-worker ratios);
* the dask engine on a 2-worker LocalCluster;
* two references, only when asked for with ``--modes``: ``bare-meta``,
  ``trafilatura.extract(html, with_metadata=True)``, which also finds the
  title, author, date and site name newsdigest's records carry; and
  ``extract-1``, newsdigest's extract stage alone on 1 worker, so that
  ``local-1 / extract-1`` is the cost of every stage beyond extraction;

then the peak memory (RSS of this process and all its descendants, sampled)
of a 2-worker run on ``--memory-docs`` documents. Times include start-up
(workers, cluster); "steady" rates leave out the time to the first outcome.
The machine is shared and its speed drifts, so the rounds run the modes
forwards and backwards in turn, and each ratio is the median of the rounds'
own ratios (two runs of one round are close in time), with their range.
Each mode also reports its CPU time per document (all its processes).
Targets: 1 worker >= 0.85x bare; 2 workers >= 1.8x 1 worker; dask 2 >=
1.6x 1 worker; peak memory at the largest run <= 1.1x that at the smallest.
"""

from __future__ import annotations

import argparse
import gzip
import io
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.batch import run_batch  # noqa: E402
from pipeline.config import Config  # noqa: E402
from pipeline.engines import LocalEngine, get_engine  # noqa: E402

PAGES = REPO.parent / "shared" / "data" / "extraction" / "pages"


# --- corpus -------------------------------------------------------------------


def build_corpus(folder: Path, count: int, fmt: str, offset: int = 0) -> list[Path]:
    """``count`` documents from the shared pages (repeated), from the ``offset``-th on; returns the input paths."""
    pages = sorted(PAGES.glob("*.html.gz"))
    if not pages:
        sys.exit(f"no pages in {PAGES}")
    folder.mkdir(parents=True)
    if fmt == "warc":
        from warcio.statusandheaders import StatusAndHeaders
        from warcio.warcwriter import WARCWriter

        path = folder / "corpus.warc.gz"
        with open(path, "wb") as handle:
            writer = WARCWriter(handle, gzip=True)
            for n in range(count):
                body = gzip.decompress(pages[(offset + n) % len(pages)].read_bytes())
                http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
                record = writer.create_warc_record(
                    f"https://bench.example/{n}", "response", payload=io.BytesIO(body), http_headers=http
                )
                writer.write_record(record)
        return [path]
    for n in range(count):
        # A link per document: each has its own source, the bytes are shared.
        os.symlink(pages[(offset + n) % len(pages)], folder / f"{n:06d}.html.gz")
    return [folder]




# --- memory sampling ----------------------------------------------------------


class TreeMemory:
    """Peak RSS of this process plus every descendant, sampled from /proc.

    A sample reads every process's ``stat`` (about 1.8 ms of CPU here), so
    the rate runs sample once a second, leaving the cores to the run, and
    only the memory runs every 0.1 s.
    """

    def __init__(self, interval: float = 0.1) -> None:
        self.interval, self.peak, self._stop = interval, 0, threading.Event()
        self._page = os.sysconf("SC_PAGE_SIZE")
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.sample())
            self._stop.wait(self.interval)

    def sample(self) -> int:
        parents: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat", "rb") as handle:
                        stat = handle.read()
                    parents[int(entry)] = int(stat[stat.rindex(b")") + 2 :].split()[1])
                except (OSError, ValueError):
                    continue
        tree, frontier = {os.getpid()}, [os.getpid()]
        while frontier:
            parent = frontier.pop()
            for pid, ppid in parents.items():
                if ppid == parent and pid not in tree:
                    tree.add(pid)
                    frontier.append(pid)
        total = 0
        for pid in tree:
            try:
                with open(f"/proc/{pid}/statm") as handle:
                    total += int(handle.read().split()[1]) * self._page
            except (OSError, ValueError):
                continue
        return total


# --- the measurements -----------------------------------------------------------


def cpu_seconds() -> float:
    """CPU time (user + system) of this process and its reaped descendants."""
    import resource

    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def bare_trafilatura(inputs: list[Path], **options: bool) -> tuple[int, float]:
    import trafilatura

    from pipeline.inputs import read_documents

    started = time.perf_counter()
    count = 0
    for item in read_documents(inputs):
        trafilatura.extract(item.html, **options)
        count += 1
    return count, time.perf_counter() - started


def _extract_paths(paths: list[str]) -> int:
    import trafilatura

    from pipeline.inputs import read_documents

    for item in read_documents(paths):
        trafilatura.extract(item.html)
    return len(paths)


def bare_trafilatura_2(inputs: list[Path]) -> tuple[int, float]:
    """The machine's own ceiling: bare extraction in 2 processes (started beforehand)."""
    import multiprocessing

    from pipeline.inputs import discover

    paths = [str(p) for p in discover(inputs)]
    if len(paths) == 1:  # a WARC: no split by file; the ceiling is not measured
        return 0, 1.0
    chunks = [paths[i : i + 8] for i in range(0, len(paths), 8)]
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        pool.map(_extract_paths, [chunks[0][:1], chunks[0][:1]])  # imports done
        started = time.perf_counter()
        count = sum(pool.imap_unordered(_extract_paths, chunks))
        return count, time.perf_counter() - started


class FirstOutcome:
    """Wraps an engine to note when its first outcome arrives."""

    def __init__(self, engine) -> None:
        self.engine, self.name, self.first = engine, engine.name, None

    def run(self, config, inputs, stats):
        for outcome in self.engine.run(config, inputs, stats):
            if self.first is None:
                self.first = time.perf_counter()
            yield outcome


def newsdigest(
    inputs: list[Path], out: Path, engine, workers: int, config_path: Path | None = None,
    stages: list[str] | None = None, sample_every: float = 1.0,
) -> dict:
    config = Config.load(config_path) if config_path else Config()
    config.set("engine", "workers", workers)
    if stages:
        config.stages = stages
    timed = FirstOutcome(engine)
    with TreeMemory(sample_every) as memory:
        started = time.perf_counter()
        stats = run_batch(inputs, out, config=config, engine=timed)
        seconds = time.perf_counter() - started
    steady = seconds - (timed.first - started) if timed.first else seconds
    return {
        "docs": stats.documents,
        "seconds": seconds,
        "rate": stats.documents / seconds,
        "steady_docs": max(stats.documents - 1, 1),
        "steady_seconds": max(steady, 1e-9),
        "peak_rss": memory.peak,
        "stats": stats.to_dict(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=400, help="corpus size for the rate ratios")
    parser.add_argument("--rounds", type=int, default=3,
                        help="every measurement is repeated this many times, interleaved; ratios are per round")
    parser.add_argument("--memory-docs", default="1000,10000", help="corpus sizes for peak memory")
    parser.add_argument("--format", choices=("html", "warc"), default="html")
    parser.add_argument("--rotate", action="store_true",
                        help="each round takes the next --docs pages (many short rounds then cover the"
                             " corpus, each ratio pairing runs a minute apart)")
    parser.add_argument("--skip-dask", action="store_true")
    parser.add_argument("--config", type=Path, help="newsdigest config for its runs (default: none)")
    parser.add_argument("--modes", default="",
                        help="only these measurements, comma-separated (of bare, bare-2, local-1,"
                             " local-2, dask-2, and the references bare-meta and extract-1);"
                             " e.g. bare,local-1 for the 1-worker ratio alone")
    args = parser.parse_args()
    memory_sizes = [int(n) for n in args.memory_docs.split(",") if n]

    labels = {
        "bare": "bare trafilatura.extract, 1 process",
        "bare-meta": "trafilatura.extract with metadata",
        "bare-2": "bare trafilatura.extract, 2 processes",
        "extract-1": "newsdigest extract stage, 1 worker",
        "local-1": "newsdigest, local engine, 1 worker",
        "local-2": "newsdigest, local engine, 2 workers",
        "dask-2": "newsdigest, dask engine, 2 workers",
    }
    modes = ["bare", "bare-2", "local-1", "local-2"] + ([] if args.skip_dask else ["dask-2"])
    if args.modes:
        wanted = [mode.strip() for mode in args.modes.split(",") if mode.strip()]
        unknown = sorted(set(wanted) - set(labels))
        if unknown:
            parser.error(f"unknown mode(s): {', '.join(unknown)}")
        modes = [mode for mode in labels if mode in wanted]
    workdir = Path(tempfile.mkdtemp(prefix="nd-bench-"))
    try:
        inputs = build_corpus(workdir / "corpus", args.docs, args.format)
        print(f"corpus: {args.docs} documents ({args.format}) from {PAGES}; "
              f"load average at start {os.getloadavg()[0]:.1f} (2 cores shared: expect noise)", flush=True)
        rates: dict[str, list[float]] = {mode: [] for mode in modes}
        steady: dict[str, list[float]] = {mode: [] for mode in modes}
        cpu_ms: dict[str, list[float]] = {mode: [] for mode in modes}
        steady_docs: dict[str, list[int]] = {mode: [] for mode in modes}
        steady_seconds: dict[str, list[float]] = {mode: [] for mode in modes}
        stage_ms: list[dict[str, float]] = []
        for round_ in range(1, args.rounds + 1):
            if args.rotate and round_ > 1:
                inputs = build_corpus(workdir / f"corpus-{round_}", args.docs, args.format,
                                      offset=(round_ - 1) * args.docs)
            # Forwards, then backwards: on a machine whose speed drifts, each
            # ratio's two runs sit as often early as late in a pair of rounds.
            for mode in modes if round_ % 2 else modes[::-1]:
                cpu_before = cpu_seconds()
                if mode.startswith("bare"):
                    if mode == "bare-2":
                        count, seconds = bare_trafilatura_2(inputs)
                    else:
                        count, seconds = bare_trafilatura(inputs, with_metadata=mode == "bare-meta")
                    result = {"rate": count / seconds, "docs": count, "seconds": seconds,
                              "steady_docs": count, "steady_seconds": seconds, "peak_rss": 0}
                else:
                    workers = int(mode.rsplit("-", 1)[1])
                    engine = get_engine("dask", Config()) if mode.startswith("dask") else LocalEngine()
                    stages = ["extract"] if mode == "extract-1" else None
                    result = newsdigest(inputs, workdir / f"out-{mode}.jsonl", engine, workers, args.config, stages)
                    if mode == "local-1":
                        stage_ms.append({
                            name: 1000 * counts["seconds"] / max(result["docs"], 1)
                            for name, counts in result["stats"]["stages"].items()
                        })
                result["steady_rate"] = result["steady_docs"] / result["steady_seconds"]
                result["cpu_ms"] = 1000 * (cpu_seconds() - cpu_before) / max(result["docs"], 1)
                cpu_ms[mode].append(result["cpu_ms"])
                rates[mode].append(result["rate"])
                steady[mode].append(result["steady_rate"])
                steady_docs[mode].append(result["steady_docs"])
                steady_seconds[mode].append(result["steady_seconds"])
                memory = f"; peak RSS {result['peak_rss'] / 2**20:.0f} MiB" if result["peak_rss"] else ""
                print(f"round {round_} {labels[mode]:37s}: {result['rate']:6.2f} docs/s"
                      f" (steady {result['steady_rate']:.2f}; {result['docs']} in {result['seconds']:.1f} s;"
                      f" CPU {result['cpu_ms']:.1f} ms/doc{memory})",
                      flush=True)

        def paired(a: str, b: str, of: dict[str, list[float]]) -> str:
            """Median over the rounds of a / b, each round's two runs taken close in time; and its range."""
            ratios = [x / y for x, y in zip(of[a], of[b])]
            spread = f" (rounds {min(ratios):.2f}-{max(ratios):.2f})" if len(ratios) > 1 else ""
            return f"{statistics.median(ratios):5.2f}x{spread}"

        def pooled(a: str, b: str) -> str:
            """a / b over all rounds together: documents over seconds, leaving out start-up."""
            rate = {m: sum(steady_docs[m]) / sum(steady_seconds[m]) for m in (a, b)}
            return f"{rate[a] / rate[b]:5.2f}x"

        med = {mode: statistics.median(values) for mode, values in rates.items()}
        med_steady = {mode: statistics.median(values) for mode, values in steady.items()}
        print(f"\nmedians of {args.rounds} rounds, docs/s (steady = from the first outcome on,"
              " leaving out worker start-up and warm-up):")
        med_cpu = {mode: statistics.median(values) for mode, values in cpu_ms.items()}
        for mode in modes:
            print(f"  {labels[mode]:37s}: {med[mode]:6.2f}   steady {med_steady[mode]:6.2f}"
                  f"   CPU {med_cpu[mode]:6.1f} ms/doc (all processes, start-up included)")
        print("ratios (target): the median of each round's ratio, overall | steady:")
        if "local-1" in med and "bare" in med:
            print(f"  1 worker / bare trafilatura : {paired('local-1', 'bare', rates)}"
                  f" | {paired('local-1', 'bare', steady)}  (>= 0.85)")
            print(f"    all rounds pooled, steady : {pooled('local-1', 'bare')}")
            print(f"  CPU per document, 1 worker / bare: {med_cpu['local-1'] / med_cpu['bare']:.2f}x"
                  " (all processes, start-up included)")
        if "local-1" in med and "extract-1" in med:
            print(f"  1 worker / its extract stage alone: {paired('local-1', 'extract-1', rates)}"
                  f" | {paired('local-1', 'extract-1', steady)}"
                  "  (reference: what the stages beyond extraction cost)")
        if "local-1" in med and "bare-meta" in med:
            print(f"  1 worker / trafilatura with metadata: {paired('local-1', 'bare-meta', rates)}"
                  f" | {paired('local-1', 'bare-meta', steady)}  (reference)")
        if "local-2" in med and "local-1" in med:
            print(f"  2 workers / 1 worker        : {paired('local-2', 'local-1', rates)}"
                  f" | {paired('local-2', 'local-1', steady)}  (>= 1.8)")
            print(f"  CPU per document, 2 workers / 1 worker: {med_cpu['local-2'] / med_cpu['local-1']:.2f}x"
                  " (1.00x = no work added by going parallel: the rate then scales with free cores)")
        if med.get("bare-2") and "bare" in med:
            print(f"  (this machine's ceiling now: bare extraction, 2 processes / 1 process:"
                  f" {paired('bare-2', 'bare', rates)})")
        if "dask-2" in med and "local-1" in med:
            print(f"  dask 2 workers / 1 worker   : {paired('dask-2', 'local-1', rates)}"
                  f" | {paired('dask-2', 'local-1', steady)}  (>= 1.6)")

        # Where the time goes in the 1-worker runs, per document.
        names = list(stage_ms[0]) if stage_ms else []
        per_stage = {name: statistics.median(run[name] for run in stage_ms) for name in names}
        if "local-1" in med:
            wall = 1000 / med_steady["local-1"]
            bare_ms = "%.1f" % (1000 / med["bare"]) if "bare" in med else "-"
            print(f"1 worker, ms per document: bare extract {bare_ms} | "
                  + " | ".join(f"{name} {ms:.1f}" for name, ms in per_stage.items())
                  + f" | outside the stages (read, IPC, write) {wall - sum(per_stage.values()):.1f}"
                  + f" | total {wall:.1f}")
        print(f"load average at end {os.getloadavg()[0]:.1f}", flush=True)

        peaks = []
        for size in memory_sizes:
            corpus = build_corpus(workdir / f"mem-{size}", size, args.format)
            result = newsdigest(corpus, workdir / f"mem-{size}.jsonl", LocalEngine(), 2, sample_every=0.1)
            peaks.append(result["peak_rss"])
            print(f"peak memory (this process + workers), {size:6d} docs, 2 workers:"
                  f" {result['peak_rss'] / 2**20:6.0f} MiB ({result['rate']:.2f} docs/s)", flush=True)
        if len(peaks) >= 2:
            print(f"  peak at {memory_sizes[-1]} / at {memory_sizes[0]}: {peaks[-1] / peaks[0]:5.2f}x  (<= 1.1)")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
