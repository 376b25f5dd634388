"""The ``newsdigest`` command line: run, show, plugins, digest, learn."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline.config import Config, ConfigError


class UsageError(Exception):
    """The command cannot run as asked; printed as one line, exit status 2."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return args.handler(args) or 0
    except BrokenPipeError:  # output piped into head and closed early
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("newsdigest: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if _is_usage_error(exc):
            print(f"newsdigest: error: {exc}", file=sys.stderr)
            return 2
        raise


def _is_usage_error(exc: Exception) -> bool:
    from pipeline.digest import DigestError
    from pipeline.inputs import InputError
    from pipeline.manager import PluginError
    from pipeline.runner import BackendError
    from pipeline.stages import StageOrderError

    return isinstance(
        exc, (UsageError, ConfigError, InputError, PluginError, BackendError, StageOrderError, DigestError)
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsdigest",
        description="Clean scraped news articles, strip promos and appeals, detect language, summarise.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = commands.add_parser("run", help="process pages into JSONL records", description=(
        "Process pages, JSONL dumps or WARC archives into one JSON record per article. "
        "Documents that fail go to the rejects file with the stage and reason."))
    run.add_argument("inputs", nargs="+", metavar="INPUT", help="files, folders or glob patterns")
    run.add_argument("-o", "--output", required=True, type=Path,
                     help="records file (.jsonl, .jsonl.gz, or .parquet with pyarrow installed)")
    run.add_argument("--rejects", type=Path, help="rejects file (default: OUT.rejects.jsonl)")
    run.add_argument("--learn-boilerplate", action="store_true", help=(
        "first extract every input and learn the paragraphs that recur across each site's pages "
        "(saved as OUT.profiles.json), then cut them in this run"))
    run.add_argument("--profiles", type=Path, metavar="PROFILES.json",
                     help="site boilerplate profiles from 'newsdigest learn' or an earlier --learn-boilerplate")
    run.add_argument("--on-error", choices=("skip", "fail"), dest="on_error",
                     help="when a plugin fails on a document (raises, returns a wrong type, empties it,"
                     " overruns the time limit): skip = reject it and go on (default), fail = write"
                     " its reject and stop with status 1 ([run] on_error in config)")
    _add_engine_options(run)
    _add_pipeline_options(run)
    run.set_defaults(handler=cmd_run)

    show = commands.add_parser("show", help="one article, for a person to read")
    show.add_argument("page", help="an HTML page (.html, .htm, .html.gz)")
    show.add_argument("--url", help="the page's URL, if the page does not say")
    _add_pipeline_options(show)
    show.set_defaults(handler=cmd_show)

    plugins = commands.add_parser("plugins", help="list plugins and the stage order as JSON")
    plugins.add_argument("--all", action="store_true", help="include built-in plugins")
    plugins.add_argument("--hook", help="only plugins implementing this hook")
    _add_plugin_options(plugins)
    plugins.set_defaults(handler=cmd_plugins)

    digest = commands.add_parser("digest", help="a readable digest of run output (.html, .md, .json)")
    digest.add_argument("inputs", nargs="+", type=Path, metavar="RECORDS", help="JSONL files written by run")
    digest.add_argument("-o", "--output", required=True, type=Path, help="digest.html, digest.md or digest.json")
    digest.add_argument("--group-by", choices=("site", "language", "date"), default="site")
    digest.add_argument("--format", choices=("html", "md", "json"), help="output format (default: from the output suffix)")
    digest.set_defaults(handler=cmd_digest)

    learn = commands.add_parser("learn", help="learn site boilerplate profiles from many pages", description=(
        "Extract every page and save, per site, the paragraphs that recur across its pages. "
        "Use the profiles in later runs with --set clean.profiles=PROFILES.json."))
    learn.add_argument("inputs", nargs="+", metavar="INPUT", help="files, folders or glob patterns")
    learn.add_argument("-o", "--output", required=True, type=Path, help="profiles file (.json)")
    learn.add_argument("--min-documents", type=_positive_int, default=5,
                       help="a paragraph must recur in this many pages of a site (default 5)")
    learn.add_argument("--min-share", type=float, default=0.1,
                       help="...and in this share of the site's pages (default 0.1)")
    _add_plugin_options(learn)
    learn.set_defaults(handler=cmd_learn)
    return parser


def _add_engine_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("engine")
    group.add_argument("--engine", default="local", metavar="NAME",
                       help="local (worker processes, default), serial (in this process), or one a plugin offers (dask)")
    group.add_argument("--workers", type=_positive_int, metavar="N", help="worker processes (default: all cores)")
    group.add_argument("--timeout", type=float, metavar="SECONDS",
                       help="per-document time limit; past it the document is rejected (default 30, 0 = none)")
    group.add_argument("--scheduler", metavar="ADDRESS",
                       help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (--engine dask; default: a local cluster)")
    group.add_argument("--resume", action="store_true",
                       help="finish a stopped run: keep its output, skip the documents it did, append the rest")
    group.add_argument("--stats", type=Path, metavar="PATH", help="stats JSON (default: OUT.stats.json)")
    group.add_argument("--checkpoint", type=float, default=5.0, metavar="SECONDS",
                       help="how often output is synced to disk and the stats file updated (default 5)")
    group.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                       help="progress bar on stderr (default: when stderr is a terminal)")


