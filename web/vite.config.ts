import adapter from '@sveltejs/adapter-node';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [
    sveltekit({
      // One build serves any deployment: the gateway URL is read at run time from /config.json.
      adapter: adapter({ out: 'build' }),
    }),
  ],
});
