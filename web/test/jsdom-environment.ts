import { JSDOM } from 'jsdom';
import { populateGlobal, type Environment } from 'vitest/runtime';

/**
 * jsdom for the component tests. jsdom is a dependency of the dashboard only, so
 * it is loaded from here rather than through Vitest's built-in environment, which
 * resolves it from the repository root.
 */
export default {
  name: 'dashboard-jsdom',
  viteEnvironment: 'client',
  setup(global: Record<string, unknown>) {
    const dom = new JSDOM('<!DOCTYPE html><html><body></body></html>', { pretendToBeVisual: true, url: 'http://localhost:3000/' });
    const { keys, originals } = populateGlobal(global, dom.window, { bindFunctions: true });
    return {
      teardown(g: Record<string, unknown>) {
        dom.window.close();
        for (const key of keys) delete g[key];
        for (const [key, descriptor] of originals) Object.defineProperty(g, key, descriptor);
      },
    };
  },
} satisfies Environment;
