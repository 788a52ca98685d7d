"""Arguments and helpers shared by the sizing subcommands."""

from dataclasses import dataclass

from ..architecture import Architecture
from ..errors import InputError
from ..hf_config import load_config_text
from ..models import MODELS, Model, get_model
from ..precision import KV_PRECISION_IDS, PRECISIONS
from ..units import format_bytes


@dataclass(frozen=True)
class ModelChoice:
    """What --model or --config resolved to."""

    id: str  # catalog id, or the config path
    name: str
    arch: Architecture
    model: Model | None  # None for a pasted config


def add_model_arguments(parser) -> None:
    """--model ID | --config PATH, exactly one required."""
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--model", metavar="ID", help=f"catalog model: {', '.join(m.id for m in MODELS)}")
    group.add_argument("--config", metavar="PATH", help="a Hugging Face config.json to size instead")


def add_precision_arguments(parser, required: bool = True) -> None:
    """--precision and --kv-precision (choices checked by the engine, so errors stay one line)."""
    parser.add_argument(
        "--precision", required=required, metavar="P", help=f"weight precision: {', '.join(p.id for p in PRECISIONS)}"
    )
    parser.add_argument(
        "--kv-precision",
        metavar="P",
        help=f"KV-cache precision: {', '.join(KV_PRECISION_IDS)} (default 16-bit; FP32 with FP32 weights)",
    )


def resolve_model(args) -> ModelChoice:
    """The catalog model or the parsed config file; unreadable files become an InputError."""
    if getattr(args, "model", None) is not None:  # "" is a (bad) model id, not "no model"
        model = get_model(args.model)
        return ModelChoice(model.id, model.name, model.arch, model)
    path = args.config
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as exc:
        raise InputError(f"cannot read config file {path!r}: {exc.strerror or exc}", "config") from None
    except UnicodeDecodeError:
        raise InputError(f"config file {path!r} is not UTF-8 text", "config") from None
    return ModelChoice(path, path, load_config_text(text), None)


def gb(value_bytes: float) -> str:
    """Bytes for a table cell."""
    return format_bytes(value_bytes)
