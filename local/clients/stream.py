"""Streams a chat completion from a Switchboard gateway through the official OpenAI Python client, unmodified, and
prints one JSON summary line on stdout. Usage: python stream.py [GATEWAY_URL]   (default: $SWITCHBOARD_URL, then
http://127.0.0.1:3000). The client is pointed at GATEWAY_URL + "/v1" with the local dev key.

The same four calls as stream.mjs: a stream with stream_options.include_usage, a non-streamed completion, one with
a bad key, which the client must turn into its AuthenticationError with status 401, and embeddings of two texts twice:
as the client asks by default (base64, decoded by the client) and as numbers. Exit code 0 once all four ran, whatever
their outcome: judging the summary is the caller's job. Anything raised outside them exits 1.
"""

import json
import os
import platform
import sys
import time

import openai

GATEWAY = (sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SWITCHBOARD_URL", "http://127.0.0.1:3000")).rstrip("/")
API_KEY = os.environ.get("SWITCHBOARD_API_KEY", "sk-switchboard-dev")
MODEL = os.environ.get("SWITCHBOARD_MODEL", "fast")
MESSAGES = [
    {"role": "system", "content": "You are terse."},
    {"role": "user", "content": "Say hello in a few words"},
]
# No retries: a failure must show, not be papered over by the client's backoff.
OPTIONS = {"base_url": f"{GATEWAY}/v1", "max_retries": 0, "timeout": 30.0}
client = openai.OpenAI(api_key=API_KEY, **OPTIONS)


def ms(t0):
    return round((time.perf_counter() - t0) * 1000, 1)


def describe(e):
    return {
        "error": type(e).__name__,
        "authentication_error": isinstance(e, openai.AuthenticationError),
        "api_error": isinstance(e, openai.APIError),
        "status": getattr(e, "status_code", None),
        "code": getattr(e, "code", None),
        "type": getattr(e, "type", None),
        "message": str(e),
    }


def dump(model):
    return model.model_dump(exclude_unset=True) if model is not None else None


def streamed():
    t0 = time.perf_counter()
    try:
        stream = client.chat.completions.create(
            model=MODEL, messages=MESSAGES, stream=True, stream_options={"include_usage": True})
        chunk_ms, deltas = [], []
        finish_reason = usage = chunk_id = None
        with stream:
            for chunk in stream:
                chunk_ms.append(ms(t0))
                chunk_id = chunk_id or chunk.id
                for choice in chunk.choices or []:
                    if isinstance(choice.delta.content, str):
                        deltas.append(choice.delta.content)
                    if choice.finish_reason:
                        finish_reason = choice.finish_reason
                if chunk.usage is not None:
                    usage = dump(chunk.usage)
        return {
            "ok": True, "id": chunk_id, "chunks": len(chunk_ms), "deltas": deltas, "content": "".join(deltas),
            "finish_reason": finish_reason, "usage": usage,
            "first_chunk_ms": chunk_ms[0] if chunk_ms else None, "last_chunk_ms": chunk_ms[-1] if chunk_ms else None,
            "chunk_ms": chunk_ms, "total_ms": ms(t0),
        }
    except Exception as e:  # noqa: BLE001 - reported in the summary
        return {"ok": False, **describe(e), "total_ms": ms(t0)}


def non_streamed():
    t0 = time.perf_counter()
    try:
        completion = client.chat.completions.create(model=MODEL, messages=MESSAGES)
        choice = completion.choices[0] if completion.choices else None
        return {
            "ok": True, "id": completion.id, "object": completion.object,
            "content": choice.message.content if choice else None,
            "finish_reason": choice.finish_reason if choice else None,
            "usage": dump(completion.usage), "total_ms": ms(t0),
        }
    except Exception as e:  # noqa: BLE001
        return {"ok": False, **describe(e), "total_ms": ms(t0)}


def bad_key():
    t0 = time.perf_counter()
    try:
        with openai.OpenAI(api_key="sk-switchboard-wrong", **OPTIONS) as bad:
            bad.chat.completions.create(model=MODEL, messages=MESSAGES)
        return {"raised": False, "total_ms": ms(t0)}
    except Exception as e:  # noqa: BLE001
        return {"raised": True, **describe(e), "total_ms": ms(t0)}


def embeddings():
    t0 = time.perf_counter()
    try:
        texts = ["Say hello", "in a few words"]
        by_default = client.embeddings.create(model=MODEL, input=texts, dimensions=16)  # the client asks for base64
        numbers = client.embeddings.create(model=MODEL, input=texts, dimensions=16, encoding_format="float")
        return {
            "ok": True, "object": by_default.object, "model": by_default.model,
            "indexes": [d.index for d in by_default.data],
            "default": [list(d.embedding) for d in by_default.data], "float": [list(d.embedding) for d in numbers.data],
            "usage": dump(by_default.usage), "total_ms": ms(t0),
        }
    except Exception as e:  # noqa: BLE001
        return {"ok": False, **describe(e), "total_ms": ms(t0)}


summary = {
    "client": "openai-python", "client_version": openai.__version__,
    "runtime": f"{platform.python_implementation()} {platform.python_version()}", "base_url": f"{GATEWAY}/v1",
    "model": MODEL,
    "stream": streamed(),
    "non_stream": non_streamed(),
    "bad_key": bad_key(),
    "embeddings": embeddings(),
}
client.close()
sys.stdout.write(json.dumps(summary) + "\n")
