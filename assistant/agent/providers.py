"""Which assistant runs, chosen once at start, and the chat model for the two remote modes.

- cloud: OPENAI_API_KEY set (model OPENAI_MODEL, default gpt-4o-mini);
- compatible: OPENAI_BASE_URL set (Ollama, vLLM, llama.cpp server…), with or without a key;
- embedded: neither; an in-process 1.5B model runs a fixed pipeline;
- scripted: JOURNEY_SCRIPTED_MODEL names a script (tests, evals, browser tests).

A remote endpoint is checked at start: a bad key, an unreachable URL or an unknown model name becomes
one sentence saying what to set, not a stack trace in the middle of a chat.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.errors import ConfigError
from assistant.settings import Settings
from assistant.turns.events import ModeInfo

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

EMBEDDED_MODEL_NAME = "Qwen2.5-Coder-1.5B-Instruct (Q4_K_M)"


def detect_mode(settings: Settings) -> ModeInfo:
    if settings.journey_scripted_model is not None:
        return ModeInfo(
            mode="scripted",
            model="scripted",
            label=f"Scripted model ({settings.journey_scripted_model.name})",
        )
    if settings.openai_base_url:
        return ModeInfo(
            mode="compatible",
            model=settings.openai_model,
            endpoint=settings.openai_base_url,
            label=f"OpenAI-compatible server: {settings.openai_model} at {settings.openai_base_url}",
        )
    if settings.openai_api_key is not None:
        return ModeInfo(mode="cloud", model=settings.openai_model, label=f"OpenAI: {settings.openai_model}")
    return ModeInfo(
        mode="embedded",
        model=EMBEDDED_MODEL_NAME,
        label=f"Embedded model (offline, no API key): {EMBEDDED_MODEL_NAME}",
    )


def build_chat_model(settings: Settings) -> BaseChatModel:
    """ChatOpenAI for the cloud and compatible modes: timeouts, 429 and 5xx are retried with backoff."""
    from langchain_openai import ChatOpenAI

    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
    return ChatOpenAI(
        model=settings.openai_model,
        api_key=key,
        base_url=settings.openai_base_url,
        timeout=settings.openai_timeout,
        max_retries=settings.openai_max_retries,
        temperature=0,
    )


def check_endpoint(settings: Settings) -> None:
    """Reach the endpoint once and check the key and the model; raise ConfigError saying what to set."""
    import openai

    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
    where = settings.openai_base_url or "api.openai.com"
    client = openai.OpenAI(api_key=key, base_url=settings.openai_base_url, timeout=10, max_retries=1)
    try:
        models = [m.id for m in client.models.list()]
    except openai.AuthenticationError:
        raise ConfigError(
            f"The API key was rejected by {where}: set a valid OPENAI_API_KEY, or unset it to use the embedded model."
        ) from None
    except openai.APIConnectionError:
        raise ConfigError(
            f"Cannot reach {where}: check OPENAI_BASE_URL (is the server running?), or unset it to use the embedded model."
        ) from None
    except (openai.NotFoundError, openai.PermissionDeniedError):
        return  # some compatible servers do not list models; the first request will tell
    except openai.APIStatusError as exc:
        raise ConfigError(
            f"{where} answered {exc.status_code} when asked for its models: {exc.message}"
        ) from None
    if models and settings.openai_model not in models:
        shown = ", ".join(sorted(models)[:8]) + (" …" if len(models) > 8 else "")
        raise ConfigError(
            f"Model {settings.openai_model!r} is not available at {where}; set OPENAI_MODEL to one of: {shown}."
        )
