import { create as createMessage, createRegistry, fromJson, toJson } from '@bufbuild/protobuf';
import { anyPack, EmptySchema } from '@bufbuild/protobuf/wkt';
import { readCanonical } from './canonical-reader.js';
import { cutDataJson } from './cut-data-json.js';
import { DecodeError, type DecodeResult } from './decode-error.js';
import type { Envelope } from './envelope.js';
import { aggregateTypeOf, eventSchemas, isAggregateType, type EventType } from './event-types.js';
import { EventEnvelopeSchema } from './gen/cohort/v1/envelope_pb.js';
import { cohortRegistry } from './registry.js';
import { decodeJsonValue, describeJsonSyntaxError, encodeJson, lacksRequired } from './strict-json.js';
import type { DescMessage, JsonValue } from '@bufbuild/protobuf';

const utf8Encoder = new TextEncoder();

/**
 * Canonical JSON of an event envelope, the wire format of `cohort.evt.*`.
 *
 * Written out directly rather than through `anyPack`: packing serialises the
 * data to binary only for the JSON writer to parse it back, which was the
 * larger part of an append's CPU time. The output is the same canonical JSON
 * (a test holds it to the protobuf writer's).
 */
export function encodeEnvelope(envelope: Envelope): Uint8Array {
  const schema = eventSchemas[envelope.type];
  const json: Record<string, unknown> = {
    id: envelope.id,
    type: envelope.type,
    aggregateType: envelope.aggregateType,
    aggregateId: envelope.aggregateId,
  };
  // proto3 JSON leaves out fields at their default value.
  if (envelope.version !== 0) json.version = envelope.version;
  if (envelope.occurredAt) json.occurredAt = envelope.occurredAt;
  if (envelope.correlationId) json.correlationId = envelope.correlationId;
  if (envelope.causationId) json.causationId = envelope.causationId;
  if (envelope.traceparent) json.traceparent = envelope.traceparent;
  // The union's data is the message of its type; TS cannot follow the correlation.
  const data = toJson(schema, envelope.data as never) as Record<string, unknown>;
  json.data = { '@type': `type.googleapis.com/${schema.typeName}`, ...data };
  return utf8Encoder.encode(JSON.stringify(json));
}

/** The same bytes by way of protobuf's own writer; the reference the fast path is tested against. */
export function encodeEnvelopeCanonical(envelope: Envelope): Uint8Array {
  const schema = eventSchemas[envelope.type];
  const message = createMessage(EventEnvelopeSchema, {
    id: envelope.id,
    type: envelope.type,
    aggregateType: envelope.aggregateType,
    aggregateId: envelope.aggregateId,
    version: envelope.version,
    occurredAt: envelope.occurredAt,
    correlationId: envelope.correlationId,
    causationId: envelope.causationId,
    traceparent: envelope.traceparent,
    data: anyPack(schema, createMessage(schema, envelope.data as never)),
  });
  return encodeJson(EventEnvelopeSchema, message, cohortRegistry);
}

/**
 * Strictly decodes an event envelope: malformed JSON, unknown fields, wrong
 * types, missing required fields, unknown event types and a `type` that does
 * not match its data all give a DecodeError naming the problem.
 */
export function decodeEnvelope(input: Uint8Array | string): DecodeResult<Envelope> {
  const parsed = parseObject(input);
  if (!parsed.ok) return parsed;
  const canonical = decodeCanonical(parsed.value);
  return canonical ? { ok: true, value: canonical } : decodeParsed(parsed.value);
}

/** A decoded envelope and, when it holds its data as proto3 canonical JSON, that JSON (see cutDataJson). */
export type DecodedEnvelope = DecodeResult<Envelope> & { readonly dataJson?: string };

/**
 * decodeEnvelope, also giving the data's JSON as the input holds it when it
 * is canonical: the text JSON.stringify(toJson(data)) would give, at no cost
 * of encoding it again.
 */
export function decodeEnvelopeWithData(input: Uint8Array | string): DecodedEnvelope {
  const text = typeof input === 'string' ? input : textOf(input);
  // Not UTF-8: parsing the bytes fails, saying so as decodeEnvelope does.
  const parsed = parseObject(text ?? input);
  if (!parsed.ok) return parsed;
  let dataCanonical = false;
  const canonical = decodeCanonical(parsed.value, () => (dataCanonical = true));
  if (canonical === undefined) return decodeParsed(parsed.value);
  const dataJson = dataCanonical && text !== undefined ? cutDataJson(text, typeUrls.get(canonical.type)!) : undefined;
  return { ok: true, value: canonical, dataJson };
}

/** decodeEnvelope without the fast path for canonical envelopes; the reference that path is tested against. */
export function decodeEnvelopeStrict(input: Uint8Array | string): DecodeResult<Envelope> {
  const parsed = parseObject(input);
  return parsed.ok ? decodeParsed(parsed.value) : parsed;
}

const ENVELOPE_KEYS = new Set([
  'id',
  'type',
  'aggregateType',
  'aggregateId',
  'version',
  'occurredAt',
  'correlationId',
  'causationId',
  'traceparent',
  'data',
]);
const typeUrls = new Map(Object.keys(eventSchemas).map((type) => [type, `type.googleapis.com/cohort.v1.${type}`]));

/**
 * The envelope as encodeEnvelope writes it, decoded with one protobuf pass
 * over its data; undefined for anything else (including anything the strict
 * decoder would refuse), which then goes through the strict decoder. Every
 * check the strict decoder makes is made here too, only more narrowly:
 * canonical field names and JSON types, the data's canonical type URL.
 */
