import { JsonText, type Row } from '../project/rows.js';
import { COLUMNS } from './table-columns.js';

/**
 * A row as a line of `COPY … FROM STDIN` text: the columns in the given
 * order separated by tabs, NULL as `\N`, ending in a newline. Values are
 * written as the SQL types read them: JSON columns as JSON text, booleans as
 * t/f, numbers and times as their text.
 */
export function copyLine(row: Row, columns: Readonly<Record<string, string>>): string {
  const { names, json } = columnsOf(columns);
  let line = '';
  for (let c = 0; c < names.length; c++) {
    const value = row[names[c]!];
    line += (c > 0 ? '\t' : '') + (json[c] ? copyJson(value) : copyScalar(value));
  }
  return `${line}\n`;
}

/** The columns of a timeline line (timelineCopyLine), in order. */
export const TIMELINE_COPY_COLUMNS = Object.keys(COLUMNS.task_timeline);

/** One timeline row as a line of COPY text for `task_timeline`: copyLine, spelled out, as it runs once per event. */
export function timelineCopyLine(row: Row): string {
  return (
    `${copyScalar(row.position)}\t${copyScalar(row.aggregate_type)}\t${copyScalar(row.aggregate_id)}\t${copyScalar(row.event_id)}\t` +
    `${copyScalar(row.type)}\t${copyScalar(row.version)}\t${copyScalar(row.occurred_at)}\t${copyScalar(row.run_id)}\t` +
    `${copyScalar(row.summary)}\t${copyJson(row.data)}\n`
  );
}

const compiled = new WeakMap<object, { readonly names: string[]; readonly json: boolean[] }>();

function columnsOf(columns: Readonly<Record<string, string>>): { readonly names: string[]; readonly json: boolean[] } {
  let known = compiled.get(columns);
  if (known === undefined) {
    const names = Object.keys(columns);
    known = { names, json: names.map((n) => columns[n] === 'json') };
    compiled.set(columns, known);
  }
  return known;
}

/** A scalar column's value as COPY text. */
export function copyScalar(value: unknown): string {
  switch (typeof value) {
    case 'string':
      // Postgres text cannot hold NUL, so it is dropped.
      return escape(value.includes('\u0000') ? value.replaceAll('\u0000', '') : value);
    case 'number':
    case 'bigint':
      return String(value);
    case 'boolean':
      return value ? 't' : 'f';
    case 'undefined':
      return NULL;
    default:
      return value === null ? NULL : escape(String(value));
  }
}

/**
 * A JSON column's value as COPY text. Every JSON column is NOT NULL, so a
 * missing value is the JSON null (an event whose bytes were not JSON at all
 * still gets its timeline row).
 */
export function copyJson(value: unknown): string {
  const text = value === undefined || value === null ? 'null' : value instanceof JsonText ? value.text : JSON.stringify(value);
  // Postgres cannot make text of the NUL escape, so it is dropped (an escaped backslash before "u0000" is not one).
  return escape(text.includes('\\u0000') ? text.replace(NUL_ESCAPE, '$1') : text);
}

const NULL = '\\N';
const NUL_ESCAPE = /(?<!\\)((?:\\\\)*)\\u0000/g;
const SPECIAL = /[\\\n\r\t]/;
const SPECIALS = /[\\\n\r\t]/g;
const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** COPY's text format gives backslash, newline, carriage return and tab a meaning; each is escaped. */
function escape(text: string): string {
  return SPECIAL.test(text) ? text.replace(SPECIALS, (c) => ESCAPES[c]!) : text;
}
