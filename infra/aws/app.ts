import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { manifests } from '#functions/manifests.ts';
import { ItsmStack, stageFromContext } from './itsm-stack.ts';

// Composition root: one stack per stage, environment-agnostic (no account/region, no lookups), so
// `cdk synth` runs offline and the same template deploys to any account.
const app = new App();
const stage = stageFromContext(app);
new ItsmStack(app, `Itsm-${stage}`, { stage, manifests });

// cdk-nag 3 runs as a policy-validation plugin: synthesis fails on any unacknowledged error.
// Acknowledgments live in nag-suppressions.ts.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
