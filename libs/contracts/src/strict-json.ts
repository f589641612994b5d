import {
  create,
  fromJson,
  getOption,
  toJson,
  type DescField,
  type DescMessage,
  type JsonValue,
  type MessageShape,
  type Registry,
} from '@bufbuild/protobuf';
import { reflect, type ReflectMessage } from '@bufbuild/protobuf/reflect';
import { DecodeError, type DecodeResult } from './decode-error.js';
import { required } from './gen/cohort/v1/options_pb.js';

const decoder = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/** Proto3 canonical JSON of a message, as bytes. */
export function encodeJson<S extends DescMessage>(schema: S, message: MessageShape<S>, registry?: Registry): Uint8Array {
  return encoder.encode(JSON.stringify(toJson(schema, message, { registry })));
}

/**
 * Strict canonical-JSON decoding: unknown fields, wrong types and missing
 * required fields (`(cohort.v1.required) = true`) are errors naming the field.
 */
export function decodeJson<S extends DescMessage>(
  schema: S,
  input: Uint8Array | string,
  registry?: Registry,
): DecodeResult<MessageShape<S>> {
  let json: JsonValue;
  try {
    json = JSON.parse(typeof input === 'string' ? input : decoder.decode(input)) as JsonValue;
  } catch (error) {
    return fail('malformed_json', describeJsonSyntaxError(error as Error));
  }
  return decodeJsonValue(schema, json, registry);
}

/** As decodeJson, for JSON already parsed (saves a parse when a caller has split a document). */
export function decodeJsonValue<S extends DescMessage>(schema: S, json: JsonValue, registry?: Registry): DecodeResult<MessageShape<S>> {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return fail('wrong_type', `expected a JSON object for ${schema.typeName}, got ${describe(json)}`);
  }
  let message: MessageShape<S>;
  try {
    message = fromJson(schema, json, { registry, ignoreUnknownFields: false });
  } catch (error) {
    return { ok: false, error: translateProtobufError((error as Error).message, json) };
  }
  const missing = findMissingRequired(reflect(schema, message), '');
  if (missing) return fail('missing_field', `required field "${missing}" is missing or empty`, missing);
  return { ok: true, value: message };
}

/** The first required field (JSON path) that is unset, walking nested messages. */
export function findMissingRequired(message: ReflectMessage, prefix: string): string | undefined {
  for (const field of message.fields) {
    const path = prefix + field.jsonName;
    if (isRequired(field) && !message.isSet(field)) return path;
    if (!message.isSet(field)) continue;
    if (field.fieldKind === 'message') {
      const nested = findMissingRequired(message.get(field), `${path}.`);
      if (nested) return nested;
    } else if (field.fieldKind === 'list' && field.listKind === 'message') {
      let index = 0;
      for (const item of message.get(field)) {
        const nested = findMissingRequired(item as ReflectMessage, `${path}[${index}].`);
        if (nested) return nested;
        index++;
      }
    }
  }
  return undefined;
}

// Reading an option decodes it from the descriptor's options bytes on every call, which
// made the check most of a decode's cost; a field's options never change.
const requiredByField = new WeakMap<DescField, boolean>();

function isRequired(field: DescField): boolean {
  let value = requiredByField.get(field);
  if (value === undefined) requiredByField.set(field, (value = getOption(field, required)));
  return value;
}

/** Makes a message from a plain init object, as `create` does (re-exported for one import site). */
export const createMessage = create;

function fail<T>(code: DecodeError['code'], message: string, field?: string): DecodeResult<T> {
  return { ok: false, error: new DecodeError(code, message, field) };
}

function describe(value: JsonValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

const UNKNOWN_KEY = /cannot decode message ([\w.]+) from JSON: key "([^"]+)" is unknown/;
const NOT_IN_REGISTRY = /cannot decode message google\.protobuf\.Any from JSON: (\S+) is not in the type registry/;
const BAD_FIELD = /cannot decode field ([\w.]+)\.(\w+) from JSON/;
const BAD_MESSAGE = /cannot decode message ([\w.]+) from JSON/;
const BAD_ENUM = /cannot decode enum ([\w.]+) from JSON: (.*)/s;

/** protobuf-es reports decoding problems as plain errors; turn them into typed ones. */
function translateProtobufError(text: string, json: JsonValue): DecodeError {
  let match = UNKNOWN_KEY.exec(text);
  if (match) return new DecodeError('unknown_field', `unknown field "${match[2]}" in ${match[1]}`, match[2]);
  match = NOT_IN_REGISTRY.exec(text);
  if (match) return new DecodeError('unknown_event_type', `unknown type ${match[1]}`, '@type');
  match = BAD_FIELD.exec(text);
  if (match)
    return new DecodeError('wrong_type', `field "${match[2]}" of ${match[1]} has a value of the wrong type or out of range`, match[2]);
  match = BAD_ENUM.exec(text);
  if (match) {
    // protobuf-es names the enum but not the field; find the field holding the bad value.
    const field = findPathOfValue(json, JSON.parse(match[2]!) as JsonValue, '');
    return new DecodeError('wrong_type', `${field ?? 'a field'} has a value that is not a ${match[1]}`, field);
  }
  match = BAD_MESSAGE.exec(text);
  if (match) return new DecodeError('wrong_type', `${match[1]} has a value of the wrong type`);
  return new DecodeError('wrong_type', 'the message does not match its schema');
}

/**
 * Names where the JSON broke without quoting it: the input may hold a secret
 * (a SetSecret value), and error messages travel back to callers and into logs.
 */
export function describeJsonSyntaxError(error: Error): string {
  const position = /position (\d+)/.exec(error.message);
  return position ? `not valid JSON (syntax error at position ${position[1]})` : 'not valid JSON';
}

function findPathOfValue(json: JsonValue, wanted: JsonValue, prefix: string): string | undefined {
  if (json === null || typeof json !== 'object') return undefined;
  for (const [key, value] of Object.entries(json)) {
    const path = Array.isArray(json) ? `${prefix.slice(0, -1)}[${key}].` : `${prefix}${key}.`;
    if (value === wanted) return path.slice(0, -1);
    const nested = findPathOfValue(value, wanted, path);
    if (nested) return nested;
  }
  return undefined;
}
