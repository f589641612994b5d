/** Why a message on the wire could not be decoded. */
export type DecodeErrorCode = 'malformed_json' | 'unknown_field' | 'wrong_type' | 'missing_field' | 'unknown_event_type' | 'type_mismatch';

/** A decoding failure that names the offending field, safe to show and to dead-letter. */
export class DecodeError extends Error {
  constructor(
    readonly code: DecodeErrorCode,
    message: string,
    /** JSON path of the offending field, e.g. `data.title`, when there is one. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DecodeError';
  }
}

export type DecodeResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: DecodeError };
