/** Lists for the time zone, locale and currency pickers, from the browser's own Intl data. */

let zones: string[] | undefined;

/** Every IANA time zone the browser knows, UTC first. */
export function timeZones(): string[] {
  zones ??= ['UTC', ...Intl.supportedValuesOf('timeZone').filter((zone) => zone !== 'UTC')];
  return zones;
}

let currencyList: { code: string; label: string }[] | undefined;

/** ISO 4217 codes with their English names, e.g. "EUR — Euro". */
export function currencies(): { code: string; label: string }[] {
  if (!currencyList) {
    const names = new Intl.DisplayNames(['en'], { type: 'currency' });
    currencyList = Intl.supportedValuesOf('currency').map((code) => ({
      code,
      label: `${code} — ${names.of(code) ?? code}`,
    }));
  }
  return currencyList;
}

/** A few common locales to suggest; any valid BCP 47 tag is accepted. */
export const COMMON_LOCALES = [
  'en-GB',
  'en-US',
  'de-DE',
  'de-CH',
  'fr-FR',
  'nl-NL',
  'es-ES',
  'it-IT',
  'pt-BR',
  'pl-PL',
  'sv-SE',
  'ja-JP',
];
