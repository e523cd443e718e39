"""The embedded default model: llama.cpp in this process (xllamacpp), loaded on first use.

Nothing happens at import or construction: the first `load()` or `chat()` resolves the GGUF file (fetching
it once if needed), then loads it. One generation runs at a time (a lock), because the model has one
slot and one KV cache; callers on other threads wait their turn instead of corrupting each other.

xllamacpp wraps llama.cpp's HTTP server and always starts its listener, on 127.0.0.1 and a random port
by default, with no API key and CORS open to every origin: any local process, or a web page that guessed
the port, could use the model. We only call it in-process, so we bind the listener to a Unix socket in a
private (0700) temporary folder instead, set a random API key that nobody knows, and delete the socket
file as soon as the model is loaded: no TCP port is opened and nothing can connect to it afterwards.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import ModelError

if TYPE_CHECKING:
    from assistant.llm.model_files import ProgressFn
    from assistant.settings import Settings

Message = dict[str, str]
# llama.cpp log verbosity: 0 output, 1 errors, 2 warnings, 3 info (its default: dozens of lines per load
# and per request). Errors stay visible on stderr; the rest would drown the CLI's own messages.
_LOG_ERRORS_ONLY = 1

IDLE_LOAD_PER_CORE = 0.5
"""Below this 1-minute load average per core the machine counts as idle when the model loads."""


def auto_threads() -> int:
    """Threads when JOURNEY_LLM_THREADS is unset: two on an idle machine, else one.

    Measured here (evals/BENCHMARKS.md): idle, two threads generate 1.4x and read prompts 1.8x faster
    than one; under other work two can be several times slower, because llama.cpp's threads wait for each
    other after every layer and the scheduler parks one of them.
    """
    cores = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except OSError:  # not available on this platform
        return 1
    return min(2, cores) if load < IDLE_LOAD_PER_CORE * cores else 1


class LoadState(StrEnum):
    """Where the model is in its life, for a UI to say "fetching…" or "loading the embedded model…"."""

    NOT_LOADED = "not_loaded"
    FETCHING = "fetching"
    LOADING = "loading"
    READY = "ready"
    FAILED = "failed"
    CLOSED = "closed"


@dataclass(frozen=True)
class Completion:
    """One answer with the numbers that explain its cost."""

    text: str
    parsed: Any | None  # the decoded JSON when a schema constrained the output
    finish_reason: str  # "stop", or "length" when max_tokens cut it off
    prompt_tokens: int
    completion_tokens: int
    seconds: float
    prompt_tokens_per_s: float
    tokens_per_s: float


StateListener = Callable[[LoadState], None]


class EmbeddedModel:
    """A lazily loaded, thread-safe in-process chat model.

    `model_path` is a path or a function returning one; a function lets fetching wait until first use.
    """

    def __init__(
        self,
        model_path: Path | Callable[[], Path],
        *,
        threads: int | None = 1,
        context_tokens: int = 4096,
        on_state: StateListener | None = None,
    ) -> None:
        self._model_path = model_path
        self.threads = threads
        self.context_tokens = context_tokens
        self._listeners: list[StateListener] = [on_state] if on_state else []
        self._state = LoadState.NOT_LOADED
        self._server: Any = None
        self._load_lock = threading.Lock()
        self._generate_lock = threading.Lock()
        self.load_seconds: float | None = None
        self.path: Path | None = model_path if isinstance(model_path, Path) else None
        self.error: str | None = None

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        fetch_progress: ProgressFn | None = None,
        on_state: StateListener | None = None,
    ) -> EmbeddedModel:
        """The embedded default as configured; the file is fetched (once) only when first needed."""
        from assistant.llm.model_setup import ensure_model

        model: EmbeddedModel

        def resolve() -> Path:
            model._set_state(LoadState.FETCHING)
            return ensure_model(settings, fetch_progress)

        model = cls(
            resolve,
            threads=settings.journey_llm_threads,
            context_tokens=settings.journey_llm_context,
            on_state=on_state,
        )
        return model

    # --- state -------------------------------------------------------------------------------------

    @property
    def state(self) -> LoadState:
        return self._state

    def add_listener(self, listener: StateListener) -> None:
        self._listeners.append(listener)

    def _set_state(self, state: LoadState) -> None:
        self._state = state
        for listener in list(self._listeners):
            listener(state)

    # --- lifecycle ---------------------------------------------------------------------------------

    def load(self) -> None:
        """Load the model now (idempotent; concurrent callers wait for the one load)."""
        if self._server is not None:
            return
        with self._load_lock:
            if self._server is not None:
                return
            if self._state is LoadState.CLOSED:
                raise ModelError("The embedded model was closed; create a new one to use it again.")
            try:
                path = self._model_path if isinstance(self._model_path, Path) else self._model_path()
                self.path = path
                self._set_state(LoadState.LOADING)
                started = time.perf_counter()
                self._server = self._start_server(path)
                self.load_seconds = time.perf_counter() - started
            except BaseException as exc:
                self.error = str(exc)
                self._set_state(LoadState.FAILED)
                raise
            self.error = None
            self._set_state(LoadState.READY)

    def _start_server(self, path: Path) -> Any:
        import xllamacpp  # imported here: the native library is large and only needed once a model loads

        params = xllamacpp.CommonParams()
        params.model.path = str(path)
        params.n_ctx = self.context_tokens
        params.n_parallel = 1
        if self.threads is None:
            self.threads = auto_threads()
        params.cpuparams.n_threads = self.threads
        params.cpuparams_batch.n_threads = self.threads
        params.verbosity = _LOG_ERRORS_ONLY
        # The listener is never used (see the module docstring); keep it small, closed and unreachable.
        params.ui = False
        params.endpoint_slots = False
        params.n_threads_http = 1
        # Needed for the start-up handshake below; unreachable from outside like every other route.
        params.endpoint_metrics = True
        params.api_keys = [secrets.token_hex(32)]
        # The server keeps old prompts' KV state in RAM for reuse, up to 8 GB by default: too much for a
        # laptop running a 1.9 GB model. The fixed pipeline's prompts share little beyond the system text.
        params.cache_ram_mib = 256
        socket_dir = tempfile.mkdtemp(prefix="journey-llm-")
        params.hostnames = [os.path.join(socket_dir, "llm.sock")]
        try:
            server = xllamacpp.Server(params)
            # xllamacpp returns before its task loop has started; a stop requested in that gap is lost
            # and closing then hangs for ever (seen here about one time in ten). A metrics request is
            # answered by the loop itself, so once it returns the loop is running and close() is safe.
            server.handle_metrics()
            return server
        except (RuntimeError, ValueError) as exc:
            raise ModelError(
                f"The embedded model {path} could not be loaded (llama.cpp's reason is above); "
                "if the file is damaged, delete it and run `journey model fetch`, "
                "or point JOURNEY_LLM_MODEL_PATH at another GGUF file."
            ) from exc
        finally:
            # The server has bound (or failed); without the socket file nothing can ever connect to it.
            shutil.rmtree(socket_dir, ignore_errors=True)

    def close(self) -> None:
        """Free the model (about 1.9 GB); waits for a running generation to finish."""
        with self._load_lock, self._generate_lock:
            server, self._server = self._server, None
            del server  # the native destructor stops llama.cpp's loop thread and frees the weights
            self._set_state(LoadState.CLOSED)

    def __enter__(self) -> EmbeddedModel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- generation --------------------------------------------------------------------------------

    def chat(
        self,
        messages: Sequence[Message],
        *,
        json_schema: dict[str, Any] | None = None,
        compact_json: bool = True,
        max_tokens: int = 512,
        temperature: float = 0.0,
        stop: Sequence[str] | None = None,
        seed: int = 0,
    ) -> Completion:
        """One chat completion; with `json_schema` the output is constrained to it and decoded into `parsed`.

        Temperature 0 and a fixed seed make answers repeatable, which the fixed pipeline and tests rely on.
        A schema guarantees the shape only while the answer fits `max_tokens`: a cut-off answer has
        finish_reason "length" and `parsed` None. `compact_json` forbids whitespace between JSON tokens:
        left free, the model pretty-prints, and on CPU every newline and indent costs generation time
        (see evals/bench_embedded_llm.py for the measured difference).
        """
        request: dict[str, Any] = {
            "messages": [{"role": m["role"], "content": m["content"]} for m in messages],
            "max_tokens": max_tokens,
            "temperature": temperature,
            "seed": seed,
        }
        if stop:
            request["stop"] = list(stop)
        self.load()
        if json_schema is not None:
            request["grammar"] = schema_grammar(json_schema, compact=compact_json)
        started = time.perf_counter()
        with self._generate_lock:
            server = self._server
            if server is None:
                raise ModelError("The embedded model was closed while a request was waiting.")
            try:
                response = server.handle_chat_completions(request)
            except (RuntimeError, ValueError) as exc:
                raise ModelError(f"The embedded model rejected the request: {exc}") from exc
        seconds = time.perf_counter() - started
        return _completion(response, seconds, constrained=json_schema is not None)


def schema_grammar(json_schema: dict[str, Any], *, compact: bool) -> str:
    """A llama.cpp grammar that admits exactly the JSON documents valid under `json_schema`.

    We pass a grammar rather than OpenAI's `response_format`, because only the grammar path honours
    llguidance's top-level "x-guidance" options, which is how whitespace is switched off.
    """
    import xllamacpp

    schema = _without_unsupported(json_schema)
    if compact:
        schema["x-guidance"] = {"whitespace_flexible": False}
    try:
        grammar: str = xllamacpp.json_schema_to_grammar(json.dumps(schema))
    except (RuntimeError, ValueError) as exc:
        raise ModelError(f"The output schema cannot be turned into a grammar: {exc}") from exc
    return grammar


_UNSUPPORTED = frozenset({"propertyNames"})
"""JSON Schema keywords llguidance does not compile (a dict keyed by a Literal gets `propertyNames`). Dropping
them only loosens the grammar: the output is still validated by its Pydantic model after decoding."""


def _without_unsupported(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _without_unsupported(v) for k, v in node.items() if k not in _UNSUPPORTED}
    if isinstance(node, list):
        return [_without_unsupported(v) for v in node]
    return node


def _completion(response: dict[str, Any], seconds: float, *, constrained: bool) -> Completion:
    if "error" in response:
        error = response["error"]
        message = error.get("message", error) if isinstance(error, dict) else error
        if isinstance(error, dict) and "context" in str(error.get("type", "")):
            raise ModelError(
                f"The request is too long for the embedded model ({message}); send less text "
                "or raise JOURNEY_LLM_CONTEXT."
            )
        raise ModelError(f"The embedded model returned an error: {message}")
    choice = response["choices"][0]
    text = choice["message"].get("content") or ""
    finish = choice.get("finish_reason") or "stop"
    parsed = None
    if constrained and finish == "stop":
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None  # the caller validates and retries (see structured.py)
    usage = response.get("usage", {})
    timings = response.get("timings", {})
    return Completion(
        text=text,
        parsed=parsed,
        finish_reason=finish,
        prompt_tokens=int(usage.get("prompt_tokens", 0)),
        completion_tokens=int(usage.get("completion_tokens", 0)),
        seconds=seconds,
        prompt_tokens_per_s=float(timings.get("prompt_per_second", 0.0)),
        tokens_per_s=float(timings.get("predicted_per_second", 0.0)),
    )


_shared: dict[tuple[str, str, int | None, int], EmbeddedModel] = {}
_shared_lock = threading.Lock()


def shared_embedded_model(settings: Settings, *, fetch_progress: ProgressFn | None = None) -> EmbeddedModel:
    """One model per configuration per process: the agent, the pipeline and the app share its 1.9 GB.

    Creating it costs nothing; it loads on first use.
    """
    key = (
        str(settings.journey_llm_model_path or ""),
        str(settings.models_dir),
        settings.journey_llm_threads,
        settings.journey_llm_context,
    )
    with _shared_lock:
        model = _shared.get(key)
        if model is None or model.state is LoadState.CLOSED:
            model = EmbeddedModel.from_settings(settings, fetch_progress=fetch_progress)
            _shared[key] = model
        return model
