"""Simulator personas: one Live model on one backend, refusing what Google's service refuses.

Without a persona the simulator accepts whatever the client sends, so client
and simulator agree by construction. A persona holds the simulator to the
service's rules for one model on one backend (the Gemini API or Vertex AI),
with the service's close codes and reasons, so a test can catch the client
disagreeing with Google.

The rules are written from Google's model pages and google-genai's own
converters (`google/genai/_live_converters.py`, `types.py`), never from the
client's model catalog: the two are kept apart on purpose so they can
disagree. Every rule names its source beside it; a rule the sources do not
settle carries `# unverified:` and says what was picked. docs/protocol.md
("Simulator personas") lists them all.

A persona is `strict` (the default, used by `gemini-live simulate --model`
and the persona scenario tests): a setup naming a model this backend does not
serve is refused, and any model it serves is held to that model's rules, as
the service would. A lenient persona (the suite's default `sim` fixture)
holds only its own model to its rules and serves other names as the plain
simulator does, so tests that use made-up model names keep working.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

GEMINI_API = "gemini_api"
VERTEX = "vertex"
BACKENDS = (GEMINI_API, VERTEX)

# Close codes the service uses (docs/protocol.md "Reconnect policy"; issue reports below).
INVALID_ARGUMENT = 1007
POLICY = 1008
INTERNAL = 1011

# Seen on the Live socket for an invalid setup field or message:
# https://github.com/google-gemini/cookbook/issues/781 (1007 "Request contains an invalid argument.")
INVALID_ARGUMENT_REASON = "Request contains an invalid argument."

# The 30 prebuilt voices: https://ai.google.dev/gemini-api/docs/speech-generation#voices
# (the same 30 names in https://docs.livekit.io/reference/agents-js/types/plugins_agents_plugin_google.beta.realtime.Voice.html;
# Vertex: "30 HD voices", https://docs.cloud.google.com/gemini-enterprise-agent-platform/models/gemini/2-5-flash-live-api.md.txt)
VOICES = frozenset(
    [
        "Achernar",
        "Achird",
        "Algenib",
        "Algieba",
        "Alnilam",
        "Aoede",
        "Autonoe",
        "Callirrhoe",
        "Charon",
        "Despina",
        "Enceladus",
        "Erinome",
        "Fenrir",
        "Gacrux",
        "Iapetus",
        "Kore",
        "Laomedeia",
        "Leda",
        "Orus",
        "Pulcherrima",
        "Puck",
        "Rasalgethi",
        "Sadachbia",
        "Sadaltager",
        "Schedar",
        "Sulafat",
        "Umbriel",
        "Vindemiatrix",
        "Zephyr",
        "Zubenelgenubi",
    ]
)

SCHEDULING = frozenset(
    {"SILENT", "WHEN_IDLE", "INTERRUPT"}
)  # google-genai types.FunctionResponseScheduling


@dataclass(frozen=True, slots=True)
class Refusal:
    """What the service does to a frame it refuses: close with `code` and `reason`."""

    code: int
    reason: str
    rule: str  # a short name for the rule, for tests and docs


@dataclass(frozen=True, slots=True)
class ModelRules:
    """What one Live model takes, as Google's pages and converters say."""

    name: str
    backends: frozenset[str]
    text_refusal: Refusal  # the close a setup asking for TEXT gets (every Live model is audio-out)
    thinking: str  # "none", "level" or "budget"
    thinking_levels: frozenset[str] = frozenset()
    non_blocking_default: bool = (
        False  # function calls run in the background unless declared BLOCKING
    )
    honours_behaviour: bool = True  # a declaration's `behavior` changes how its calls run
    proactive_audio: str = "optional"  # "always" (false is an error), "optional", "unsupported"
    affective_dialog: bool = True
    client_content_whole_session: bool = True  # False: only as initial history
    waiting_for_input: bool = False  # marks turnComplete with waitingForInput


def _unknown_field(name: str, at: str) -> Refusal:
    # The service's JSON parser names an unknown field this way (REST:
    # https://github.com/Laisky/one-api/issues/272 "Invalid JSON payload received. Unknown name
    # \"responseModalities\" at 'generation_config': Cannot find field.").
    # unverified: that the Live socket closes 1007 with this same text.
    return Refusal(
        INVALID_ARGUMENT,
        f"Invalid JSON payload received. Unknown name \"{name}\" at '{at}': Cannot find field.",
        f"unknown field {name}",
    )


