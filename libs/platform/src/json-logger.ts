import type { LoggerService, LogLevel } from '@nestjs/common';
import { type Redactor } from './redactor.js';

const LEVELS: readonly LogLevel[] = ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'];

/**
 * Structured logs: one JSON object per line on stdout (errors on stderr), with
 * the service name, so a log pipeline can index them. Every message passes the
 * redactor first.
 */
export class JsonLogger implements LoggerService {
  private minimum: number;

  constructor(
    private readonly service: string,
    private readonly options: { level?: LogLevel; redactor?: Redactor; write?: (line: string, isError: boolean) => void } = {},
  ) {
    this.minimum = LEVELS.indexOf(options.level ?? 'log');
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.emit('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.emit('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.emit('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.emit('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.emit('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.emit('fatal', message, rest);
  }
  setLogLevels(levels: LogLevel[]): void {
    this.minimum = Math.min(...levels.map((level) => LEVELS.indexOf(level)).filter((i) => i >= 0));
  }

  private emit(level: LogLevel, message: unknown, rest: unknown[]): void {
    if (LEVELS.indexOf(level) < this.minimum) return;
    // Nest passes the context last, and for errors the stack before it.
    const context = typeof rest.at(-1) === 'string' ? (rest.pop() as string) : undefined;
    const stack = level === 'error' && typeof rest[0] === 'string' ? (rest.shift() as string) : undefined;
    const redactor = this.options.redactor;
    const clean = (text: string) => (redactor ? redactor.redact(text) : text);
    const entry: Record<string, unknown> = {
      time: new Date().toISOString(),
      level,
      service: this.service,
      ...(context ? { context } : {}),
      msg: clean(message instanceof Error ? message.message : typeof message === 'string' ? message : JSON.stringify(message)),
      ...(stack ? { stack: clean(stack) } : {}),
    };
    const line = JSON.stringify(entry);
    const isError = level === 'error' || level === 'fatal';
    if (this.options.write) this.options.write(line, isError);
    else (isError ? process.stderr : process.stdout).write(`${line}\n`);
  }
}
