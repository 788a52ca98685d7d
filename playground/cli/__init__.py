"""`python -m playground SUBCOMMAND ...`: the engine for people who script their sizing.

Each subcommand is a module in this package exposing HELP, add_arguments(parser) and
run(args) -> (data, text): `data` is what `--json` prints (exactly one JSON document),
`text` the readable table. Bad input exits 2 with one line on stderr, never a traceback.
"""

import argparse
import importlib
import json
import sys

from ..errors import InputError

COMMANDS = (
    "models",
    "gpus",
    "vram",
    "capacity",
    "throughput",
    "quantize",
    "quantization",
    "parallel",
    "cost",
    "moe",
    "serve-sim",
)
MODULES = {"serve-sim": "serving"}  # subcommands whose module is named differently


class _OneLineParser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line and exit code 2."""

    def error(self, message):
        sys.stderr.write(f"error: {self.prog}: {message}\n")
        raise SystemExit(2)


def _available():
    for name in COMMANDS:
        try:
            yield name, importlib.import_module(f"{__name__}.{MODULES.get(name, name)}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{MODULES.get(name, name)}":
                raise


def build_parser() -> argparse.ArgumentParser:
    """The full parser: one sub-parser per available subcommand."""
    parser = _OneLineParser(
        prog="python -m playground", description="Size, quantize, parallelise and price LLM inference."
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_OneLineParser)
    subparsers.required = True
    for name, module in _available():
        sub = subparsers.add_parser(name, help=module.HELP, description=module.HELP)
        sub.add_argument("--json", action="store_true", help="print exactly one JSON document")
        module.add_arguments(sub)
        sub.set_defaults(_run=module.run)
    return parser


def main(argv=None) -> int:
    """Run the CLI; return the process exit code."""
    args = build_parser().parse_args(argv)
    try:
        data, text = args._run(args)
        out = json.dumps(data, indent=2, allow_nan=False) if args.json else text
    except InputError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    except ValueError as exc:  # e.g. a NaN reached JSON: report, never a traceback
        sys.stderr.write(f"error: {exc}\n")
        return 2
    sys.stdout.write(out.rstrip("\n") + "\n")
    return 0
