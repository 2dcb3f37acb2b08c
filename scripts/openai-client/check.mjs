// check.mjs: the official `openai` npm client (version pinned in package.json) against a running flexserve.
//
//   node check.mjs BASE_URL GOLDEN_JSON        (BASE_URL: the server root or its /v1; run by openai-client-check.sh)
//
// Model `tinystories` (tinystories-260k as an elastic bundle); GOLDEN_JSON holds the greedy continuations of the
// reference forward pass. Checks: completions and chat, non-streaming and streaming (stream_options.include_usage),
// models.retrieve, developer messages and text content parts, completion logprobs whose tokens join into the text,
// every refused parameter answered 422, and API errors surfacing as the client's APIError with the HTTP status. One line per check; exit 1 on any failure.
import fs from 'node:fs';
import OpenAI from 'openai';
import { VERSION } from 'openai/version';

const [baseArg, goldenPath] = process.argv.slice(2);
if (!baseArg || !goldenPath) {
  console.error('usage: node check.mjs BASE_URL GOLDEN_JSON');
  process.exit(2);
}
const baseURL = baseArg.replace(/\/+$/, '').replace(/(\/v1)?$/, '/v1');
const MODEL = 'tinystories';
const golden = JSON.parse(fs.readFileSync(goldenPath, 'utf8')).cases;
const client = new OpenAI({ baseURL, apiKey: 'sk-flexserve-dummy', maxRetries: 0, timeout: 60_000 });

