import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AGENT_NAMES, agentAdapter } from './agent-registry.js';

const adapters = AGENT_NAMES.map((name) => agentAdapter(name));

// Lines that look like each agent's protocol but carry the wrong shapes, alongside arbitrary text.
const jsonish = fc
  .record(
    {
      type: fc.constantFrom(
        'system',
        'assistant',
        'user',
        'result',
        'thread.started',
        'item.completed',
        'turn.completed',
        'turn.failed',
        'error',
        'usage',
        'review',
        'prompt',
        'output',
      ),
      message: fc.anything(),
      item: fc.anything(),
      usage: fc.anything(),
      error: fc.anything(),
      comments: fc.anything(),
      modelUsage: fc.anything(),
      text: fc.anything(),
    },
    { requiredKeys: ['type'] },
  )
  .map((object) => JSON.stringify(object));
const anyLine = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.json(), jsonish);

describe('parseLine', () => {
  it.each(adapters.map((adapter) => [adapter.name, adapter] as const))('%s never throws and always returns entries', (_name, adapter) => {
    fc.assert(
      fc.property(anyLine, fc.constantFrom('stdout' as const, 'stderr' as const), (line, stream) => {
        const parsed = adapter.parseLine(line, stream);
        expect(Array.isArray(parsed.entries)).toBe(true);
        for (const entry of parsed.entries) expect(typeof entry.text).toBe('string');
      }),
      { numRuns: 500 },
    );
  });

  it.each(adapters.map((adapter) => [adapter.name, adapter] as const))('%s keeps a malformed JSON line as plain text', (_name, adapter) => {
    expect(adapter.parseLine('{"type": "result", "usage": {', 'stdout').entries).toEqual([
      { level: 'info', kind: 'text', text: '{"type": "result", "usage": {' },
    ]);
  });
});
