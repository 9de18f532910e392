import adapter from '@sveltejs/adapter-static';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [
    sveltekit({
      // A single-page app: every unknown path falls back to index.html and the router takes over,
      // so the local cloud and CloudFront only need to serve static files.
      adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html' }),
      compilerOptions: { runes: true },
    }),
  ],
});
