/**
 * Masks known secret values wherever they appear in text bound for logs, log
 * lines or error messages. Values shorter than 4 characters are not masked:
 * they would mangle ordinary text and are not secrets worth the name.
 */
export class Redactor {
  private readonly values = new Set<string>();
  private pattern: RegExp | undefined;

  static readonly MASK = '[redacted]';

  add(...secrets: string[]): this {
    for (const secret of secrets) if (secret.length >= 4) this.values.add(secret);
    this.pattern = undefined;
    return this;
  }

  remove(...secrets: string[]): this {
    for (const secret of secrets) this.values.delete(secret);
    this.pattern = undefined;
    return this;
  }

  redact(text: string): string {
    if (this.values.size === 0) return text;
    this.pattern ??= new RegExp(
      [...this.values]
        // Longest first, so a secret containing another is masked whole.
        .sort((a, b) => b.length - a.length)
        .map((value) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('|'),
      'g',
    );
    return text.replace(this.pattern, Redactor.MASK);
  }
}
