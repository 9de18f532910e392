import type { EventPattern as CdkEventPattern } from 'aws-cdk-lib/aws-events';
import type { EventPattern } from '#shared/platform/event-pattern.ts';

/**
 * EventBridge envelope fields as a raw pattern names them, mapped to the camelCase keys of CDK's
 * `EventPattern`. CDK renders `detailType` back to `detail-type` and passes every other key unchanged,
 * so the rule in the template carries exactly the manifest's pattern.
 */
const ENVELOPE_FIELDS: Readonly<Record<string, keyof CdkEventPattern>> = {
  version: 'version',
  id: 'id',
  'detail-type': 'detailType',
  source: 'source',
  account: 'account',
  time: 'time',
  region: 'region',
  resources: 'resources',
  detail: 'detail',
};

/**
 * Turns a manifest's raw EventBridge pattern into CDK's `EventPattern`. Fails at synth time on a field
 * EventBridge would reject at deploy time (an unknown envelope field, a bare value where a list of
 * matchers belongs), so a typo in a manifest never reaches CloudFormation.
 */
export function toCdkEventPattern(pattern: EventPattern): CdkEventPattern {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(pattern)) {
    const key = ENVELOPE_FIELDS[field];
    if (key === undefined) {
      throw new Error(`Event pattern field "${field}" is not an EventBridge envelope field`);
    }
    if (key === 'detail') {
      if (Array.isArray(value)) throw new Error('Event pattern field "detail" must be an object');
    } else if (!Array.isArray(value)) {
      throw new Error(`Event pattern field "${field}" must be a list of matchers`);
    }
    out[key] = value;
  }
  if (Object.keys(out).length === 0) throw new Error('Event pattern is empty');
  // CDK types envelope fields as string[], but EventBridge (and CDK's renderer) accept any matcher,
  // e.g. `{ prefix: 'itsm.' }`; the values are passed through untouched.
  return out as CdkEventPattern;
}
