import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CopyInCollector, copyInResponse, withoutFirstCopyInResponse } from './copy-in-collector.js';

function message(type: string, body: string | Uint8Array = ''): Uint8Array {
  const payload = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body);
  const header = Buffer.alloc(5);
  header.write(type, 0);
  header.writeInt32BE(payload.length + 4, 1);
  return Buffer.concat([header, payload]);
}
const query = (sql: string) => message('Q', `${sql}\0`);

describe('CopyInCollector', () => {
  it.each([
    ['select 1', 0],
    ['COPY t FROM STDIN', 1],
    ['begin; copy "s".t (a, b) from stdin; update x set y = 1', 1],
    ['COPY a FROM STDIN;\nCOPY b (c) FROM\n  STDIN; COMMIT', 2],
    ['COPY t TO STDOUT', 0],
    ["COPY t FROM '/tmp/file'", 0],
  ])('holds back %j until its %i COPY statements are done', (sql, copies) => {
    const collector = new CopyInCollector();
    expect(collector.start(query(sql))).toBe(copies > 0);
    for (let i = 0; i < copies; i++) {
      expect(collector.collecting).toBe(true);
      expect(collector.add(message('d', `row ${i}\n`))).toBeUndefined();
      const done = collector.add(message('c'));
      if (i < copies - 1) expect(done).toBeUndefined();
      else expect(done).toBeDefined();
    }
    expect(collector.collecting).toBe(false);
  });

  it('hands over the query and every message behind it, in order, as one sequence', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 4 }), { minLength: 1, maxLength: 4 }), (copies) => {
        const collector = new CopyInCollector();
        const sql = query(copies.map((_, i) => `COPY t${i} FROM STDIN`).join('; '));
        expect(collector.start(sql)).toBe(true);
        const sent: Uint8Array[] = [sql];
        let sequence: Uint8Array | undefined;
        copies.forEach((rows, i) => {
          for (const row of rows) {
            const data = message('d', row);
            sent.push(data);
            expect(collector.add(data)).toBeUndefined();
          }
          // The last COPY fails instead of finishing now and then: it ends the sequence just the same.
          const end = message(
            i === copies.length - 1 && rows.length % 2 === 1 ? 'f' : 'c',
            i === copies.length - 1 && rows.length % 2 === 1 ? 'stop\0' : '',
          );
          sent.push(end);
          sequence = collector.add(end);
        });
        expect(Buffer.from(sequence!)).toEqual(Buffer.concat(sent));
      }),
    );
  });

  it('forgets a sequence on reset', () => {
    const collector = new CopyInCollector();
    collector.start(query('COPY t FROM STDIN'));
    collector.reset();
    expect(collector.collecting).toBe(false);
    expect(collector.start(query('select 1'))).toBe(false);
  });
});

describe('withoutFirstCopyInResponse', () => {
  it('drops only the first CopyInResponse and keeps every other message whole', () => {
    const tag = (text: string) => message('C', `${text}\0`);
    fc.assert(
      fc.property(fc.array(fc.constantFrom('G', 'C', 'Z'), { maxLength: 12 }), (types) => {
        const messages = types.map((t, i) => (t === 'G' ? copyInResponse() : t === 'C' ? tag(`COPY ${i}`) : message('Z', 'I')));
        const first = types.indexOf('G');
        const expected = first === -1 ? messages : messages.filter((_, i) => i !== first);
        expect(Buffer.from(withoutFirstCopyInResponse(Buffer.concat(messages)))).toEqual(Buffer.concat(expected));
      }),
    );
  });
});
