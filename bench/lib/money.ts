/*
 * Money without floats: prices are parsed from decimal strings into pico-dollars (10^-12 USD) as
 * bigint, quantities are exact fractions, and each line is rounded half up once, to the pico-dollar.
 * Reports show micro-dollars or cents, rounded half up from there.
 */

export const PICO_PER_USD = 10n ** 12n;
const PICO_PER_MICRO = 10n ** 6n;

/** A price as bench/prices.json states it: `usd` per `per` base units. */
export interface Price {
  /** Decimal string, e.g. "0.125"; at most 12 decimals. */
  readonly usd: string;
  /** How many base units the price is for (1000000 requests, 1073741824 bytes, 1024000 MB-ms). */
  readonly per: number;
  readonly unit: string;
  readonly source: string;
  readonly asOf: string;
  readonly note?: string;
}

/** An exact quantity: numerator / denominator base units (half read units are n / 2). */
export interface Quantity {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

export function whole(units: bigint | number): Quantity {
  return { numerator: BigInt(units), denominator: 1n };
}

export function fraction(numerator: bigint | number, denominator: bigint | number): Quantity {
  const den = BigInt(denominator);
  if (den <= 0n) throw new Error(`A quantity needs a positive denominator, got ${den}`);
  return { numerator: BigInt(numerator), denominator: den };
}

/** "0.0000133334" → 13333400n pico-dollars. Refuses anything that is not a plain non-negative decimal. */
export function parseUsd(text: string): bigint {
  const match = /^(\d+)(?:\.(\d{1,12}))?$/.exec(text);
  if (!match) throw new Error(`"${text}" is not a USD amount with at most 12 decimals`);
  const [, units = '0', decimals = ''] = match;
  return BigInt(units) * PICO_PER_USD + BigInt(decimals.padEnd(12, '0'));
}

/** a / b rounded half up, for non-negative a and positive b. */
export function divideRounded(a: bigint, b: bigint): bigint {
  if (a < 0n || b <= 0n) throw new Error(`divideRounded expects a >= 0 and b > 0, got ${a} / ${b}`);
  return (a * 2n + b) / (b * 2n);
}

/** What `quantity` costs at `price`, in pico-dollars (rounded half up once). */
export function costPico(quantity: Quantity, price: Price): bigint {
  if (!Number.isSafeInteger(price.per) || price.per <= 0) {
    throw new Error(`The price per ${price.unit} needs a positive whole "per", got ${price.per}`);
  }
  return divideRounded(quantity.numerator * parseUsd(price.usd), quantity.denominator * BigInt(price.per));
}

export function picoToMicro(pico: bigint): bigint {
  return divideRounded(pico, PICO_PER_MICRO);
}

/** Pico-dollars as a dollar amount with `decimals` places, rounded half up: 1234567n, 6 → "$0.000001". */
export function formatUsd(pico: bigint, decimals = 6): string {
  if (decimals < 0 || decimals > 12) throw new Error(`decimals must be 0..12, got ${decimals}`);
  const scaled = divideRounded(pico, 10n ** BigInt(12 - decimals));
  const text = scaled.toString().padStart(decimals + 1, '0');
  const units = text.slice(0, text.length - decimals);
  const cents = text.slice(text.length - decimals);
  return decimals === 0 ? `$${units}` : `$${units}.${cents}`;
}

/** Scales a quantity by a whole factor (1,000 lifecycles, 2,000 tickets a month). */
export function times(quantity: Quantity, factor: bigint | number): Quantity {
  return { numerator: quantity.numerator * BigInt(factor), denominator: quantity.denominator };
}
