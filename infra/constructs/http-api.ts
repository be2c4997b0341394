import { Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { HttpFunction } from '../../functions/catalogue.ts';
import type { ScopeNames } from '../../functions/shared/deployment-settings.ts';

export interface CatalogueHttpApiProps {
  readonly routes: readonly { readonly definition: HttpFunction; readonly handler: lambda.IFunction }[];
  /** Token issuer (Maskinporten), checked by API Gateway against its JWKS. */
  readonly jwtIssuer: string;
  readonly jwtAudience: string;
  /** The names the deployment's scopes were given (Digdir assigns them under the provider's prefix). */
  readonly scopeNames: ScopeNames;
}

/** Fields of each access log line; `client_id` says which integration called (accountability). */
const ACCESS_LOG_FORMAT = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  sourceIp: '$context.identity.sourceIp',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  integrationLatency: '$context.integrationLatency',
  clientId: '$context.authorizer.claims.client_id',
  authorizerError: '$context.authorizer.error',
  integrationError: '$context.integrationErrorMessage',
};

/**
 * The HTTP API: one route per catalogue HTTP function, each guarded by the Maskinporten JWT
 * authorizer with the catalogue's scopes (by the names the deployment gave them); routes the catalogue
 * lists without scopes are public.
 */
export class CatalogueHttpApi extends Construct {
  readonly api: apigw.HttpApi;
  readonly stage: apigw.HttpStage;

  constructor(scope: Construct, id: string, props: CatalogueHttpApiProps) {
    super(scope, id);

    this.api = new apigw.HttpApi(this, 'Api', {
      description: 'Data processing agreements (databehandleravtaler)',
      createDefaultStage: false,
    });

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logs.RetentionDays.ONE_YEAR });
    this.stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FORMAT)),
      },
    });

    const authorizer = new HttpJwtAuthorizer('MaskinportenAuthorizer', props.jwtIssuer, {
      jwtAudience: [props.jwtAudience],
      identitySource: ['$request.header.Authorization'],
    });

    for (const { definition, handler } of props.routes) {
      const isPublic = definition.scopes.length === 0;
      const [route] = this.api.addRoutes({
        path: definition.path,
        methods: [apigw.HttpMethod[definition.method]],
        integration: new HttpLambdaIntegration(`${definition.id}Integration`, handler, {
          payloadFormatVersion: apigw.PayloadFormatVersion.VERSION_2_0,
        }),
        authorizer: isPublic ? new apigw.HttpNoneAuthorizer() : authorizer,
        authorizationScopes: isPublic ? undefined : definition.scopes.map((scope) => props.scopeNames[scope]),
      });
      if (isPublic && route) {
        if (!definition.publicBecause) {
          throw new Error(`${definition.method} ${definition.path} has no scopes and no publicBecause`);
        }
        Validations.of(route).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${definition.method} ${definition.path} is public by design (the catalogue lists no scopes): ${definition.publicBecause}.`,
        });
      }
    }
  }

  /** The invoke URL of the default stage. */
  get url(): string {
    return this.stage.url;
  }
}