# 3.1 answers a TEXT setup with 1011 "Internal error encountered.":
# https://github.com/googleapis/python-genai/issues/2238
_TEXT_INTERNAL = Refusal(INTERNAL, "Internal error encountered.", "TEXT response modality")
# 2.5 native audio: 1007 "Cannot extract voices from a non-audio request.":
# https://github.com/jsalsman/gemini-live/issues/2
_TEXT_NO_VOICES = Refusal(
    INVALID_ARGUMENT, "Cannot extract voices from a non-audio request.", "TEXT response modality"
)

_BOTH = frozenset(BACKENDS)

MODELS: dict[str, ModelRules] = {
    rules.name: rules
    for rules in (
        # https://ai.google.dev/gemini-api/docs/models/gemini-3.8-live ("Migrating from Gemini 3.1
        # Flash Live"): no thinking_level / thinking_config; NON_BLOCKING is the default, BLOCKING
        # when declared, scheduling SILENT / WHEN_IDLE / INTERRUPT; client content all session
        # long; proactive audio always on ("proactive_audio: false returns an error"); affective
        # dialog removed; audio is the only response modality.
        # Vertex: https://docs.cloud.google.com/gemini-enterprise-agent-platform/models/guides/gemini-3-8-live
        # and .../live-api/migrate-from-gemini-2-5-to-gemini-3-8-live (same model id, BLOCKING honoured).
        ModelRules(
            "gemini-3.8-live",
            _BOTH,
            # unverified: the page says audio only; the close is taken from 3.1's (same family).
            _TEXT_INTERNAL,
            thinking="none",
            non_blocking_default=True,
            proactive_audio="always",
            affective_dialog=False,
            # unverified: which models send waitingForInput (google-genai LiveServerContent has it).
            waiting_for_input=True,
        ),
        # https://ai.google.dev/gemini-api/docs/models/gemini-3.8-live-extended-thinking
        # ("Function calling: supported (async only)", thinking supported); the levels low / medium /
        # high: https://github.com/AgoraIO/agora-agents-python/releases/tag/v2.9.0
        ModelRules(
            "gemini-3.8-live-extended-thinking",
            frozenset({GEMINI_API}),
            _TEXT_INTERNAL,  # unverified: as gemini-3.8-live
            thinking="level",
            thinking_levels=frozenset({"LOW", "MEDIUM", "HIGH"}),
            non_blocking_default=True,
            honours_behaviour=False,  # "async only"
            proactive_audio="always",  # unverified: as gemini-3.8-live
            affective_dialog=False,  # unverified: as gemini-3.8-live
            waiting_for_input=True,  # unverified
        ),
        # https://ai.google.dev/gemini-api/docs/models/gemini-3.1-flash-live-preview: thinkingLevel
        # minimal / low / medium / high instead of thinkingBudget; function calling synchronous
        # only (https://ai.google.dev/gemini-api/docs/live-api/tools.md.txt); no proactive audio or
        # affective dialog ("remove any configuration"). Client content only as initial history:
        # https://github.com/livekit/agents/pull/5251, https://github.com/google/adk-python/issues/5018
        # (both saw 1007 "Request contains an invalid argument."; the model page's later text says
        # all session long, the reports are what the service did).
        ModelRules(
            "gemini-3.1-flash-live-preview",
            frozenset({GEMINI_API}),
            _TEXT_INTERNAL,
            thinking="level",
            thinking_levels=frozenset({"MINIMAL", "LOW", "MEDIUM", "HIGH"}),
            honours_behaviour=False,
            proactive_audio="unsupported",
            affective_dialog=False,
            client_content_whole_session=False,
        ),
        # https://ai.google.dev/gemini-api/docs/live-api/tools.md.txt (2.5: synchronous and
        # asynchronous function calling); thinkingBudget (3.1 page: "instead of thinkingBudget").
        *(
            ModelRules(name, frozenset({GEMINI_API}), _TEXT_NO_VOICES, thinking="budget")
            for name in (
                "gemini-2.5-flash-native-audio-preview-12-2025",
                "gemini-2.5-flash-native-audio-preview-09-2025",
            )
        ),
        # Vertex's 2.5 models: https://docs.cloud.google.com/vertex-ai/generative-ai/docs/live-api
        # (gemini-live-2.5-flash-native-audio GA, ...-preview-native-audio-09-2025 preview).
        *(
            ModelRules(
                name,
                frozenset({VERTEX}),
                _TEXT_NO_VOICES,  # unverified on Vertex: taken from the Gemini API 2.5 report
                thinking="budget",
            )
            for name in (
                "gemini-live-2.5-flash-native-audio",
                "gemini-live-2.5-flash-preview-native-audio-09-2025",
            )
        ),
    )
}

