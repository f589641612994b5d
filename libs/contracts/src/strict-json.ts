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
import { isScalarZeroValue, reflect, type ReflectMessage } from '@bufbuild/protobuf/reflect';
import { DecodeError, type DecodeResult } from './decode-error.js';
import { required } from './gen/cohort/v1/options_pb.js';

const decoder = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/** Proto3 canonical JSON of a message, as bytes. */
export function encodeJson<S extends DescMessage>(schema: S, message: MessageShape<S>, registry?: Registry): Uint8Array {
  return encoder.encode(encodeJsonText(schema, message, registry));
}

/** As encodeJson, as text (for a caller that wants a string, saving the trip through UTF-8). */
export function encodeJsonText<S extends DescMessage>(schema: S, message: MessageShape<S>, registry?: Registry): string {
  return JSON.stringify(toJson(schema, message, { registry }));
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
const IMPLICIT_PRESENCE = 2;
const requiredByField = new WeakMap<DescField, boolean>();

function isRequired(field: DescField): boolean {
  let value = requiredByField.get(field);
  if (value === undefined) requiredByField.set(field, (value = getOption(field, required)));
  return value;
}

/**
 * Whether a message built by `fromJson` lacks a required field, as
 * `findMissingRequired` would find, without reflection: the fields to look at
 * are worked out once per message type. Undefined when the type has a shape
 * the plan does not cover (a oneof or a recursive type on the path to a
 * required field); callers then use `findMissingRequired`.
 */
export function lacksRequired(schema: DescMessage, message: object): boolean | undefined {
  const plan = planOf(schema, new Set());
  return plan === UNSUPPORTED ? undefined : lacks(plan, message as Record<string, unknown>);
}

interface FieldCheck {
  readonly field: DescField;
  readonly required: boolean;
  /** The nested message's checks, when it has required fields somewhere. */
  readonly nested: FieldCheck[] | undefined;
}

const UNSUPPORTED = 'unsupported';
const plans = new WeakMap<DescMessage, FieldCheck[] | typeof UNSUPPORTED>();

function planOf(schema: DescMessage, visiting: Set<DescMessage>): FieldCheck[] | typeof UNSUPPORTED {
  const known = plans.get(schema);
  if (known !== undefined) return known;
  if (visiting.has(schema)) return UNSUPPORTED;
  visiting.add(schema);
  let plan: FieldCheck[] | typeof UNSUPPORTED = [];
  for (const field of schema.fields) {
    const message =
      field.fieldKind === 'message' || (field.fieldKind === 'list' && field.listKind === 'message') ? field.message : undefined;
    const nested = message ? planOf(message, visiting) : undefined;
    if (nested === UNSUPPORTED) {
      plan = UNSUPPORTED;
      break;
    }
    const check = { field, required: isRequired(field), nested: nested && nested.length > 0 ? nested : undefined };
    if (!check.required && !check.nested) continue;
    if (field.oneof) {
      plan = UNSUPPORTED;
      break;
    }
    plan.push(check);
  }
  visiting.delete(schema);
  plans.set(schema, plan);
  return plan;
}

function lacks(plan: readonly FieldCheck[], message: Record<string, unknown>): boolean {
  for (const { field, required, nested } of plan) {
    const value = message[field.localName];
    if (!isSetValue(field, message, value)) {
      if (required) return true;
      continue;
    }
    if (!nested) continue;
    if (field.fieldKind === 'list') {
      for (const item of value as Record<string, unknown>[]) if (lacks(nested, item)) return true;
    } else if (lacks(nested, value as Record<string, unknown>)) {
      return true;
    }
  }
  return false;
}

/** protobuf-es's notion of a set field (reflect's isSet), for fields outside a oneof. */
function isSetValue(field: DescField, message: Record<string, unknown>, value: unknown): boolean {
  if (field.presence !== IMPLICIT_PRESENCE) return value !== undefined && Object.prototype.hasOwnProperty.call(message, field.localName);
  switch (field.fieldKind) {
    case 'list':
      return (value as unknown[]).length > 0;
    case 'map':
      return Object.keys(value as object).length > 0;
    case 'enum':
      return value !== field.enum.values[0]!.number;
    case 'scalar':
      return !isScalarZeroValue(field.scalar, value);
    default:
      return value !== undefined;
  }
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
