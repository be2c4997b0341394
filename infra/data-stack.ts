import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { TABLE_KEYS } from '../functions/store/table-layout.ts';

/**
 * The agreements table: legal records (signatures, audit log, attestations) that must outlive any
 * deployment mistake. Hence its own stack, RETAIN on delete and on replacement, deletion protection,
 * point-in-time recovery and a customer-managed key the organisation controls.
 */
export class DataStack extends Stack {
  readonly table: dynamodb.Table;
  readonly tableKey: kms.Key;
  readonly sealKey: kms.Key;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    this.tableKey = new kms.Key(this, 'TableKey', {
      description: 'Encrypts the data processing agreements table at rest',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Rule 14: seals and evidence manifests are signed with this key; the private half never leaves
    // KMS. Asymmetric keys cannot rotate automatically: rotate by creating a new key and passing the
    // old one's ARN as -c retiredSealKeyArns=..., so that old seals stay verifiable.
    this.sealKey = new kms.Key(this, 'SealKey', {
      description: 'Signs the seals of agreement logs and the manifests of evidence packs (ES256)',
      keySpec: kms.KeySpec.ECC_NIST_P256,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const stringKey = (name: string) => ({ name, type: dynamodb.AttributeType.STRING });

    // No tableName: a fixed physical name would block replacement and collide between environments.
    this.table = new dynamodb.Table(this, 'AgreementsTable', {
      partitionKey: stringKey(TABLE_KEYS.partitionKey),
      sortKey: stringKey(TABLE_KEYS.sortKey),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.tableKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      timeToLiveAttribute: TABLE_KEYS.ttlAttribute,
      // New items feed the notification delivery (rule 15; catalogue `streamConsumers`).
      stream: dynamodb.StreamViewType.NEW_IMAGE,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Explicit, so that both DeletionPolicy and UpdateReplacePolicy are Retain whatever the defaults become.
    this.table.applyRemovalPolicy(RemovalPolicy.RETAIN);

    for (const index of [TABLE_KEYS.byOrganisation, TABLE_KEYS.dueReminders]) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: stringKey(index.partitionKey),
        sortKey: stringKey(index.sortKey),
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
    // The whole entry: the seal run reads a day's entries from the index alone, not one by one.
    this.table.addGlobalSecondaryIndex({
      indexName: TABLE_KEYS.entriesByDay.indexName,
      partitionKey: stringKey(TABLE_KEYS.entriesByDay.partitionKey),
      sortKey: stringKey(TABLE_KEYS.entriesByDay.sortKey),
      projectionType: dynamodb.ProjectionType.ALL,
    });

    new CfnOutput(this, 'TableName', { value: this.table.tableName, description: 'The agreements table' });
  }
}
