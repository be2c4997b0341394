import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { SFNClient } from '@aws-sdk/client-sfn';

/**
 * One client per service per process, created on first use. Endpoints come from the standard
 * AWS_ENDPOINT_URL_<SERVICE> variables, which is all the local stack changes.
 */
let dynamo: DynamoDBClient | undefined;
let sfn: SFNClient | undefined;
let events: EventBridgeClient | undefined;
let kms: KMSClient | undefined;

export const dynamoClient = () => (dynamo ??= new DynamoDBClient({}));
export const sfnClient = () => (sfn ??= new SFNClient({}));
export const eventsClient = () => (events ??= new EventBridgeClient({}));
export const kmsClient = () => (kms ??= new KMSClient({}));

/** The local stack points the SDK at new endpoints when it (re)starts in the same process. */
export function resetClients(): void {
  for (const client of [dynamo, sfn, events, kms]) client?.destroy();
  dynamo = undefined;
  sfn = undefined;
  events = undefined;
  kms = undefined;
}
