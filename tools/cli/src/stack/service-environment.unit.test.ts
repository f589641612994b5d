import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SERVICE_NAMES } from './service-catalog.js';
import { httpUrlOf, serviceEnvironment } from './service-environment.js';

const base = { NATS_URL: 'nats://x', DATABASE_URL: 'postgres://x', HEALTH_PORT: '9999', COHORT_ADMIN_TOKEN: 'inherited-secret-token' };

describe('serviceEnvironment', () => {
  it('gives each service its own health port and none to a service without one', () => {
    const healthPorts = { intake: 4101, projector: 4102 };
    expect(serviceEnvironment('intake', base, { healthPorts }).HEALTH_PORT).toBe('4101');
    expect(serviceEnvironment('projector', base, { healthPorts }).HEALTH_PORT).toBe('4102');
    expect(serviceEnvironment('scheduler', base, { healthPorts }).HEALTH_PORT).toBeUndefined();
  });

  it('hands the admin token to the gateway only', () => {
    const options = { adminToken: 'cohort_local-admin-token', gateway: { host: '127.0.0.1', port: 4000 } };
    expect(serviceEnvironment('gateway', base, options)).toMatchObject({
      COHORT_ADMIN_TOKEN: 'cohort_local-admin-token',
      GATEWAY_PORT: '4000',
      GATEWAY_HOST: '127.0.0.1',
    });
    for (const name of SERVICE_NAMES.filter((n) => n !== 'gateway')) {
      expect(serviceEnvironment(name, base, options).COHORT_ADMIN_TOKEN).toBeUndefined();
    }
  });

  it('points the dashboard at the gateway and at its own host and port', () => {
    const env = serviceEnvironment('web', base, { gateway: { host: '0.0.0.0', port: 4000 }, web: { host: '127.0.0.1', port: 3000 } });
    expect(env).toMatchObject({ HOST: '127.0.0.1', PORT: '3000', COHORT_GATEWAY_URL: 'http://127.0.0.1:4000/graphql' });
  });

  it('lets stacks without explicit ports pick free ones, so side-by-side stacks never collide', () => {
    expect(serviceEnvironment('gateway', base, {}).GATEWAY_PORT).toBe('0');
    const web = serviceEnvironment('web', base, {});
    expect(web.PORT).toBe('0');
    expect(web.COHORT_GATEWAY_URL).toBeUndefined();
  });

  it('never changes the shared settings (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SERVICE_NAMES), fc.integer({ min: 1, max: 65_535 }), (name, port) => {
        const env = serviceEnvironment(name, base, { healthPorts: { [name]: port }, gateway: { host: '127.0.0.1', port } });
        expect(env.NATS_URL).toBe(base.NATS_URL);
        expect(env.DATABASE_URL).toBe(base.DATABASE_URL);
      }),
    );
  });
});

describe('httpUrlOf', () => {
  it.each([
    [{ host: '127.0.0.1', port: 4000 }, '/graphql', 'http://127.0.0.1:4000/graphql'],
    [{ host: '0.0.0.0', port: 4000 }, '/graphql', 'http://127.0.0.1:4000/graphql'],
    [{ host: '::1', port: 3000 }, '/', 'http://[::1]:3000/'],
    [{ host: 'cohort.local', port: 3000 }, '', 'http://cohort.local:3000'],
  ])('reaches %o%s at %s', (endpoint, path, url) => {
    expect(httpUrlOf(endpoint, path)).toBe(url);
  });
});