def _add_plugin_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("plugins and configuration")
    group.add_argument("--config", type=Path, help="TOML config (default: ./newsdigest.toml if present)")
    group.add_argument("--plugin", action="append", default=[], metavar="MODULE", help="load a module as a plugin (repeatable)")
    group.add_argument("--disable", action="append", default=[], metavar="NAME", help="do not load this plugin (repeatable)")
    group.add_argument("--stages", help="stage order, comma-separated (default: resolved from plugins)")
    group.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE",
                       help="set a plugin option, value parsed as TOML (repeatable), e.g. summarize.sentences=5")


def _add_pipeline_options(parser: argparse.ArgumentParser) -> None:
    _add_plugin_options(parser)
    group = parser.add_argument_group("stages")
    group.add_argument("--algorithm", help="summariser (news, lead, lexrank, textrank, lsa, luhn, kl, sumbasic, reduction, edmundson)")
    length = group.add_mutually_exclusive_group()
    length.add_argument("--sentences", type=_positive_int, help="summary length in sentences (default 3)")
    length.add_argument("--ratio", type=float, help="summary length as a share of the sentences")
    length.add_argument("--words", type=_positive_int, help="summary length as a word budget")
    group.add_argument("--language-backend", metavar="NAME", help="language detection backend")
    group.add_argument("--label-only", action="store_true", help="flag boilerplate instead of removing it")


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def load_config(args: argparse.Namespace) -> Config:
    """The config file, overridden by the command's options."""
    config = Config.load(args.config)
    config.plugins.extend(args.plugin)
    config.disabled.extend(args.disable)
    if args.stages:
        config.stages = [name.strip() for name in args.stages.split(",") if name.strip()]
    for assignment in args.set:
        section, key, value = _parse_assignment(assignment)
        config.set(section, key, value)
    for option, section, key in (("algorithm", "summarize", "algorithm"), ("language_backend", "language", "backend")):
        value = getattr(args, option, None)
        if value is not None:
            config.set(section, key, value)
    lengths = ("sentences", "ratio", "words")
    for key in lengths:
        value = getattr(args, key, None)
        if value is not None:  # one length on the command line replaces any in the file
            summarize = config.sections.setdefault("summarize", {})
            for other in lengths:
                summarize.pop(other, None)
            summarize[key] = value
    if getattr(args, "label_only", False):
        config.set("clean", "label_only", True)
    return config


def _parse_assignment(text: str) -> tuple[str, str, Any]:
    import tomllib

    target, sep, raw = text.partition("=")
    section, dot, key = target.strip().partition(".")
    if not sep or not dot or not section or not key:
        raise UsageError(f"--set expects SECTION.KEY=VALUE, got {text!r}")
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw  # a bare word is a string
    return section, key, value


def cmd_run(args: argparse.Namespace) -> int:
    from pipeline.batch import run_batch
    from pipeline.engines import EngineError, get_engine
    from pipeline.inputs import discover
    from pipeline.outputs import OutputError, is_parquet
    from pipeline.runner import Pipeline, RunAborted, on_error

    config = load_config(args)
    name = args.output.name
    if not (name.endswith((".jsonl", ".jsonl.gz")) or is_parquet(args.output)):
        raise UsageError(f"output must end in .jsonl, .jsonl.gz or .parquet: {args.output}")
    if args.timeout is not None and args.timeout < 0:
        raise UsageError("--timeout must be 0 (no limit) or more")
    for option in ("workers", "timeout", "scheduler"):
        value = getattr(args, option)
        if value is not None:
            config.set("engine", option, value)
    if args.scheduler and args.engine != "dask":
        raise UsageError("--scheduler needs --engine dask")
    if args.on_error:
        config.set("run", "on_error", args.on_error)
    on_error(config)  # fail fast on a bad [run] on_error
    discover(args.inputs)  # fail fast on a missing input
    Pipeline(config)  # fail fast on a bad plugin, stage order or backend
    engine = get_engine(args.engine, config)
    if args.profiles:
        if not args.profiles.is_file():
            raise UsageError(f"no such profiles file: {args.profiles}")
        config.set("clean", "profiles", str(args.profiles))
    if args.learn_boilerplate:
        config.set("clean", "profiles", str(_learn_for_run(args, config, engine)))
    if args.output.exists() and not args.resume and args.output.stat().st_size:
        print(f"newsdigest: overwriting {args.output} (use --resume to continue it)", file=sys.stderr)
    try:
        stats = run_batch(
            args.inputs,
            args.output,
            config=config,
            rejects=args.rejects,
            engine=engine,
            resume=args.resume,
            stats_path=args.stats,
            progress=args.progress,
            checkpoint_seconds=args.checkpoint,
        )
    except (OutputError, EngineError, RunAborted) as exc:
        print(f"newsdigest: error: {exc}", file=sys.stderr)
        return 1
    print(_run_summary(stats.to_dict(), args.output), file=sys.stderr)
    return 0