let failures = 0;
async function check(name, fn) {
  const started = Date.now();
  try {
    const detail = await fn();
    console.log(`ok   ${name}${detail ? ` (${detail})` : ''} [${Date.now() - started} ms]`);
  } catch (e) {
    failures++;
    const status = e instanceof OpenAI.APIError ? ` [APIError status=${e.status}]` : '';
    console.log(`FAIL ${name}: ${e?.message ?? e}${status}`);
  }
}
function expect(cond, message) {
  if (!cond) throw new Error(message);
}
function expectEqual(actual, expected, what) {
  expect(actual === expected, `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}
async function expectApiError(status, request) {
  try {
    await request();
  } catch (e) {
    expect(e instanceof OpenAI.APIError, `expected an APIError, got ${e?.constructor?.name}: ${e?.message}`);
    expectEqual(e.status, status, 'APIError.status');
    expect(typeof e.message === 'string' && e.message.length > 0, 'APIError without a message');
    return `status ${e.status}, code ${e.code ?? e.error?.code}`;
  }
  throw new Error(`expected an APIError with status ${status}, the request succeeded`);
}

console.log(`openai ${VERSION} (node ${process.version}) against ${baseURL}`);

await check('models.list names tinystories', async () => {
  const ids = [];
  for await (const m of client.models.list()) ids.push(m.id);
  expect(ids.includes(MODEL), `models: ${JSON.stringify(ids)}`);
  return ids.join(', ');
});

const onceUponATime = golden.find((c) => c.prompt === 'Once upon a time');
expect(onceUponATime, `no "Once upon a time" case in ${goldenPath}`);
for (const c of golden) {
  const request = { model: MODEL, prompt: c.prompt, temperature: 0, max_tokens: 32 };

  await check(`completions, non-streaming, greedy = golden: ${JSON.stringify(c.prompt)}`, async () => {
    const r = await client.completions.create(request);
    expectEqual(r.object, 'text_completion', 'object');
    expectEqual(r.choices.length, 1, 'choices');
    expectEqual(r.choices[0].text, c.text, 'text');
    expectEqual(r.choices[0].finish_reason, 'length', 'finish_reason');
    expectEqual(r.usage?.completion_tokens, 32, 'usage.completion_tokens');
    expectEqual(r.usage?.prompt_tokens, c.prompt_ids.length, 'usage.prompt_tokens');
    expectEqual(r.usage?.total_tokens, 32 + c.prompt_ids.length, 'usage.total_tokens');
    return `id ${r.id}`;
  });

  await check(`completions, streaming + include_usage, text = golden: ${JSON.stringify(c.prompt)}`, async () => {
    const stream = await client.completions.create({ ...request, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let finish = null;
    let usage = null;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      expectEqual(chunk.object, 'text_completion', 'chunk.object');
      if (chunk.usage) usage = chunk.usage;
      for (const choice of chunk.choices) {
        text += choice.text ?? '';
        if (choice.finish_reason) finish = choice.finish_reason;
      }
    }
    expectEqual(text, c.text, 'concatenated text');
    expectEqual(finish, 'length', 'finish_reason');
    expect(usage, 'no usage chunk');
    expectEqual(usage.completion_tokens, 32, 'usage.completion_tokens');
    expectEqual(usage.prompt_tokens, c.prompt_ids.length, 'usage.prompt_tokens');
    return `${chunks} chunks`;
  });
}

const messages = [
  { role: 'system', content: 'You tell short stories.' },
  { role: 'user', content: 'Tell me about a cat.' },
];
const chatRequest = { model: MODEL, messages, temperature: 0, max_tokens: 12 };
let chatContent = null;

await check('chat, non-streaming', async () => {
  const r = await client.chat.completions.create(chatRequest);
  expectEqual(r.object, 'chat.completion', 'object');
  const choice = r.choices[0];
  expectEqual(choice.message.role, 'assistant', 'message.role');
  expect(typeof choice.message.content === 'string' && choice.message.content.trim().length > 0,
    `empty content: ${JSON.stringify(choice.message.content)}`);
  expect(['length', 'stop'].includes(choice.finish_reason), `finish_reason ${choice.finish_reason}`);
  expect(r.usage && r.usage.completion_tokens > 0 && r.usage.completion_tokens <= 12,
    `usage ${JSON.stringify(r.usage)}`);
  chatContent = choice.message.content;
  return JSON.stringify(chatContent);
});

await check('chat, streaming + include_usage, content = non-streamed content', async () => {
  const stream = await client.chat.completions.create({ ...chatRequest, stream: true, stream_options: { include_usage: true } });
  let role = null;
  let content = '';
  let finish = null;
  let usage = null;
  for await (const chunk of stream) {
    expectEqual(chunk.object, 'chat.completion.chunk', 'chunk.object');
    if (chunk.usage) usage = chunk.usage;
    for (const choice of chunk.choices) {
      if (choice.delta?.role) role = choice.delta.role;
      content += choice.delta?.content ?? '';
      if (choice.finish_reason) finish = choice.finish_reason;
    }
  }
  expectEqual(role, 'assistant', 'delta.role');
  expect(content.trim().length > 0, 'empty streamed content');
  expectEqual(content, chatContent, 'streamed content (greedy) vs the non-streamed answer');
  expect(['length', 'stop'].includes(finish), `finish_reason ${finish}`);
  expect(usage && usage.completion_tokens > 0, `usage ${JSON.stringify(usage)}`);
  return JSON.stringify(content);
});

await check('chat, streaming via the client\'s stream helper (finalChatCompletion)', async () => {
  const runner = client.chat.completions.stream(chatRequest);
  const final = await runner.finalChatCompletion();
  expectEqual(final.choices[0].message.role, 'assistant', 'message.role');
  expectEqual(final.choices[0].message.content, chatContent, 'assembled content');
});

await check('models.retrieve', async () => {
  const m = await client.models.retrieve(MODEL);
  expectEqual(m.id, MODEL, 'id');
  expectEqual(m.object, 'model', 'object');
});
await check('error: models.retrieve of an unknown model -> APIError 404', () =>
  expectApiError(404, () => client.models.retrieve('no-such-model')));

await check('chat: a developer message and text content parts read as system text', async () => {
  const parts = await client.chat.completions.create({ ...chatRequest, messages: [
    { role: 'developer', content: [{ type: 'text', text: 'You tell short stories.' }] },
    { role: 'user', content: [{ type: 'text', text: 'Tell me about ' }, { type: 'text', text: 'a cat.' }] },
  ] });
  expectEqual(parts.choices[0].message.content, chatContent, 'content (greedy) vs the plain-string request');
});

await check('completions logprobs: the tokens join into the text, leading spaces included', async () => {
  const r = await client.completions.create({ model: MODEL, prompt: 'Once upon a time', temperature: 0, max_tokens: 16,
    logprobs: 3 });
  const lp = r.choices[0].logprobs;
  expectEqual(lp.tokens.join(''), r.choices[0].text, 'joined tokens');
  expect(lp.tokens.some((t) => t.startsWith(' ')), `no token keeps its leading space: ${JSON.stringify(lp.tokens)}`);
  expectEqual(lp.top_logprobs[0] && Object.keys(lp.top_logprobs[0]).length, 3, 'alternatives per token');
  return JSON.stringify(lp.tokens.slice(0, 4));
});

// Refused, never ignored: each gets a 422 whose message names it.
for (const [name, extra, chat] of [
  ['best_of', { best_of: 2 }, false],
  ['n', { n: 2 }, true],
  ['response_format', { response_format: { type: 'json_object' } }, true],
  ['tools', { tools: [{ type: 'function', function: { name: 'f', parameters: {} } }] }, true],
]) {
  await check(`refused with 422 naming it: ${name}${chat ? ' (chat)' : ''}`, async () => {
    const request = chat ? { ...chatRequest, ...extra } : { model: MODEL, prompt: 'Once', max_tokens: 4, ...extra };
    try {
      await (chat ? client.chat.completions.create(request) : client.completions.create(request));
    } catch (e) {
      expect(e instanceof OpenAI.APIError, `expected an APIError, got ${e?.message}`);
      expectEqual(e.status, 422, 'APIError.status');
      expectEqual(e.code ?? e.error?.code, 'unsupported_parameter', 'code');
      expect(e.message.includes(`'${name}'`), `the message does not name ${name}: ${e.message}`);
      return e.message;
    }
    throw new Error('the request succeeded: the parameter was ignored');
  });
}
await check('neutral values of refused parameters are accepted (best_of 1, n 1)', async () => {
  const r = await client.completions.create({ model: MODEL, prompt: 'Once', max_tokens: 4, best_of: 1, n: 1 });
  expectEqual(r.choices.length, 1, 'choices');
});

await check('completions echo: the text starts with the prompt', async () => {
  const plain = await client.completions.create({ model: MODEL, prompt: 'Once upon a time', temperature: 0, max_tokens: 8 });
  const echoed = await client.completions.create({ model: MODEL, prompt: 'Once upon a time', temperature: 0, max_tokens: 8,
    echo: true });
  expectEqual(echoed.choices[0].text, 'Once upon a time' + plain.choices[0].text, 'text');
});

await check('chat logprobs: content entries join into the message, with top_logprobs', async () => {
  const r = await client.chat.completions.create({ ...chatRequest, logprobs: true, top_logprobs: 2 });
  const content = r.choices[0].logprobs.content;
  expectEqual(content.map((c) => c.token).join(''), r.choices[0].message.content, 'joined tokens');
  expect(content.every((c) => c.top_logprobs.length === 2 && c.logprob <= 0), 'two alternatives and a logprob each');
  expect(content.every((c) => Buffer.from(c.bytes).toString('utf8') === c.token), 'bytes are the token in UTF-8');
  return `${content.length} tokens`;
});

await check('logit_bias +100 on one token makes every greedy token that token', async () => {
  const r = await client.completions.create({ model: MODEL, prompt: 'Once upon a time', temperature: 0, max_tokens: 6,
    logprobs: 1, logit_bias: { 403: 100 } });
  const tokens = r.choices[0].logprobs.tokens;
  expect(tokens.every((t) => t === tokens[0]), `tokens ${JSON.stringify(tokens)}`);
  return JSON.stringify(tokens[0]);
});
await check('frequency and presence penalties change a greedy continuation; 0 changes nothing', async () => {
  const base = { model: MODEL, prompt: 'Once upon a time', temperature: 0, max_tokens: 48 };
  const plain = (await client.completions.create(base)).choices[0].text;
  const zero = (await client.completions.create({ ...base, frequency_penalty: 0, presence_penalty: 0 })).choices[0].text;
  const penalized = (await client.chat.completions.create({ ...chatRequest, max_tokens: 48, frequency_penalty: 2,
    presence_penalty: 2 })).choices[0].message.content;
  const unpenalized = (await client.chat.completions.create({ ...chatRequest, max_tokens: 48 })).choices[0].message.content;
  expectEqual(zero, plain, 'text with zero penalties');
  expect(penalized !== unpenalized, 'the penalties changed nothing');
});

await check('error: unknown model -> APIError 404', () =>
  expectApiError(404, () => client.completions.create({ model: 'no-such-model', prompt: 'Once', max_tokens: 4 })));
await check('error: unknown model, chat -> APIError 404', () =>
  expectApiError(404, () => client.chat.completions.create({ model: 'no-such-model', messages, max_tokens: 4 })));
await check('error: max_tokens 5000 -> APIError 400', () =>
  expectApiError(400, () => client.completions.create({ model: MODEL, prompt: 'Once upon a time', max_tokens: 5000 })));
await check('error: max_tokens 5000, streaming -> APIError 400 before any chunk', () =>
  expectApiError(400, async () => {
    const stream = await client.completions.create({ model: MODEL, prompt: 'Once upon a time', max_tokens: 5000, stream: true });
    for await (const _ of stream) { /* a 200 stream here would be the failure */ }
  }));

console.log(failures === 0 ? 'openai-client-check: PASS' : `openai-client-check: FAIL (${failures} failed)`);
process.exit(failures === 0 ? 0 : 1);
