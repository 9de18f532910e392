import { costPico, fraction, type Price, type Quantity } from './money.ts';

/*
 * What measured usage costs at list prices. Usage is measured over `per` units of work (lifecycles,
 * monitor moments, page views) and priced for `times` units, as exact fractions, so neither the
 * averaging nor the money ever goes through a float.
 */

export interface Prices {
  readonly currency: string;
  readonly region: string;
  readonly note: string;
  readonly prices: Readonly<Record<string, Price>>;
}

/** Counted usage (invocations, durations, events, mails, log bytes) over `per` units of work. */
export interface CountedUsage {
  readonly apiRequests: number;
  readonly invocations: number;
  /** Σ of invocation durations, each rounded up to the millisecond as Lambda bills them. */
  readonly billedMs: number;
  readonly eventsPut: number;
  readonly mails: number;
  /** What the functions logged (the platform's own START/END/REPORT lines are added per invocation). */
  readonly logBytes: number;
  readonly per: number;
}

/** Sized usage (capacity units of table and indexes) over `per` units of work. */
export interface SizedUsage {
  readonly readHalfUnits: number;
  readonly writeUnits: number;
  readonly indexWriteUnits: number;
  readonly per: number;
}

export interface Work {
  readonly name: string;
  readonly counted: CountedUsage;
  readonly sized: SizedUsage;
  /** How many units of this work the estimate is for. */
  readonly times: bigint;
}

export interface CostModel {
  /** Memory of every function (infra/aws/constructs/process-function.ts). */
  readonly memoryMb: number;
  /** Bytes of Lambda's own START, END, REPORT (and X-Ray) lines per invocation. */
  readonly platformLogBytesPerInvocation: number;
}

export const COST_ITEMS = [
  'DynamoDB reads',
  'DynamoDB writes (table and indexes)',
  'Lambda requests',
  'Lambda duration',
  'API Gateway requests',
  'EventBridge events',
  'SES mails',
  'CloudWatch Logs',
] as const;
export type CostItem = (typeof COST_ITEMS)[number];

export interface CostLine {
  readonly item: CostItem;
  readonly quantity: Quantity;
  readonly price: string;
  readonly pico: bigint;
}

function price(prices: Prices, name: string): Price {
  const found = prices.prices[name];
  if (!found) throw new Error(`bench/prices.json has no price "${name}"`);
  return found;
}

function checkWhole(name: string, value: number): bigint {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new Error(`${name} must be a whole number, got ${value}`);
  return BigInt(value);
}

/** The cost lines of `work.times` units of one kind of work. */
export function costOfWork(work: Work, model: CostModel, prices: Prices): CostLine[] {
  const { counted, sized, times } = work;
  const countedPer = checkWhole('counted.per', counted.per);
  const sizedPer = checkWhole('sized.per', sized.per);
  if (countedPer === 0n || sizedPer === 0n) throw new Error(`${work.name}: usage measured over zero units`);
  const perCounted = (value: bigint, extraDenominator = 1n) =>
    fraction(value * times, countedPer * extraDenominator);
  const invocations = checkWhole('invocations', counted.invocations);
  const logBytes =
    checkWhole('logBytes', counted.logBytes) +
    invocations * checkWhole('platformLogBytesPerInvocation', model.platformLogBytesPerInvocation);
  const lines: [CostItem, Quantity, string][] = [
    [
      'DynamoDB reads',
      fraction(checkWhole('readHalfUnits', sized.readHalfUnits) * times, sizedPer * 2n),
      'dynamodbReadRequestUnit',
    ],
    [
      'DynamoDB writes (table and indexes)',
      fraction(
        (checkWhole('writeUnits', sized.writeUnits) + checkWhole('indexWriteUnits', sized.indexWriteUnits)) *
          times,
        sizedPer,
      ),
      'dynamodbWriteRequestUnit',
    ],
    ['Lambda requests', perCounted(invocations), 'lambdaRequest'],
    [
      'Lambda duration',
      perCounted(checkWhole('billedMs', counted.billedMs) * checkWhole('memoryMb', model.memoryMb)),
      'lambdaArmDuration',
    ],
    [
      'API Gateway requests',
      perCounted(checkWhole('apiRequests', counted.apiRequests)),
      'apiGatewayHttpRequest',
    ],
    ['EventBridge events', perCounted(checkWhole('eventsPut', counted.eventsPut)), 'eventBridgeCustomEvent'],
    ['SES mails', perCounted(checkWhole('mails', counted.mails)), 'sesEmail'],
    ['CloudWatch Logs', perCounted(logBytes), 'cloudWatchLogsIngestion'],
  ];
  return lines.map(([item, quantity, priceName]) => ({
    item,
    quantity,
    price: priceName,
    pico: costPico(quantity, price(prices, priceName)),
  }));
}

/** Lines of several works added up by item, in the order of {@link COST_ITEMS}. */
export function sumLines(lines: readonly CostLine[]): { item: CostItem; pico: bigint }[] {
  return COST_ITEMS.map((item) => ({
    item,
    pico: lines.filter((line) => line.item === item).reduce((sum, line) => sum + line.pico, 0n),
  }));
}

export function totalPico(lines: readonly { pico: bigint }[]): bigint {
  return lines.reduce((sum, line) => sum + line.pico, 0n);
}

/** A quantity as a decimal with up to `decimals` places (for showing units, never for money). */
export function quantityText(quantity: Quantity, decimals = 1): string {
  const scale = 10n ** BigInt(decimals);
  const scaled = (quantity.numerator * scale * 2n + quantity.denominator) / (quantity.denominator * 2n);
  const whole = scaled / scale;
  const rest = (scaled % scale).toString().padStart(decimals, '0').replace(/0+$/, '');
  return rest === '' ? whole.toLocaleString('en-US') : `${whole.toLocaleString('en-US')}.${rest}`;
}