_VERTEX_RESOURCE = re.compile(r"^projects/[^/]+/locations/[^/]+/publishers/google/models/([^/]+)$")


def model_id(name: str, backend: str) -> str | None:
    """The bare model id a setup's `model` names, or None if the shape is wrong for the backend."""
    if backend == VERTEX:
        match = _VERTEX_RESOURCE.match(name)
        return match.group(1) if match else None
    return name.removeprefix("models/") if name else None


def not_found(name: str, backend: str, api_version: str = "v1beta") -> Refusal:
    """The close for a model the backend does not serve."""
    if backend == VERTEX:
        # https://github.com/genkit-ai/genkit/issues/4688 (REST 404 text);
        # unverified: the Live socket closes 1008 with it (as reported for the project's client).
        return Refusal(
            POLICY,
            f"Publisher Model `{name}` was not found or your project does not have access to it. "
            "Please ensure you are using a valid model version. For more information, see: "
            "https://cloud.google.com/vertex-ai/generative-ai/docs/learn/model-versions",
            "model not served on this backend",
        )
    # https://github.com/google/adk-python/issues/200 (the text, for generateContent);
    # unverified: the Live socket closes 1008 with the method bidiGenerateContent.
    bare = name if name.startswith("models/") else f"models/{name}"
    return Refusal(
        POLICY,
        f"{bare} is not found for API version {api_version}, or is not supported for "
        "bidiGenerateContent. Call ListModels to see the list of available models and their "
        "supported methods.",
        "model not served on this backend",
    )


def _thinking_refusal(rules: ModelRules, backend: str, what: str) -> Refusal:
    if backend == VERTEX:
        # https://github.com/google-gemini/gemini-cli/issues/14025 (Vertex REST text)
        reason = (
            f"Unable to submit request because {what} is not supported by this model.. Learn "
            "more: https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/gemini"
        )
    else:
        # https://github.com/microsoft/vscode/issues/334581, https://github.com/RooCodeInc/Roo-Code/issues/10700
        # ("Thinking level is not supported for this model.", Gemini API REST)
        # unverified: the text for one level the model does not take (the Vertex text's shape).
        label = {"thinking_level": "Thinking level", "thinking_budget": "Thinking budget"}
        reason = (
            f"{label[what]} is not supported for this model."
            if what in label
            else f"{what} is not supported by this model."
        )
    # unverified: that the Live socket closes 1007 (INVALID_ARGUMENT) with the REST text.
    return Refusal(INVALID_ARGUMENT, reason, f"{what} on {rules.name}")


