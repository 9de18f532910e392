import { error, redirect } from '@sveltejs/kit';
import { ApiError } from '#lib/api.ts';
import { currentUser, isTenantMember, signOut, startPage } from '#lib/auth.ts';
import { loadConfig } from '#lib/config.ts';
import { ensureTenant, forgetTenant } from '#lib/tenant.svelte.ts';
import type { LayoutLoad } from './$types';

// A single-page app: the browser renders everything; the build ships one fallback page.
export const ssr = false;

/** Sign-in pages: they redirect a signed-in user to the start page. */
function isSignInPath(pathname: string): boolean {
  return pathname === '/login' || /^\/t\/[^/]+\/login\/?$/.test(pathname);
}

/** Pages anyone may open; accepting an invitation works whoever is signed in on this tab. */
function isPublicPath(pathname: string): boolean {
  return isSignInPath(pathname) || pathname === '/accept-invitation';
}

// Reading `url.pathname` makes this run on every navigation, so an expired token sends the user
// back to the login page the next time they move, not only when the API refuses it.
export const load: LayoutLoad = async ({ fetch, url }) => {
  const config = await loadConfig(fetch).catch(() =>
    error(503, 'The app could not load its configuration. Please reload the page in a moment.'),
  );
  const user = currentUser();
  const publicPage = isPublicPath(url.pathname);
  if (!user) {
    forgetTenant();
    if (!publicPage) {
      const next = url.pathname === '/' ? '' : `?next=${encodeURIComponent(url.pathname + url.search)}`;
      redirect(307, `/login${next}`);
    }
    return { config, user };
  }
  if (isSignInPath(url.pathname)) redirect(307, startPage(user));

  // Branding, time zone, and whether the organisation may use the app at all.
  if (isTenantMember(user)) {
    try {
      await ensureTenant(user);
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 401) {
        signOut();
        forgetTenant();
        redirect(307, `/login?reason=expired&next=${encodeURIComponent(url.pathname + url.search)}`);
      }
      throw failure;
    }
  } else {
    forgetTenant();
  }
  return { config, user };
};
