import { listNotifications } from './api.ts';
import { isItStaff, type User } from './auth.ts';
import type { Notification } from './domain.ts';

/** The most notifications the bell reads to count the unread ones (one page of the API). */
const COUNTED = 100;

/** The unread count the header's bell shows; null until read (or when it could not be read). */
export const unreadState = $state<{ count: number | null; more: boolean }>({ count: null, more: false });

let latest = 0;

/** Counts the unread notifications among the newest ones; a failure leaves the bell without a number. */
export async function refreshUnread(): Promise<void> {
  const request = ++latest;
  try {
    const page = await listNotifications({ limit: COUNTED });
    if (request !== latest) return;
    unreadState.count = page.items.filter((item) => item.readAt === null).length;
    unreadState.more = page.nextCursor !== null && unreadState.count === page.items.length;
  } catch {
    if (request !== latest) return;
    unreadState.count = null;
    unreadState.more = false;
  }
}

/** Forgets the count, e.g. on sign-out. */
export function forgetUnread(): void {
  latest++;
  unreadState.count = null;
  unreadState.more = false;
}

/**
 * Where a notification leads in the web app: staff work incidents in the service desk, requesters
 * follow them in the portal (the API's link is the portal's).
 */
export function notificationHref(notification: Notification, user: User | null): string {
  const id = encodeURIComponent(notification.incidentId);
  return isItStaff(user) ? `/desk/incidents/${id}` : `/portal/incidents/${id}`;
}
