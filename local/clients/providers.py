"""Calls models of several providers through a Switchboard gateway with the official OpenAI Python client, unmodified,
and prints one JSON summary line on stdout. Usage: python providers.py [GATEWAY_URL] [MODEL ...]   (default:
$SWITCHBOARD_URL, then http://127.0.0.1:3000; models: $SWITCHBOARD_MODELS, comma-separated, then "claude,nova").

For each model, four calls: a plain answer, a forced tool call (tool_choice naming get_weather), a stream with
stream_options.include_usage, and the forced tool call streamed. For each embedding model in
$SWITCHBOARD_EMBEDDING_MODELS (comma-separated; none by default), embeddings of two texts twice: as the client asks
by default (base64, which it decodes) and as float numbers. ProviderClientsTest runs it against the local run in
front of loopback fakes of Anthropic and Bedrock Runtime and checks the summary. Exit code 0 once every call ran,
whatever its outcome: judging the summary is the caller's job. Anything raised outside the calls exits 1.
"""

import json
import os
import platform
import sys

import openai

GATEWAY = (sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SWITCHBOARD_URL", "http://127.0.0.1:3000")).rstrip("/")
MODELS = sys.argv[2:] or os.environ.get("SWITCHBOARD_MODELS", "claude,nova").split(",")
API_KEY = os.environ.get("SWITCHBOARD_API_KEY", "sk-switchboard-dev")
MESSAGES = [
    {"role": "system", "content": "You are terse."},
    {"role": "user", "content": "What is the weather in Paris?"},
]
TOOLS = [{
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}]
FORCED = {"type": "function", "function": {"name": "get_weather"}}
# No retries: a failure must show, not be papered over by the client's backoff.
client = openai.OpenAI(api_key=API_KEY, base_url=f"{GATEWAY}/v1", max_retries=0, timeout=60.0)


def failed(e):
    return {"ok": False, "error": type(e).__name__, "status": getattr(e, "status_code", None),
            "code": getattr(e, "code", None), "message": str(e)}


def dump(model):
    return model.model_dump(exclude_unset=True) if model is not None else None


def tool_calls(calls):
    return [{"id": c.id, "type": c.type, "name": c.function.name, "arguments": c.function.arguments,
             "arguments_json": json.loads(c.function.arguments)} for c in calls or []]


def plain(model):
    try:
        r = client.chat.completions.create(model=model, messages=MESSAGES)
        c = r.choices[0]
        return {"ok": True, "id": r.id, "object": r.object, "model": r.model, "role": c.message.role,
                "content": c.message.content, "tool_calls": tool_calls(c.message.tool_calls),
                "finish_reason": c.finish_reason, "usage": dump(r.usage)}
    except Exception as e:  # noqa: BLE001 - reported in the summary
        return failed(e)


def tool(model):
    try:
        r = client.chat.completions.create(model=model, messages=MESSAGES, tools=TOOLS, tool_choice=FORCED)
        c = r.choices[0]
        return {"ok": True, "id": r.id, "object": r.object, "content": c.message.content,
                "tool_calls": tool_calls(c.message.tool_calls), "finish_reason": c.finish_reason,
                "usage": dump(r.usage)}
    except Exception as e:  # noqa: BLE001
        return failed(e)


def streamed(model, **extra):
    try:
        stream = client.chat.completions.create(model=model, messages=MESSAGES, stream=True,
                                                stream_options={"include_usage": True}, **extra)
        chunks, deltas, roles, ids, calls = 0, [], [], set(), {}
        finish_reason = usage = None
        usage_chunk_has_choices = None
        with stream:
            for chunk in stream:
                chunks += 1
                ids.add(chunk.id)
                for choice in chunk.choices or []:
                    if choice.delta.role:
                        roles.append(choice.delta.role)
                    if isinstance(choice.delta.content, str):
                        deltas.append(choice.delta.content)
                    for d in choice.delta.tool_calls or []:
                        call = calls.setdefault(d.index, {"id": None, "name": None, "arguments": "", "pieces": 0})
                        if d.id:
                            call["id"] = d.id
                        if d.function and d.function.name:
                            call["name"] = d.function.name
                        if d.function and d.function.arguments:
                            call["arguments"] += d.function.arguments
                            call["pieces"] += 1
                    if choice.finish_reason:
                        finish_reason = choice.finish_reason
                if chunk.usage is not None:
                    usage = dump(chunk.usage)
                    usage_chunk_has_choices = bool(chunk.choices)
        for call in calls.values():
            call["arguments_json"] = json.loads(call["arguments"]) if call["arguments"] else None
        return {"ok": True, "chunks": chunks, "ids": len(ids), "roles": roles, "deltas": deltas,
                "content": "".join(deltas), "tool_calls": [calls[i] for i in sorted(calls)],
                "finish_reason": finish_reason, "usage": usage, "usage_chunk_has_choices": usage_chunk_has_choices}
    except Exception as e:  # noqa: BLE001
        return failed(e)


EMBEDDING_MODELS = [m for m in os.environ.get("SWITCHBOARD_EMBEDDING_MODELS", "").split(",") if m]
TEXTS = ["Weather in Paris", "Rain in Lyon tomorrow"]


def embeddings(model):
    try:
        by_default = client.embeddings.create(model=model, input=TEXTS)  # the client asks for base64
        numbers = client.embeddings.create(model=model, input=TEXTS, encoding_format="float")
        out = {"ok": True, "object": by_default.object, "model": by_default.model, "usage": dump(by_default.usage)}
        for name, r in (("base64", by_default), ("float", numbers)):
            out[name] = {"count": len(r.data), "indexes": [d.index for d in r.data],
                         "dimensions": [len(d.embedding) for d in r.data],
                         "heads": [float(d.embedding[0]) for d in r.data]}
        return out
    except Exception as e:  # noqa: BLE001
        return failed(e)


summary = {
    "client": "openai-python", "client_version": openai.__version__,
    "runtime": f"{platform.python_implementation()} {platform.python_version()}", "base_url": f"{GATEWAY}/v1",
    "models": {m: {"plain": plain(m), "tool": tool(m), "stream": streamed(m),
                   "tool_stream": streamed(m, tools=TOOLS, tool_choice=FORCED)} for m in MODELS},
    "texts": TEXTS,
    "embeddings": {m: embeddings(m) for m in EMBEDDING_MODELS},
}
client.close()
sys.stdout.write(json.dumps(summary) + "\n")