@dataclass
class Judge:
    """One connection's rules: checks the setup's follow-up messages; says how calls run."""

    rules: ModelRules
    backend: str
    setup: dict[str, Any]

    def check(self, message: dict[str, Any], model_turns: int = 0) -> Refusal | None:
        """The refusal for one client message after the setup, or None."""
        if "realtimeInput" in message:
            return self._realtime(message["realtimeInput"])
        if "clientContent" in message and not self.rules.client_content_whole_session:
            history = self.setup.get("historyConfig", {}).get("initialHistoryInClientContent")
            if model_turns or not history:
                # https://github.com/livekit/agents/pull/5251 (1007 after the first model turn, and
                # without historyConfig.initialHistoryInClientContent)
                return Refusal(INVALID_ARGUMENT, INVALID_ARGUMENT_REASON, "clientContent on 3.1")
        if "toolResponse" in message:
            return self._tool_response(message["toolResponse"])
        return None

    def _realtime(self, body: dict[str, Any]) -> Refusal | None:
        if "audioStreamEnd" in body:
            if self.backend == VERTEX:
                # google-genai 3.4.0 _live_converters._LiveClientRealtimeInput_to_vertex:
                # "audio_stream_end parameter is only supported in Gemini Developer API mode"
                return _unknown_field("audioStreamEnd", "realtime_input")
            vad = self.setup.get("realtimeInputConfig", {}).get("automaticActivityDetection", {})
            if vad.get("disabled"):
                # google-genai types.LiveClientRealtimeInput.audio_stream_end: "This should only be
                # sent when automatic activity detection is enabled (which is the default)."
                # unverified: what the service does; 1007 picked.
                return Refusal(
                    INVALID_ARGUMENT, INVALID_ARGUMENT_REASON, "audioStreamEnd without VAD"
                )
        return None

    def _tool_response(self, body: dict[str, Any]) -> Refusal | None:
        for index, response in enumerate(body.get("functionResponses", [])):
            at = f"tool_response.function_responses[{index}]"
            if self.backend == VERTEX and "willContinue" in response:
                # google-genai 3.4.0 _live_converters._FunctionResponse_to_vertex: "will_continue
                # parameter is only supported in Gemini Developer API mode, not in Gemini Enterprise
                # Agent Platform mode."
                return _unknown_field("willContinue", at)
            scheduling = response.get("scheduling")
            if scheduling is not None and scheduling not in SCHEDULING:
                # google-genai types.FunctionResponseScheduling; unverified: the close text.
                return Refusal(
                    INVALID_ARGUMENT,
                    f"Invalid value at '{at}.scheduling' (FunctionResponse.Scheduling), "
                    f'"{scheduling}"',
                    "unknown scheduling",
                )
        return None

    def non_blocking(self, function_name: str) -> bool:
        """Whether calls of `function_name` run in the background on this model."""
        if not self.rules.honours_behaviour:
            return self.rules.non_blocking_default
        for tool in self.setup.get("tools", []):
            for declaration in tool.get("functionDeclarations", []):
                if declaration.get("name") == function_name and "behavior" in declaration:
                    return declaration["behavior"] == "NON_BLOCKING"
        return self.rules.non_blocking_default

    def usage(self, prompt: int, response: int) -> dict[str, int]:
        """usageMetadata as this backend names it."""
        # Vertex says candidatesTokenCount (google-genai _live_converters._UsageMetadata_from_vertex
        # maps it to response_token_count); the Gemini API says responseTokenCount.
        key = "candidatesTokenCount" if self.backend == VERTEX else "responseTokenCount"
        return {"promptTokenCount": prompt, key: response, "totalTokenCount": prompt + response}

    def turn_complete_fields(self) -> dict[str, Any]:
        return {"waitingForInput": True} if self.rules.waiting_for_input else {}


@dataclass(frozen=True, slots=True)
class Persona:
    """One model on one backend: `Persona("gemini-3.8-live", VERTEX)`."""

    model: str
    backend: str = GEMINI_API
    strict: bool = True

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(f"unknown backend {self.backend!r}: use one of {', '.join(BACKENDS)}")
        rules = MODELS.get(self.model)
        if self.strict and (rules is None or self.backend not in rules.backends):
            served = ", ".join(served_models(self.backend))
            raise ValueError(f"{self.backend} does not serve {self.model!r}: one of {served}")

    @property
    def label(self) -> str:
        return f"{self.model} on {'Vertex AI' if self.backend == VERTEX else 'the Gemini API'}"

    def open(self, setup: dict[str, Any], api_version: str = "v1beta") -> Refusal | Judge | None:
        """Judge a setup: a Refusal, the Judge for the connection, or None (served without rules)."""
        name = str(setup.get("model", ""))
        model = model_id(name, self.backend)
        rules = MODELS.get(model or "")
        if rules is None or self.backend not in rules.backends:
            known_elsewhere = rules is not None
            if self.strict or known_elsewhere:
                return not_found(name, self.backend, api_version)
            return None
        if not self.strict and rules.name != self.model:
            return None
        return _check_setup(setup, rules, self.backend) or Judge(rules, self.backend, setup)


def served_models(backend: str) -> list[str]:
    return [name for name, rules in MODELS.items() if backend in rules.backends]


