import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Function as CloudFrontFunction,
  Distribution,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  OriginSslPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { API_PREFIX } from '#shared/platform/manifest.ts';

/**
 * CloudFront Function (viewer request, default behavior only): a path whose last segment has no file
 * extension is a client-side route of the single-page app, so it is served `/index.html`. Unlike
 * 403/404 error responses on the whole distribution, this never turns an API error into a 200 HTML
 * page, because `/api/*` has its own behavior without the function.
 */
export const SPA_REWRITE_FUNCTION_CODE = `function handler(event) {
  var request = event.request;
  var last = request.uri.split('/').pop();
  if (last.indexOf('.') === -1) {
    request.uri = '/index.html';
  }
  return request;
}`;

/** What the web app reads at start-up to find its identity provider and API. */
export interface WebRuntimeConfig {
  /** Identity provider flavour; the local cloud serves `local` instead. */
  readonly mode: 'cognito';
  /** Region of the user pool. */
  readonly region: string;
  /** Cognito user pool the app signs in against. */
  readonly userPoolId: string;
  /** The web app client (no secret). */
  readonly clientId: string;
  /** Path prefix of the API on the site's own origin. */
  readonly apiBase: string;
}

export interface WebHostingProps {
  /** Domain of the HTTP API's execute-api endpoint, the origin of `/api/*`. */
  readonly apiDomainName: string;
  /** Static build of the web app; deployed only when given (the folder exists at synth time). */
  readonly webBuildPath?: string;
  /** Written next to the app as `config.json` when the app is deployed. */
  readonly runtimeConfig: WebRuntimeConfig;
  /** Edge locations to serve from; the cheapest class unless a stage needs more. */
  readonly priceClass?: PriceClass;
}

/**
 * Private S3 bucket behind CloudFront (origin access control), with the API under `/api/*` on the same
 * origin so the browser needs no CORS and the token never leaves the site's domain.
 */
export class WebHosting extends Construct {
  readonly bucket: Bucket;
  readonly logBucket: Bucket;
  readonly distribution: Distribution;
  readonly deployment: BucketDeployment | undefined;

  constructor(scope: Construct, id: string, props: WebHostingProps) {
    super(scope, id);

    // One bucket for the site bucket's access logs and CloudFront's standard logs. CloudFront writes
    // its logs with ACLs, hence BUCKET_OWNER_PREFERRED; SSE-S3 because neither log writer supports KMS.
    this.logBucket = new Bucket(this, 'Logs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      // Access logs are evidence after an incident; they outlive the stack and expire on their own.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.bucket = new Bucket(this, 'Site', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'site-bucket/',
      // The bucket holds only a build that can be redeployed at any time.
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });

    const spaRewrite = new CloudFrontFunction(this, 'SpaRewrite', {
      code: FunctionCode.fromInline(SPA_REWRITE_FUNCTION_CODE),
      runtime: FunctionRuntime.JS_2_0,
      comment: 'Serves index.html for client-side routes of the web app',
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: `ITSM web app and API (${Stack.of(this).stackName})`,
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: props.priceClass ?? PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: ResponseHeadersPolicy.SECURITY_HEADERS,
        functionAssociations: [{ function: spaRewrite, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: {
        [`${API_PREFIX}/*`]: {
          origin: new HttpOrigin(props.apiDomainName, {
            protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
            originSslProtocols: [OriginSslPolicy.TLS_V1_2],
          }),
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          // Every answer is per user and tenant: nothing may be cached at the edge. With caching off,
          // this policy forwards the Authorization header; the Host header must stay API Gateway's.
          cachePolicy: CachePolicy.CACHING_DISABLED,
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: ResponseHeadersPolicy.SECURITY_HEADERS,
        },
      },
    });

    if (props.webBuildPath !== undefined) {
      this.deployment = new BucketDeployment(this, 'Deploy', {
        sources: [Source.asset(props.webBuildPath), Source.jsonData('config.json', props.runtimeConfig)],
        destinationBucket: this.bucket,
        distribution: this.distribution,
        distributionPaths: ['/*'],
        memoryLimit: 512,
      });
    }
  }
}
