import { tick } from 'svelte';

/** Moves focus to the first field marked invalid, so keyboard and screen reader users land on it. */
export async function focusFirstInvalid(form: HTMLElement | undefined): Promise<void> {
  await tick();
  form?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
}

/** Moves focus to an alert or heading that has just appeared (it needs `tabindex="-1"`). */
export async function focusElement(element: () => HTMLElement | undefined): Promise<void> {
  await tick();
  element()?.focus();
}
