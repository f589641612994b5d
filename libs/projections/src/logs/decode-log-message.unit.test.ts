import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { create, decodeJson, encodeJson, LogLineSchema, LogStream } from '@cohort/contracts';
import { decodeLogMessage } from './decode-log-message.js';

const utf8 = new TextEncoder();
const bytes = (text: string) => utf8.encode(text);

describe('decodeLogMessage', () => {
  it('decodes every line agent-runtime can write exactly as the strict decoder does', () => {
    fc.assert(
      fc.property(
        fc.record({
          taskId: fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/),
          runId: fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/),
          seq: fc.integer({ min: 1, max: 2 ** 32 - 1 }),
          stream: fc.constantFrom(LogStream.UNSPECIFIED, LogStream.STDOUT, LogStream.STDERR, LogStream.SYSTEM),
          text: fc.string({ unit: 'grapheme', maxLength: 200 }),
          at: fc.oneof(
            fc.constant(''),
            fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          ),
        }),
        (fields) => {
          const encoded = encodeJson(LogLineSchema, create(LogLineSchema, fields));
          expect(decodeLogMessage(encoded)).toEqual(decodeJson(LogLineSchema, encoded));
          expect(decodeLogMessage(encoded)).toEqual({ ok: true, value: create(LogLineSchema, fields) });
        },
      ),
    );
  });

  it.each([
    ['another valid spelling (seq as a string, stream as a number)', '{"taskId":"t","runId":"r","seq":"7","stream":2}'],
    ['a missing seq', '{"taskId":"t","runId":"r","text":"x"}'],
    ['an unknown field', '{"taskId":"t","runId":"r","seq":1,"colour":"red"}'],
    ['a fractional seq', '{"taskId":"t","runId":"r","seq":1.5}'],
    ['an unknown stream', '{"taskId":"t","runId":"r","seq":1,"stream":"LOG_STREAM_LOUD"}'],
    ['malformed JSON', '{"taskId":'],
    ['an array', '[1,2]'],
  ])('leaves %s to the strict decoder', (_name, text) => {
    expect(decodeLogMessage(bytes(text))).toEqual(decodeJson(LogLineSchema, bytes(text)));
  });
});