def all_personas() -> list[Persona]:
    """Every model on every backend that serves it."""
    return [Persona(name, backend) for backend in BACKENDS for name in served_models(backend)]


def _check_setup(setup: dict[str, Any], rules: ModelRules, backend: str) -> Refusal | None:
    config = setup.get("generationConfig", {})
    if "TEXT" in config.get("responseModalities", []):
        return rules.text_refusal
    thinking = config.get("thinkingConfig", {})
    if "thinkingLevel" in thinking:
        level = str(thinking["thinkingLevel"]).upper()
        if rules.thinking != "level":
            return _thinking_refusal(rules, backend, "thinking_level")
        if level not in rules.thinking_levels:
            # https://github.com/jenslys/opencode-gemini-auth/issues/14 ("thinking_level MEDIUM is
            # not supported by this model", Vertex REST); unverified on the Gemini API Live socket.
            return _thinking_refusal(rules, backend, f"thinking_level {level}")
    if "thinkingBudget" in thinking and rules.thinking != "budget":
        return _thinking_refusal(rules, backend, "thinking_budget")
    proactive = setup.get("proactivity", {})
    if rules.proactive_audio == "always" and proactive.get("proactiveAudio") is False:
        # gemini-3.8-live page: "Setting proactive_audio: false returns an error."
        # unverified: the close; 1007 picked.
        return Refusal(INVALID_ARGUMENT, INVALID_ARGUMENT_REASON, "proactiveAudio false")
    if rules.proactive_audio == "unsupported" and proactive:
        # gemini-3.1-flash-live-preview page: "not yet supported ... remove any configuration".
        # unverified: that the service refuses it rather than ignoring it.
        return Refusal(INVALID_ARGUMENT, INVALID_ARGUMENT_REASON, "proactivity unsupported")
    if "enableAffectiveDialog" in config and not rules.affective_dialog:
        # gemini-3.8-live page: "Affective dialog has been removed from the API."
        return _unknown_field("enableAffectiveDialog", "setup.generation_config")
    voice = (
        config.get("speechConfig", {})
        .get("voiceConfig", {})
        .get("prebuiltVoiceConfig", {})
        .get("voiceName")
    )
    if voice is not None and voice not in VOICES:
        # unverified: the close for an unknown voice; 1007 with the generic text picked.
        return Refusal(INVALID_ARGUMENT, INVALID_ARGUMENT_REASON, "unknown voice")
    return _backend_fields(setup, backend)


def _backend_fields(setup: dict[str, Any], backend: str) -> Refusal | None:
    """Setup fields google-genai's converter refuses for one backend (google-genai 3.4.0)."""
    tools = setup.get("tools", [])
    if backend == VERTEX:
        # _LiveClientSetup_to_vertex: labels; _Tool_to_vertex: file_search;
        # _GenerationConfig_to_vertex: enable_enhanced_civic_answers
        if "labels" in setup:
            return _unknown_field("labels", "setup")
        if any("fileSearch" in tool for tool in tools):
            return _unknown_field("fileSearch", "setup.tools")
        if "enableEnhancedCivicAnswers" in setup.get("generationConfig", {}):
            return _unknown_field("enableEnhancedCivicAnswers", "setup.generation_config")
        return None
    # _LiveClientSetup_to_mldev: explicit_vad_signal; _SessionResumptionConfig_to_mldev: transparent;
    # _Tool_to_mldev: retrieval, enterprise_web_search, parallel_ai_search, exa_ai_search;
    # _GoogleSearch_to_mldev: blocking_confidence, exclude_domains; _SafetySetting_to_mldev: method
    if "explicitVadSignal" in setup:
        return _unknown_field("explicitVadSignal", "setup")
    if "transparent" in setup.get("sessionResumption", {}):
        return _unknown_field("transparent", "setup.session_resumption")
    for tool in tools:
        for key in ("retrieval", "enterpriseWebSearch", "parallelAiSearch", "exaAiSearch"):
            if key in tool:
                return _unknown_field(key, "setup.tools")
        for key in ("blockingConfidence", "excludeDomains"):
            if key in tool.get("googleSearch", {}):
                return _unknown_field(key, "setup.tools.google_search")
    if any("method" in setting for setting in setup.get("safetySettings", [])):
        return _unknown_field("method", "setup.safety_settings")
    return None
