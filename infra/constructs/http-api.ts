import { Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { HttpFunction } from '../../functions/catalogue.ts';

export interface CatalogueHttpApiProps {
  readonly routes: readonly { readonly definition: HttpFunction; readonly handler: lambda.IFunction }[];
}

/**
 * Fields of each access log line. Which integration called (`client_id`) is in the function's log line
 * of the request (the function verifies the token; the gateway does not read it).
 */
/**
 * No gateway authorizer reads the token, so the access log cannot name the caller; `lambdaRequestId`
 * (the invocation's request id) joins each line to the function's own log line, which carries
 * `caller_org` and `client_id` beside `function_request_id`.
 */
const ACCESS_LOG_FORMAT = {
  requestId: '$context.requestId',
  lambdaRequestId: '$context.integration.requestId',
  requestTime: '$context.requestTime',
  sourceIp: '$context.identity.sourceIp',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
};

/**
 * The HTTP API: one route per catalogue HTTP function, none with a gateway authorizer. The function of
 * every protected route verifies the Maskinporten token itself (functions/shared/authentication.ts:
 * signature against the issuer's JWKS, issuer, audience, expiry, the method's scope), so a refusal is
 * problem+json on AWS as in the local stack; routes the catalogue lists without scopes are public.
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

    for (const { definition, handler } of props.routes) {
      const isPublic = definition.scopes.length === 0;
      if (isPublic && !definition.publicBecause) {
        throw new Error(`${definition.method} ${definition.path} has no scopes and no publicBecause`);
      }
      const [route] = this.api.addRoutes({
        path: definition.path,
        methods: [apigw.HttpMethod[definition.method]],
        integration: new HttpLambdaIntegration(`${definition.id}Integration`, handler, {
          payloadFormatVersion: apigw.PayloadFormatVersion.VERSION_2_0,
        }),
      });
      if (!route) throw new Error(`No route was added for ${definition.method} ${definition.path}`);
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: isPublic
          ? `${definition.method} ${definition.path} is public by design (the catalogue lists no scopes): ${definition.publicBecause}.`
          : `${definition.method} ${definition.path} has no gateway authorizer because its function verifies the Maskinporten token itself: the shared middleware (functions/shared/authentication.ts, unit-tested, and the e2e authorization matrix) checks RS256 signature against the issuer's JWKS, issuer, audience, expiry and the scope ${definition.scopes.join(' or ')}, and answers 401/403 problem+json before the handler runs.`,
      });
    }
  }

  /** The invoke URL of the default stage. */
  get url(): string {
    return this.stage.url;
  }
}
