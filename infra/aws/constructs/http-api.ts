import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  type HttpRoute,
  HttpStage,
  LogGroupLogDestination,
  type ThrottleSettings,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  type ProcessManifest,
  publicPath,
  type RouteDefinition,
  routeKey,
} from '#shared/platform/manifest.ts';

/** A manifest route as registered on the API. */
export interface RegisteredRoute {
  /** Name of the process serving the route. */
  readonly process: string;
  /** The route as the manifest declares it. */
  readonly definition: RouteDefinition;
  /** The API Gateway route. */
  readonly route: HttpRoute;
}

/** Default stage throttling: generous for people clicking, a ceiling for a runaway script. */
export const DEFAULT_THROTTLE: ThrottleSettings = { rateLimit: 100, burstLimit: 200 };

export interface ItsmHttpApiProps {
  /** Name of the API as shown in the console. */
  readonly apiName: string;
  /** Pool whose tokens the JWT authorizer accepts. */
  readonly userPool: IUserPool;
  /** The app client; its id is the only accepted audience. */
  readonly userPoolClient: IUserPoolClient;
  /** Throttling of the default stage. */
  readonly throttle?: ThrottleSettings;
}

/**
 * The HTTP API: every manifest route at its public path, authorised by a Cognito JWT authorizer unless
 * the route is explicitly public. Role checks happen in the handler (from the manifest); the gateway
 * only guarantees that a token is valid, current and issued to our web client.
 */
export class ItsmHttpApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  /** Registered routes by route key, e.g. `GET /api/services`. */
  readonly routes = new Map<string, RegisteredRoute>();
  private readonly authorizer: HttpJwtAuthorizer;

  constructor(scope: Construct, id: string, props: ItsmHttpApiProps) {
    super(scope, id);
    this.api = new HttpApi(this, 'Api', {
      apiName: props.apiName,
      // The stage below is created explicitly so it can carry access logs and throttling.
      createDefaultStage: false,
    });

    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? DEFAULT_THROTTLE,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // HTTP API context variables only; requestId ties a line to the handler's logs.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            latency: '$context.responseLatency',
            integrationLatency: '$context.integration.latency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
            userAgent: '$context.identity.userAgent',
          }),
        ),
      },
    });

    const region = Stack.of(this).region;
    this.authorizer = new HttpJwtAuthorizer(
      'Cognito',
      `https://cognito-idp.${region}.amazonaws.com/${props.userPool.userPoolId}`,
      {
        // ID tokens carry `aud` = client id; access tokens carry `client_id`, which API Gateway also
        // checks against the audience list.
        jwtAudience: [props.userPoolClient.userPoolClientId],
        identitySource: ['$request.header.Authorization'],
      },
    );
  }

  /** Registers every route of a process with a Lambda proxy integration (payload format 2.0). */
  addProcessRoutes(manifest: ProcessManifest, handler: IFunction): void {
    const routes = Object.values(manifest.routes);
    if (routes.length === 0) return;
    const integration = new HttpLambdaIntegration(`${manifest.name}-integration`, handler);
    for (const route of routes) {
      const key = routeKey(route);
      const existing = this.routes.get(key);
      if (existing !== undefined) {
        throw new Error(`Route ${key} is declared by both ${existing.process} and ${manifest.name}`);
      }
      if (route.public === true && route.roles.length > 0) {
        throw new Error(`Route ${key} of ${manifest.name} is public but lists roles`);
      }
      const [created] = this.api.addRoutes({
        path: publicPath(route),
        methods: [HttpMethod[route.method]],
        integration,
        authorizer: route.public === true ? new HttpNoneAuthorizer() : this.authorizer,
      });
      if (created === undefined) throw new Error(`Route ${key} was not created`);
      this.routes.set(key, { process: manifest.name, definition: route, route: created });
    }
  }
}
