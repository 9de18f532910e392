import { error, redirect } from '@sveltejs/kit';
import { currentUser } from '#lib/auth.ts';
import { loadConfig } from '#lib/config.ts';
import type { LayoutLoad } from './$types';

// A single-page app: the browser renders everything; the build ships one fallback page.
export const ssr = false;

// Reading `url.pathname` makes this run on every navigation, so an expired token sends the user
// back to the login page the next time they move, not only when the API refuses it.
export const load: LayoutLoad = async ({ fetch, url }) => {
  const config = await loadConfig(fetch).catch(() =>
    error(503, 'The app could not load its configuration. Please reload the page in a moment.'),
  );
  const user = currentUser();
  const onLogin = url.pathname === '/login';
  if (!user && !onLogin) {
    const next = url.pathname === '/' ? '' : `?next=${encodeURIComponent(url.pathname + url.search)}`;
    redirect(307, `/login${next}`);
  }
  if (user && onLogin) redirect(307, '/services');
  return { config, user };
};
