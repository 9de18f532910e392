import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { manifests } from '#functions/manifests.ts';
import { SPA_REWRITE_FUNCTION_CODE } from '#infra/aws/constructs/web-hosting.ts';
import { buildStack, FIXTURE_WEB_BUILD, resourcesOfType } from './synth.ts';

const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

/** Runs the CloudFront Function's code the way CloudFront calls it. */
function rewrite(uri: string): string {
  const handler = new Function(`${SPA_REWRITE_FUNCTION_CODE}; return handler;`)() as (event: {
    request: { uri: string };
  }) => { uri: string };
  return handler({ request: { uri } }).uri;
}

describe('SPA rewrite function', () => {
  it('serves index.html for client-side routes', () => {
    expect(rewrite('/')).toBe('/index.html');
    expect(rewrite('/services')).toBe('/index.html');
    expect(rewrite('/services/svc-1/')).toBe('/index.html');
  });

  it('leaves files alone', () => {
    expect(rewrite('/index.html')).toBe('/index.html');
    expect(rewrite('/config.json')).toBe('/config.json');
    expect(rewrite('/_app/immutable/entry/start.B1x2.js')).toBe('/_app/immutable/entry/start.B1x2.js');
  });
});

describe('web hosting', () => {
  const { app, stack } = buildStack({ manifests, stage: 'web', webBuildPath: FIXTURE_WEB_BUILD });
  const template = Template.fromStack(stack);

  it('keeps the site bucket private, TLS-only and logged', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: { DestinationBucketName: stack.resolve(stack.web.logBucket.bucketName) },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: stack.resolve(stack.web.bucket.bucketName),
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('serves the SPA through OAC with a rewrite function and /api/* uncached from the HTTP API', () => {
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    const distribution = Object.values(resourcesOfType(template, 'AWS::CloudFront::Distribution'))[0];
    const config = distribution?.Properties.DistributionConfig as Record<string, unknown>;
    expect(config.DefaultRootObject).toBe('index.html');
    // No distribution-wide 403/404 → index.html: API errors must stay API errors.
    expect(config.CustomErrorResponses).toBeUndefined();
    expect(config.Logging).toMatchObject({
      Bucket: stack.resolve(stack.web.logBucket.bucketRegionalDomainName),
      Prefix: 'cloudfront/',
    });
    const defaultBehavior = config.DefaultCacheBehavior as Record<string, unknown>;
    expect(defaultBehavior.FunctionAssociations).toEqual([
      { EventType: 'viewer-request', FunctionARN: expect.anything() },
    ]);
    const [api] = config.CacheBehaviors as Record<string, unknown>[];
    expect(api).toMatchObject({
      PathPattern: '/api/*',
      CachePolicyId: CACHING_DISABLED,
      OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
      ViewerProtocolPolicy: 'https-only',
    });
    expect(api?.FunctionAssociations).toBeUndefined();
    const origins = config.Origins as { Id: string; DomainName: unknown; CustomOriginConfig?: unknown }[];
    const apiOrigin = origins.find((origin) => origin.Id === api?.TargetOriginId);
    expect(apiOrigin?.DomainName).toEqual({
      'Fn::Join': [
        '',
        [
          stack.resolve(stack.httpApi.api.apiId),
          '.execute-api.',
          { Ref: 'AWS::Region' },
          '.',
          { Ref: 'AWS::URLSuffix' },
        ],
      ],
    });
    expect(apiOrigin?.CustomOriginConfig).toMatchObject({
      OriginProtocolPolicy: 'https-only',
      OriginSSLProtocols: ['TLSv1.2'],
    });
  });

  it('deploys the build with a config.json for the Cognito mode', () => {
    template.resourceCountIs('Custom::CDKBucketDeployment', 1);
    const deployment = Object.values(resourcesOfType(template, 'Custom::CDKBucketDeployment'))[0];
    const properties = deployment?.Properties as {
      SourceObjectKeys: string[];
      SourceMarkers: Record<string, unknown>[];
    };
    // The second source is the generated config.json; deploy-time values travel as markers.
    const configAsset = path.join(
      app.outdir,
      `asset.${properties.SourceObjectKeys[1]?.replace(/\.zip$/, '')}`,
    );
    const config = JSON.parse(readFileSync(path.join(configAsset, 'config.json'), 'utf8')) as Record<
      string,
      string
    >;
    const markers = properties.SourceMarkers[1] ?? {};
    const resolved = Object.fromEntries(
      Object.entries(config).map(([key, value]) => [key, value in markers ? markers[value] : value]),
    );
    expect(resolved).toEqual({
      mode: 'cognito',
      region: { Ref: 'AWS::Region' },
      userPoolId: stack.resolve(stack.identity.userPool.userPoolId),
      clientId: stack.resolve(stack.identity.webClient.userPoolClientId),
      apiBase: '/api',
    });
  });

  it('skips the deployment when there is no web build', () => {
    const { stack: bare } = buildStack({ manifests, stage: 'bare' });
    Template.fromStack(bare).resourceCountIs('Custom::CDKBucketDeployment', 0);
  });
});
