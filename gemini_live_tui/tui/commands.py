"""Slash commands: one table of name, usage, one-line help and handler.

A handler gets a `CommandContext` (a snapshot of what it may look at) and
the arguments, and returns an `Outcome`: lines to show, a new staged setup,
and effects for the app to apply (quit, reconnect, apply the setup, save).
The built-in handlers are pure functions, tested without a terminal. Voice
and screen sharing declare their own `Command`s (features/; their handler
may be async and bound to their engine), which the app adds to the table.

Setup changes (/system, /tools, /voice, /model, /thinking) are staged in the
context's draft and go to the session only with `apply`.

A handler that raises (a feature's bug, a device that vanished) gives one
error line; its traceback goes to the log file and the app keeps running.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from ..config import normalize_model
from ..live.model_setup import thinking_fields
from ..live.models import VOICES, backend_of, lookup, models
from .completion import CommandSpec
from .lines import Line
from .setup_draft import THINKING_LEVELS, SetupDraft

log = logging.getLogger(__name__)

# ----- effects the app applies ----------------------------------------------


@dataclass(frozen=True, slots=True)
class Quit:
    """Leave the app."""


@dataclass(frozen=True, slots=True)
class ClearView:
    """Empty the conversation view (the transcript for /save is kept)."""


@dataclass(frozen=True, slots=True)
class Reconnect:
    """Connect again, resuming unless `fresh`."""

    fresh: bool = False


@dataclass(frozen=True, slots=True)
class ApplySetup:
    """Give the staged setup to the session and reconnect (resume unless `fresh`)."""

    fresh: bool = False


@dataclass(frozen=True, slots=True)
class SaveTranscript:
    """Write the conversation as Markdown to `path` (None: a dated file in the cwd);
    an existing file is replaced only with `force`."""

    path: str | None = None
    force: bool = False


@dataclass(frozen=True, slots=True)
class CancelSending:
    """Stop the message with files being sent (an audio file streaming, files waiting)."""


CommandEffect = Quit | ClearView | Reconnect | ApplySetup | SaveTranscript | CancelSending


@dataclass(frozen=True, slots=True)
class CommandContext:
    """What a handler may look at."""

    applied: SetupDraft
    staged: SetupDraft
    tools: tuple[tuple[str, str], ...] = ()  # (name, one-line summary) in display order
    has_handle: bool = False
    model_name: Callable[[str], str] = normalize_model


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a command did: lines to show, the new staged draft, effects."""

    lines: tuple[Line, ...] = ()
    staged: SetupDraft | None = None
    effects: tuple[CommandEffect, ...] = ()


Handler = Callable[[CommandContext, tuple[str, ...]], "Outcome | Awaitable[Outcome]"]


@dataclass(frozen=True, slots=True)
class Command:
    """One slash command."""

    name: str
    usage: str
    help: str
    handler: Handler
    subcommands: tuple[str, ...] = ()
    choices: Callable[[CommandContext], tuple[str, ...]] | None = None
    choice_after: tuple[str, ...] = ()  # sub-commands whose argument is a choice
    takes_path: bool = False
    aliases: tuple[str, ...] = field(default=())


def say(*texts: str, role: str = "system") -> tuple[Line, ...]:
    return tuple(Line(role, t) for t in texts)


def error(text: str) -> Outcome:
    return Outcome(say(text, role="error"))


def describe(failure: BaseException) -> str:
    """An unexpected exception in one short phrase (its message, or its type)."""
    text = str(failure).strip().splitlines()[0] if str(failure).strip() else ""
    return text or type(failure).__name__


