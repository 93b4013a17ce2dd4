// Streams a chat completion from a Switchboard gateway through the official OpenAI Node client, unmodified, and
// prints one JSON summary line on stdout. Usage: node stream.mjs [GATEWAY_URL]   (default: $SWITCHBOARD_URL, then
// http://127.0.0.1:3000). The client is pointed at GATEWAY_URL + "/v1" with the local dev key.
// Four calls: a stream with stream_options.include_usage, a non-streamed completion, one with a bad key, which the
// client must turn into its AuthenticationError with status 401, and embeddings of two texts twice: as the client
// asks by default (base64, decoded by the client) and as numbers. Exit code 0 once all four ran, whatever their
// outcome: judging the summary is the caller's job. Anything thrown outside them exits 1.
import OpenAI from 'openai';
import { VERSION } from 'openai/version';

const gateway = (process.argv[2] || process.env.SWITCHBOARD_URL || 'http://127.0.0.1:3000').replace(/\/+$/, '');
const apiKey = process.env.SWITCHBOARD_API_KEY || 'sk-switchboard-dev';
const model = process.env.SWITCHBOARD_MODEL || 'fast';
const messages = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Say hello in a few words' },
];
// No retries: a failure must show, not be papered over by the client's backoff.
const options = { baseURL: `${gateway}/v1`, maxRetries: 0, timeout: 30_000 };
const client = new OpenAI({ ...options, apiKey });
const ms = (t0) => Math.round((performance.now() - t0) * 10) / 10;
const describe = (e) => ({
  error: e?.constructor?.name,
  authentication_error: e instanceof OpenAI.AuthenticationError,
  api_error: e instanceof OpenAI.APIError,
  status: e?.status ?? null,
  code: e?.code ?? null,
  type: e?.type ?? null,
  message: String(e?.message ?? e),
});

async function streamed() {
  const t0 = performance.now();
  try {
    const stream = await client.chat.completions.create({
      model, messages, stream: true, stream_options: { include_usage: true },
    });
    const chunkMs = [];
    const deltas = [];
    let finishReason = null;
    let usage = null;
    let id = null;
    for await (const chunk of stream) {
      chunkMs.push(ms(t0));
      id ??= chunk.id;
      for (const choice of chunk.choices ?? []) {
        if (typeof choice.delta?.content === 'string') deltas.push(choice.delta.content);
        if (choice.finish_reason) finishReason = choice.finish_reason;
      }
      if (chunk.usage) usage = chunk.usage;
    }
    return {
      ok: true, id, chunks: chunkMs.length, deltas, content: deltas.join(''), finish_reason: finishReason, usage,
      first_chunk_ms: chunkMs[0] ?? null, last_chunk_ms: chunkMs.at(-1) ?? null, chunk_ms: chunkMs,
      total_ms: ms(t0),
    };
  } catch (e) {
    return { ok: false, ...describe(e), total_ms: ms(t0) };
  }
}

async function nonStreamed() {
  const t0 = performance.now();
  try {
    const completion = await client.chat.completions.create({ model, messages });
    return {
      ok: true, id: completion.id, object: completion.object, content: completion.choices[0]?.message?.content ?? null,
      finish_reason: completion.choices[0]?.finish_reason ?? null, usage: completion.usage ?? null, total_ms: ms(t0),
    };
  } catch (e) {
    return { ok: false, ...describe(e), total_ms: ms(t0) };
  }
}

async function badKey() {
  const t0 = performance.now();
  try {
    const bad = new OpenAI({ ...options, apiKey: 'sk-switchboard-wrong' });
    await bad.chat.completions.create({ model, messages });
    return { raised: false, total_ms: ms(t0) };
  } catch (e) {
    return { raised: true, ...describe(e), total_ms: ms(t0) };
  }
}

async function embeddings() {
  const t0 = performance.now();
  try {
    const input = ['Say hello', 'in a few words'];
    const byDefault = await client.embeddings.create({ model, input, dimensions: 16 }); // the client asks for base64
    const numbers = await client.embeddings.create({ model, input, dimensions: 16, encoding_format: 'float' });
    return {
      ok: true, object: byDefault.object, model: byDefault.model, indexes: byDefault.data.map((d) => d.index),
      default: byDefault.data.map((d) => Array.from(d.embedding)), float: numbers.data.map((d) => d.embedding),
      usage: byDefault.usage ?? null, total_ms: ms(t0),
    };
  } catch (e) {
    return { ok: false, ...describe(e), total_ms: ms(t0) };
  }
}

const summary = {
  client: 'openai-node', client_version: VERSION, runtime: `node ${process.versions.node}`, base_url: `${gateway}/v1`,
  model,
  stream: await streamed(),
  non_stream: await nonStreamed(),
  bad_key: await badKey(),
  embeddings: await embeddings(),
};
process.stdout.write(JSON.stringify(summary) + '\n');
