import { describe, expect, it } from 'vitest';
import { ConfigError } from '@cohort/platform';
import { readGatewayConfig } from './config.js';

describe('readGatewayConfig', () => {
  it('defaults to 127.0.0.1:4000, localhost CORS and the documented limits', () => {
    const config = readGatewayConfig({});
    expect(config).toMatchObject({
      port: 4000,
      host: '127.0.0.1',
      adminToken: undefined,
      corsOrigins: 'localhost',
      commandTimeoutMs: 5000,
      atLeastTimeoutMs: 5000,
      logFlushIntervalMs: 16,
      limits: { maxDepth: 10, maxCost: 5000, listSize: 10, maxQueryLength: 50_000, maxBodyBytes: 1024 * 1024 },
    });
  });

  it('reads the port, origins and limits', () => {
    const config = readGatewayConfig({
      GATEWAY_PORT: '0',
      GATEWAY_CORS_ORIGINS: 'https://cohort.example.com, http://localhost:5173',
      GATEWAY_MAX_DEPTH: '6',
      GATEWAY_LOG_FLUSH_MS: '0',
      COHORT_ADMIN_TOKEN: 'a-long-enough-admin-token',
    });
    expect(config.logFlushIntervalMs).toBe(0);
    expect(config.port).toBe(0);
    expect(config.corsOrigins).toEqual(['https://cohort.example.com', 'http://localhost:5173']);
    expect(config.limits.maxDepth).toBe(6);
    expect(config.adminToken).toBe('a-long-enough-admin-token');
  });

  it('names every bad variable at once, without repeating the admin token', () => {
    try {
      readGatewayConfig({
        GATEWAY_PORT: 'http',
        GATEWAY_CORS_ORIGINS: 'cohort.example.com/app',
        COHORT_ADMIN_TOKEN: 'short',
        DATABASE_URL: 'nope',
        GATEWAY_LOG_FLUSH_MS: '5000',
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const text = (error as ConfigError).problems.join('\n');
      expect(text).toContain('GATEWAY_PORT="http"');
      expect(text).toContain('GATEWAY_CORS_ORIGINS has "cohort.example.com/app"');
      expect(text).toContain('COHORT_ADMIN_TOKEN is too weak');
      expect(text).toContain('DATABASE_URL is not a URL');
      expect(text).toContain('GATEWAY_LOG_FLUSH_MS');
      expect(text).not.toContain('short');
    }
  });
});