class CommandTable:
    """Commands by name, in the order they were added (the /help order)."""

    def __init__(self, commands: Iterable[Command] = ()) -> None:
        self._commands: dict[str, Command] = {}
        self._aliases: dict[str, str] = {}
        for command in commands:
            self.add(command)

    def add(self, command: Command) -> None:
        """Add a command, or replace the one of the same name."""
        self._commands[command.name] = command
        for alias in command.aliases:
            self._aliases[alias] = command.name

    def get(self, name: str) -> Command | None:
        return self._commands.get(self._aliases.get(name, name))

    def __iter__(self):
        return iter(self._commands.values())

    def help_lines(self) -> tuple[Line, ...]:
        width = max(len(c.usage) for c in self._commands.values())
        return tuple(Line("info", f"{c.usage:<{width}}  {c.help}") for c in self._commands.values())

    def specs(self, ctx: CommandContext) -> tuple[CommandSpec, ...]:
        """The table as completion specs (sub-commands and choices included)."""
        out = []
        for c in self._commands.values():
            choices = c.choices(ctx) if c.choices else ()
            subs = tuple(
                CommandSpec(s, choices=choices if s in c.choice_after else ())
                for s in c.subcommands
            )
            out.append(
                CommandSpec(
                    c.name,
                    c.help,
                    subcommands=subs,
                    choices=() if c.choice_after else choices,
                    takes_path=c.takes_path,
                )
            )
        return tuple(out)

    async def run(self, ctx: CommandContext, name: str, args: tuple[str, ...]) -> Outcome:
        """Run `/name args…`; an unknown name gives an error line."""
        command = self.get(name)
        if command is None:
            return error(f"unknown command /{name} — /help lists them")
        try:
            result = command.handler(ctx, args)
            if not isinstance(result, Outcome):
                result = await result
        except Exception as failure:  # a feature's bug or device error must not end the app
            log.exception("/%s failed", command.name)
            return error(f"/{command.name} failed: {describe(failure)} (details in the log file)")
        return result


# ----- built-in handlers -------------------------------------------------------


def unknown_options(usage: str, args: tuple[str, ...], allowed: tuple[str, ...]) -> Outcome | None:
    """An error naming the first argument not in `allowed` (None when all are), so a
    typo such as `--frsh` is never taken as "no option"."""
    extra = next((a for a in args if a not in allowed), None)
    if extra is None:
        return None
    what = "option" if extra.startswith("-") else "argument"
    return error(f"unknown {what} {extra!r} — {usage} takes only {', '.join(allowed)}")


def _apply_outcome(ctx: CommandContext, args: tuple[str, ...], name: str) -> Outcome:
    usage = "/apply" if name == "apply" else f"/{name} apply"
    if (refused := unknown_options(usage, args, ("--fresh",))) is not None:
        return refused
    fresh = "--fresh" in args
    changes = ctx.staged.changes(ctx.applied)
    if not changes:
        return Outcome(say("nothing staged to apply"))
    if not fresh and not ctx.has_handle:
        return Outcome(
            say(
                "no resumption handle yet, so the conversation cannot carry over — "
                f"/{name} apply --fresh applies it and starts a new conversation"
            )
        )
    how = "starting a new conversation" if fresh else "resuming the conversation"
    return Outcome(
        say(f"applying: {'; '.join(changes)} ({how})"), effects=(ApplySetup(fresh=fresh),)
    )


def _staged(ctx: CommandContext, draft: SetupDraft, name: str) -> Outcome:
    changes = draft.changes(ctx.applied)
    text = f"staged: {'; '.join(changes)} — /{name} apply to use it" if changes else "no change"
    return Outcome(say(text), staged=draft)


def cmd_help(ctx: CommandContext, args: tuple[str, ...]) -> Outcome:  # replaced by the table's
    return Outcome()


def no_arguments(usage: str, args: tuple[str, ...]) -> Outcome | None:
    """An error for a command that takes nothing but was given `args` (None if none)."""
    if not args:
        return None
    what = "option" if args[0].startswith("-") else "argument"
    return error(f"unknown {what} {args[0]!r} — {usage} takes none")


def cmd_clear(ctx: CommandContext, args: tuple[str, ...]) -> Outcome:
    return no_arguments("/clear", args) or Outcome(effects=(ClearView(),))


def cmd_quit(ctx: CommandContext, args: tuple[str, ...]) -> Outcome:
    return no_arguments("/quit", args) or Outcome(effects=(Quit(),))


def cmd_reconnect(ctx: CommandContext, args: tuple[str, ...]) -> Outcome:
    if (refused := unknown_options("/reconnect", args, ("--fresh",))) is not None:
        return refused
    fresh = "--fresh" in args
    text = "reconnecting (new conversation)" if fresh else "reconnecting"
    return Outcome(say(text), effects=(Reconnect(fresh=fresh),))


