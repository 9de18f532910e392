import { redirect } from '@sveltejs/kit';
import { startPage } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent }) => {
  const { user } = await parent();
  redirect(307, startPage(user));
};
