import { describe, expect, it } from 'vitest';
import { DEFAULT_GATEWAY_URL, readDashboardConfig } from './config.js';

describe('readDashboardConfig', () => {
  it('defaults the gateway to the local one', () => {
    expect(readDashboardConfig({}).gatewayUrl).toBe(DEFAULT_GATEWAY_URL);
    expect(readDashboardConfig({ COHORT_GATEWAY_URL: '  ' }).gatewayUrl).toBe(DEFAULT_GATEWAY_URL);
  });

  it('takes an http(s) URL', () => {
    expect(readDashboardConfig({ COHORT_GATEWAY_URL: 'https://api.example/graphql' }).gatewayUrl).toBe('https://api.example/graphql');
  });

  it.each(['not a url', 'ftp://x/graphql'])('rejects %s naming the variable', (value) => {
    expect(() => readDashboardConfig({ COHORT_GATEWAY_URL: value })).toThrow(/COHORT_GATEWAY_URL/);
  });
});