def cmd_apply(ctx: CommandContext, args: tuple[str, ...]) -> Outcome:
    return _apply_outcome(ctx, args, "apply")


def cmd_system(ctx: CommandContext, args: tuple[str, ...]) -> Outcome:
    sub = args[0].lower() if args else "show"
    if sub == "show":
        applied = ctx.applied.system_instruction or "(none)"
        lines = [f"system instruction: {applied}"]
        if ctx.staged.system_instruction != ctx.applied.system_instruction:
            lines.append(f"staged: {ctx.staged.system_instruction or '(none)'}")
        return Outcome(say(*lines))
    if sub == "set":
        text = " ".join(args[1:]).strip()
        if not text:
            return error("usage: /system set TEXT (the rest of the line, as typed)")
        return _staged(ctx, replace(ctx.staged, system_instruction=text), "system")
    if sub == "clear":
        return _staged(ctx, replace(ctx.staged, system_instruction=None), "system")
    if sub == "apply":
        return _apply_outcome(ctx, args[1:], "system")
    return error("usage: /system show|set TEXT|clear|apply")


def cmd_tools(ctx: CommandContext, args: tuple[str, ...]) -> Outcome:
    sub = args[0].lower() if args else "list"
    names = [n for n, _ in ctx.tools]
    if sub == "list":
        if not ctx.tools:
            return Outcome(say("no tools are available"))
        lines = []
        for name, summary in ctx.tools:
            on = name in ctx.staged.tools
            mark = "on " if on else "off"
            if on != (name in ctx.applied.tools):
                mark += " (staged)"
            lines.append(f"{mark:<12} {name} — {summary}")
        return Outcome(say(*lines))
    if sub == "apply":
        return _apply_outcome(ctx, args[1:], "tools")
    if sub in ("enable", "disable", "toggle"):
        if len(args) < 2:
            return error(f"usage: /tools {sub} NAME")
        unknown = [a for a in args[1:] if a not in names]
        if unknown:
            return error(f"unknown tool {unknown[0]} — /tools list shows them")
        tools = set(ctx.staged.tools)
        for name in args[1:]:
            if sub == "enable" or (sub == "toggle" and name not in tools):
                tools.add(name)
            else:
                tools.discard(name)
        return _staged(ctx, replace(ctx.staged, tools=frozenset(tools)), "tools")
    return error("usage: /tools list|enable|disable|toggle NAME|apply")


def _single_value(
    name: str, attribute: str, values: tuple[str, ...] = ()
) -> Callable[[CommandContext, tuple[str, ...]], Outcome]:
    def handler(ctx: CommandContext, args: tuple[str, ...]) -> Outcome:
        if not args:
            current = getattr(ctx.applied, attribute) or "default"
            staged = getattr(ctx.staged, attribute)
            text = f"{name}: {current}"
            if staged != getattr(ctx.applied, attribute):
                text += f" (staged: {staged or 'default'})"
            return Outcome(say(text))
        if args[0].lower() == "apply":
            return _apply_outcome(ctx, args[1:], name)
        word = args[0]
        value: str | None = word
        if word.lower() == "default":
            value = None
        elif values:
            match = next((v for v in values if v.lower() == word.lower()), None)
            if match is None and attribute == "thinking_level":
                return error(f"unknown thinking level {value} — one of {', '.join(values)}")
            if match is None and attribute == "voice":
                return error(
                    f"unknown voice {value} — /voice and Tab list the {len(values)} voices"
                )
            value = match or value
        if attribute == "model" and value is not None:
            value = ctx.model_name(value)
        if attribute == "model" and value is None:
            return error("usage: /model NAME")
        change: dict[str, Any] = {attribute: value}
        outcome = _staged(ctx, replace(ctx.staged, **change), name)
        if attribute == "model" and value is not None:
            return replace(outcome, lines=outcome.lines + _model_notes(value, ctx.staged))
        return outcome

    return handler


def _model_notes(model: str, staged: SetupDraft) -> tuple[Line, ...]:
    """What staging `model` means for the rest of the draft (an unknown model, thinking)."""
    spec = lookup(model)
    lines = []
    if spec.notice:
        lines.append(spec.notice)
    level = staged.thinking_level
    if level is not None and thinking_fields(spec, level) == (None, None):
        lines.append(f"{spec.name} takes no thinking level {level}: none will be sent")
    return say(*lines)


