/**
 * An encoded envelope's data as JSON text without its type URL, cut out of
 * the envelope's text: `…"data":{"@type":"…","a":1}}` holds `{"a":1}`. So the
 * data's JSON can be kept as written without encoding it again. Undefined
 * unless the layout is the one encodeEnvelope writes: the data last, its type
 * URL first, no whitespace around it.
 *
 * Only for an envelope whose keys are all known, at every level, and not
 * "data" below the top (decodeEnvelope's canonical path makes sure of it):
 * then `"data":{"@type":"<url>"` can only be the envelope's own data key,
 * since inside a string every quote is escaped.
 */
export function cutDataJson(text: string, typeUrl: string): string | undefined {
  if (!text.endsWith('}}')) return undefined;
  const key = dataKeyOf(typeUrl);
  const at = text.indexOf(key);
  if (at < 0) return undefined;
  const after = at + key.length;
  const end = text.length - 2;
  if (after === end) return '{}';
  if (text.charCodeAt(after) !== COMMA) return undefined;
  const members = text.slice(after + 1, end);
  // A second type URL (of a second data key, say, which JSON.parse would have taken) leaves the layout unknown.
  return members.includes('"@type"') ? undefined : `{${members}}`;
}

const COMMA = 0x2c;
const dataKeys = new Map<string, string>();

function dataKeyOf(typeUrl: string): string {
  let key = dataKeys.get(typeUrl);
  if (key === undefined) {
    key = `"data":{"@type":${JSON.stringify(typeUrl)}`;
    dataKeys.set(typeUrl, key);
  }
  return key;
}
