/**
 * Reads a service's settings from the environment, collecting every problem
 * so that one start-up failure names all the variables at fault.
 */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export class EnvReader {
  private readonly problems: string[] = [];

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  string(name: string, fallback: string): string {
    const raw = this.env[name];
    return raw === undefined || raw === '' ? fallback : raw;
  }

  /** A value with no default: missing is a problem. */
  required(name: string, hint: string): string {
    const raw = this.env[name];
    if (raw === undefined || raw === '') {
      this.problems.push(`${name} is not set: ${hint}`);
      return '';
    }
    return raw;
  }

  integer(name: string, fallback: number, range: { min?: number; max?: number } = {}): number {
    const raw = this.env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = range;
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problems.push(`${name}=${JSON.stringify(raw)} is not a whole number from ${min} to ${max}`);
      return fallback;
    }
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const raw = this.env[name];
    if (raw === undefined || raw === '') return fallback;
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    this.problems.push(`${name}=${JSON.stringify(raw)} is not a boolean: use true or false`);
    return fallback;
  }

  /** A port: unset, empty or "off" gives undefined (nothing listens); 0 asks for a free port. */
  optionalPort(name: string): number | undefined {
    const raw = this.env[name];
    if (raw === undefined || raw === '' || raw === 'off') return undefined;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0 || value > 65_535) {
      this.problems.push(`${name}=${JSON.stringify(raw)} is not a port: use 1-65535, 0 for a free port, or off`);
      return undefined;
    }
    return value;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.env[name];
    if (raw === undefined || raw === '') return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    this.problems.push(`${name}=${JSON.stringify(raw)} is not one of ${allowed.join(', ')}`);
    return fallback;
  }

  /** Adds a problem found by the caller's own validation. */
  problem(message: string): void {
    this.problems.push(message);
  }

  /** Throws a ConfigError naming every problem found so far. */
  done(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }
}