def cmd_thinking(ctx: CommandContext, args: tuple[str, ...]) -> Outcome:
    """`/thinking LEVEL|default|apply`, refused in one line where the model takes no level."""
    stage = _single_value("thinking", "thinking_level", THINKING_LEVELS)
    if not args or args[0].lower() in ("apply", "default"):
        return stage(ctx, args)
    spec = lookup(ctx.staged.model)
    if spec.thinking == "none":
        return error(
            f"/thinking: {spec.name} takes no thinking level "
            "(`gemini-live models` shows which models take one)"
        )
    if not spec.takes_level(args[0]):
        levels = ", ".join(spec.thinking_levels)
        return error(f"/thinking: {spec.name} takes one of {levels} (not {args[0]})")
    return stage(ctx, args)


def model_choices(ctx: CommandContext) -> tuple[str, ...]:
    """`/model` completions: the catalog's models for the backend in use."""
    return (*(spec.name for spec in models(backend_of(ctx.applied.model))), "apply")


def cmd_save(ctx: CommandContext, args: tuple[str, ...]) -> Outcome:
    force = "--force" in args
    rest = [a for a in args if a != "--force"]
    options = [a for a in rest if a.startswith("-") and a != "-"]
    if options or len(rest) > 1:
        return error("usage: /save [--force] [PATH] (--force replaces an existing file)")
    return Outcome(effects=(SaveTranscript(rest[0] if rest else None, force),))


def cmd_cancel(ctx: CommandContext, args: tuple[str, ...]) -> Outcome:
    if args:
        return error("usage: /cancel (stops the file being sent; Esc does the same)")
    return Outcome(effects=(CancelSending(),))


def builtin_commands() -> CommandTable:
    """The table with every built-in command (the features add theirs: features/)."""
    table = CommandTable(
        [
            Command("help", "/help", "list the commands", cmd_help),
            Command("clear", "/clear", "clear the view (Ctrl-L)", cmd_clear),
            Command("quit", "/quit", "leave (Ctrl-C, Ctrl-D)", cmd_quit, aliases=("exit",)),
            Command(
                "reconnect",
                "/reconnect [--fresh]",
                "connect again, resuming the conversation",
                cmd_reconnect,
                subcommands=("--fresh",),
            ),
            Command(
                "system",
                "/system show|set TEXT|clear|apply",
                "show or stage the system instruction",
                cmd_system,
                subcommands=("show", "set", "clear", "apply"),
            ),
            Command(
                "tools",
                "/tools list|enable|disable|toggle NAME|apply",
                "list or stage the model's tools",
                cmd_tools,
                subcommands=("list", "enable", "disable", "toggle", "apply"),
                choices=lambda ctx: tuple(n for n, _ in ctx.tools),
                choice_after=("enable", "disable", "toggle"),
            ),
            Command(
                "voice",
                "/voice NAME|apply",
                "stage the model's voice",
                _single_value("voice", "voice", VOICES),
                choices=lambda ctx: (*VOICES, "apply"),
            ),
            Command(
                "model",
                "/model NAME|apply",
                "stage another model",
                _single_value("model", "model"),
                choices=model_choices,
            ),
            Command(
                "thinking",
                "/thinking LEVEL|apply",
                "stage the thinking level",
                cmd_thinking,
                choices=lambda ctx: (*lookup(ctx.staged.model).thinking_levels, "default", "apply"),
            ),
            Command(
                "apply",
                "/apply [--fresh]",
                "apply every staged setup change",
                cmd_apply,
                subcommands=("--fresh",),
            ),
            Command(
                "save",
                "/save [--force] [PATH]",
                "write the conversation as Markdown (--force: replace a file)",
                cmd_save,
                takes_path=True,
            ),
            Command(
                "cancel",
                "/cancel",
                "stop the file being sent and the rest of its message (Esc)",
                cmd_cancel,
            ),
        ]
    )

    def help_handler(ctx: CommandContext, args: tuple[str, ...]) -> Outcome:
        return no_arguments("/help", args) or Outcome(table.help_lines())

    table.add(Command("help", "/help", "list the commands", help_handler))
    return table