def _learn_for_run(args: argparse.Namespace, config: Config, engine: Any) -> Path:
    """The first pass of ``run --learn-boilerplate``; a resumed run reuses its profiles."""
    from pipeline.outputs import profiles_path_for
    from plugins.boilerplate_profiles import save_profiles

    path = profiles_path_for(args.output)
    if not (args.resume and path.is_file()):
        profiles = learn_site_profiles(args.inputs, config, engine=engine)
        save_profiles(profiles, path)
        print(f"learnt boilerplate of {len(profiles)} sites: {path}", file=sys.stderr)
    return path


def _run_summary(stats: dict[str, Any], output: Path) -> str:
    lines = [f"{stats['documents']} documents: {stats['records']} records in {output}, {stats['rejects']} rejects"]
    if stats["cuts_by_rule"]:
        cuts = ", ".join(f"{rule} {n}" for rule, n in stats["cuts_by_rule"].items())
        lines.append(f"cuts by rule: {cuts}")
    if stats["languages"]:
        lines.append("languages: " + ", ".join(f"{k} {v}" for k, v in stats["languages"].items()))
    return "\n".join(lines)


def cmd_show(args: argparse.Namespace) -> int:
    from pipeline.inputs import read_html_file, discover
    from pipeline.document import Reject
    from pipeline.runner import Pipeline
    from pipeline.show import render_document

    config = load_config(args)
    [path] = discover([args.page])
    item = read_html_file(path)
    if isinstance(item, Reject):
        raise UsageError(f"cannot read {args.page}: {item.error}")
    item.url = args.url or item.url
    outcome = Pipeline(config).process(item)
    if outcome.reject is not None:
        r = outcome.reject
        print(f"{args.page}: rejected at stage {r.stage}" + (f" (plugin {r.plugin})" if r.plugin else "") + f": {r.error}")
        return 0
    print(render_document(outcome.document, color=sys.stdout.isatty()))
    return 0


def cmd_plugins(args: argparse.Namespace) -> int:
    from pipeline.manager import describe_plugins
    from pipeline.runner import Pipeline
    from pipeline.stages import BUILTIN_STAGES

    config = load_config(args)
    pipeline = Pipeline(config)
    rows = describe_plugins(pipeline.pm, include_builtins=args.all)
    if args.hook:
        rows = [row for row in rows if args.hook in row["hooks"]]
    stages = []
    for name in pipeline.order:
        extra = pipeline.extra_stages.get(name)
        stages.append({"name": name, "hook": BUILTIN_STAGES.get(name), "plugin": extra.plugin if extra else None})
    print(json.dumps({"plugins": rows, "stages": stages}, indent=2))
    return 0


def cmd_digest(args: argparse.Namespace) -> int:
    from pipeline.digest import write_digest

    for path in args.inputs:
        if not path.is_file():
            raise UsageError(f"no such file: {path}")
    stats = write_digest(args.inputs, args.output, group_by=args.group_by, fmt=args.format)
    print(f"{args.output}: {stats.articles} articles in {stats.groups} groups, {stats.removed_total} cuts", file=sys.stderr)
    if stats.skipped_lines:
        where = ", ".join(stats.skipped_where)
        print(f"skipped {stats.skipped_lines} unreadable lines: {where}", file=sys.stderr)
    return 0


def cmd_learn(args: argparse.Namespace) -> int:
    from pipeline.inputs import discover
    from plugins.boilerplate_profiles import save_profiles

    config = load_config(args)
    discover(args.inputs)
    profiles = learn_site_profiles(args.inputs, config, min_documents=args.min_documents, min_share=args.min_share)
    save_profiles(profiles, args.output)
    paragraphs = sum(len(p.paragraphs) for p in profiles.values())
    print(f"{args.output}: {paragraphs} recurring paragraphs on {len(profiles)} sites", file=sys.stderr)
    return 0


def learn_site_profiles(inputs: Sequence[str], config: Config, *, engine: Any = None, **thresholds: Any) -> dict:
    """First pass over a corpus: extract every page, learn what recurs per site."""
    from dataclasses import replace

    from pipeline.engines import SerialEngine
    from pipeline.inputs import read_documents
    from pipeline.stats import Stats
    from plugins.boilerplate_profiles import learn_profiles

    extract_only = replace(config, stages=["extract"])
    outcomes = (engine or SerialEngine()).run(extract_only, read_documents(inputs), Stats())
    documents = (outcome.document for outcome in outcomes if outcome.reject is None)
    return learn_profiles(documents, **thresholds)


if __name__ == "__main__":
    sys.exit(main())
