import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { manifests } from '#functions/manifests.ts';
import { buildStack, FIXTURE_WEB_BUILD } from './synth.ts';

/**
 * cdk-nag 3 is a policy-validation plugin (no longer an Aspect writing annotations): `app.synth()`
 * throws with the report when any finding is not acknowledged. The test registers the pack the way
 * app.ts does, synthesizes, and lists what was acknowledged so a reviewer sees every exception.
 */
function acknowledgedRules(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

describe.each([
  ['with a web build', FIXTURE_WEB_BUILD],
  ['without a web build', undefined],
])('AwsSolutions checks, %s', (_label, webBuildPath) => {
  it('synthesize with no unacknowledged error or warning', () => {
    const { app, stack } = buildStack({ manifests, stage: 'nag', webBuildPath });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
    // Throws with the full report on any violation.
    expect(() => app.synth()).not.toThrow();

    // The same pack run directly: errors fail, warnings are listed.
    const report = new AwsSolutionsChecks(undefined, { verbose: false }).validateScope(app);
    const errors = report.violations.filter((violation) => violation.severity === 'error');
    const warnings = report.violations.filter((violation) => violation.severity !== 'error');
    expect(errors.map((violation) => violation.ruleName)).toEqual([]);
    if (warnings.length > 0) {
      console.info(`cdk-nag warnings:\n${warnings.map((warning) => `  ${warning.ruleName}`).join('\n')}`);
    }

    const acknowledged = acknowledgedRules(stack);
    expect(acknowledged.every((rule) => rule.reason.length >= 40)).toBe(true);
    console.info(
      `cdk-nag acknowledgments (${acknowledged.length}):\n${acknowledged
        .map((rule) => `  ${rule.id} @ ${rule.path.replace(`${stack.stackName}/`, '')}`)
        .join('\n')}`,
    );
  });
});