function decodeCanonical(json: Record<string, unknown>, dataReadCanonically?: () => void): Envelope | undefined {
  const { id, type, aggregateType, aggregateId, version, occurredAt, correlationId, causationId, traceparent, data } = json;
  if (typeof id !== 'string' || id === '' || typeof type !== 'string' || typeof aggregateType !== 'string') return undefined;
  if (typeof aggregateId !== 'string' || aggregateId === '' || typeof occurredAt !== 'string' || occurredAt === '') return undefined;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1 || version > 0xffffffff) return undefined;
  if (!optionalString(correlationId) || !optionalString(causationId) || !optionalString(traceparent)) return undefined;
  let keys = 0;
  for (const key in json) if (++keys > ENVELOPE_KEYS.size || !ENVELOPE_KEYS.has(key)) return undefined;
  const typeUrl = typeUrls.get(type);
  if (typeUrl === undefined || aggregateTypeOf(type) !== aggregateType) return undefined;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined;
  if ((data as Record<string, unknown>)['@type'] !== typeUrl) return undefined;
  const schema = eventSchemas[type as EventType];
  let message: object | undefined = readCanonical(schema, data, '@type');
  if (message !== undefined) dataReadCanonically?.();
  else message = decodeFields(schema, data as Record<string, unknown>);
  if (message === undefined) return undefined;
  if (lacksRequired(schema, message) !== false) return undefined;
  return {
    id,
    type,
    aggregateType,
    aggregateId,
    version,
    occurredAt,
    correlationId: correlationId ?? '',
    causationId: causationId ?? '',
    traceparent: traceparent ?? '',
    data: message,
  } as Envelope;
}

/** The data's fields by protobuf's general JSON reader; undefined where the strict decoder might say more. */
function decodeFields(schema: DescMessage, data: Record<string, unknown>): object | undefined {
  const fields: Record<string, unknown> = {};
  for (const key in data) {
    if (key === '__proto__') return undefined;
    if (key !== '@type') fields[key] = data[key];
  }
  try {
    return fromJson(schema, fields as JsonValue, { ignoreUnknownFields: false });
  } catch {
    return undefined;
  }
}

function optionalString(value: unknown): value is string | undefined {
  return value === undefined || typeof value === 'string';
}

function decodeParsed(json: Record<string, unknown>): DecodeResult<Envelope> {
  const { data: rawData, ...rest } = json;
  if (rawData === undefined || rawData === null) return fail('missing_field', 'required field "data" is missing', 'data');
  if (typeof rawData !== 'object' || Array.isArray(rawData)) return fail('wrong_type', '"data" must be a JSON object', 'data');
  const { '@type': typeUrl, ...dataFields } = rawData as Record<string, unknown>;
  if (typeof typeUrl !== 'string' || typeUrl === '') return fail('missing_field', 'required field "data.@type" is missing', 'data.@type');

  // The envelope and its data are decoded apart so errors inside data name their field.
  const decoded = decodeJsonValue(EventEnvelopeSchema, { ...rest, data: { '@type': EMPTY_TYPE_URL } } as JsonValue, placeholderRegistry);
  if (!decoded.ok) return decoded;
  const raw = decoded.value;
  const dataTypeName = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
  const shortName = dataTypeName.startsWith('cohort.v1.') ? dataTypeName.slice('cohort.v1.'.length) : dataTypeName;
  const aggregateOfData = aggregateTypeOf(shortName);
  if (!aggregateOfData || !dataTypeName.startsWith('cohort.v1.')) {
    return fail('unknown_event_type', `unknown event type "${dataTypeName}"`, 'data.@type');
  }
  if (raw.type !== shortName) {
    return fail('type_mismatch', `"type" is "${raw.type}" but "data" holds a ${shortName}`, 'type');
  }
  if (!isAggregateType(raw.aggregateType)) {
    return fail('wrong_type', `unknown aggregate type "${raw.aggregateType}": expected task, repo or secret`, 'aggregateType');
  }
  if (raw.aggregateType !== aggregateOfData) {
    return fail('type_mismatch', `${shortName} belongs to aggregate "${aggregateOfData}", not "${raw.aggregateType}"`, 'aggregateType');
  }
  const type = shortName as EventType;
  const data = decodeJsonValue(eventSchemas[type], dataFields as JsonValue);
  if (!data.ok) {
    const { error } = data;
    return fail(error.code, `data: ${error.message}`, error.field === undefined ? 'data' : `data.${error.field}`);
  }
  const envelope = {
    id: raw.id,
    type,
    aggregateType: raw.aggregateType,
    aggregateId: raw.aggregateId,
    version: raw.version,
    occurredAt: raw.occurredAt,
    correlationId: raw.correlationId,
    causationId: raw.causationId,
    traceparent: raw.traceparent,
    data: data.value,
  } as Envelope;
  return { ok: true, value: envelope };
}

const EMPTY_TYPE_URL = 'type.googleapis.com/google.protobuf.Empty';
const placeholderRegistry = createRegistry(EmptySchema);
const utf8 = new TextDecoder('utf-8', { fatal: true });

function textOf(input: Uint8Array): string | undefined {
  try {
    return utf8.decode(input);
  } catch {
    return undefined;
  }
}

function parseObject(input: Uint8Array | string): DecodeResult<Record<string, unknown>> {
  let json: unknown;
  try {
    json = JSON.parse(typeof input === 'string' ? input : utf8.decode(input));
  } catch (error) {
    return fail('malformed_json', describeJsonSyntaxError(error as Error), undefined);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return fail('wrong_type', 'expected a JSON object for an event envelope', undefined);
  }
  return { ok: true, value: json as Record<string, unknown> };
}

function fail<T>(code: DecodeError['code'], message: string, field: string | undefined): DecodeResult<T> {
  return { ok: false, error: new DecodeError(code, message, field) };
}
