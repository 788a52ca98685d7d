"""The model picker every widget shares: catalog models grouped, and an optional pasted config.json."""

from playground.errors import InputError
from playground.hf_config import load_config_text
from playground.models import DEFAULT_MODEL_IDS, MODELS, get_model

from .widget import Field

CUSTOM = "custom"


def model_options(byo: bool = False) -> tuple:
    """(id, name, group) options: the seed's sizes first (in their order), then the rest of the catalog."""
    first = [m for i in DEFAULT_MODEL_IDS for m in MODELS if m.id == i]
    options = [(m.id, m.name, "Common sizes") for m in first]
    options += [(m.id, m.name, "Full catalog") for m in MODELS if m not in first]
    if byo:
        options.append((CUSTOM, "Bring your own config.json…", "Your model"))
    return tuple(options)


def model_field(default: str, byo: bool = False) -> Field:
    """The "Model" select."""
    return Field("model", "Model", "select", default, options=model_options(byo))


def config_field() -> Field:
    """The textarea (and file picker) for a pasted Hugging Face config.json; kept out of the URL."""
    help_text = 'Paste a Hugging Face config.json here (or pick a file), then choose "Bring your own config.json".'
    return Field("config", "Your config.json", "textarea", "", url=False, help=help_text)


def resolve(values: dict[str, str]):
    """(catalog Model or parsed Architecture, display label) for the widget's model inputs."""
    if values["model"] == CUSTOM:
        text = values.get("config", "").strip()
        if not text:
            raise InputError("paste a config.json (or pick a catalog model)", "config")
        return load_config_text(text), "Your model"
    model = get_model(values["model"])
    return model, model.name
