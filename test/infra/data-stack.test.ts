import { beforeAll, describe, expect, it } from 'vitest';
import { TABLE_KEYS } from '../../functions/store/table-layout.ts';
import { exportNameOf, logicalIdOf, type Synthesized, singleLogicalId, synthesize } from './synth.ts';

let synth: Synthesized;
let tableProps: Record<string, unknown>;

beforeAll(() => {
  synth = synthesize({ cached: true });
  const tableId = singleLogicalId(synth.dataJson, 'AWS::DynamoDB::Table');
  tableProps = synth.dataJson.Resources?.[tableId]?.Properties ?? {};
});

describe('the agreements table', () => {
  it('is retained when the stack is deleted and when CloudFormation replaces it', () => {
    synth.data.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('has deletion protection', () => {
    expect(tableProps.DeletionProtectionEnabled).toBe(true);
  });

  it('has point-in-time recovery', () => {
    expect(tableProps.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
  });

  it('is encrypted with the customer-managed key, which rotates and is retained', () => {
    const keyId = logicalIdOf(synth.dataJson, 'AWS::KMS::Key', 'TableKey');
    expect(tableProps.SSESpecification).toEqual({
      SSEEnabled: true,
      SSEType: 'KMS',
      KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
    expect(synth.dataJson.Resources?.[keyId]).toMatchObject({
      Properties: { EnableKeyRotation: true },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('has a retained ECC P-256 sign/verify key for seals and evidence manifests (rule 14)', () => {
    const keyId = logicalIdOf(synth.dataJson, 'AWS::KMS::Key', 'SealKey');
    expect(synth.dataJson.Resources?.[keyId]).toMatchObject({
      Properties: { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('expires items through the TTL attribute of the table layout', () => {
    expect(tableProps.TimeToLiveSpecification).toEqual({
      AttributeName: TABLE_KEYS.ttlAttribute,
      Enabled: true,
    });
  });

  it('has no fixed physical name', () => {
    expect(tableProps).not.toHaveProperty('TableName');
  });

  it('bills on demand', () => {
    expect(tableProps.BillingMode).toBe('PAY_PER_REQUEST');
  });

  it('uses the key names of the table layout, all strings', () => {
    expect(tableProps.KeySchema).toEqual([
      { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
    ]);
    const attributes = tableProps.AttributeDefinitions as { AttributeName: string; AttributeType: string }[];
    expect(attributes.every((attribute) => attribute.AttributeType === 'S')).toBe(true);
  });

  it.each([
    TABLE_KEYS.byOrganisation,
    TABLE_KEYS.dueReminders,
  ])('has the $indexName index with its layout keys, projecting all attributes', (index) => {
    expect(tableProps.GlobalSecondaryIndexes).toContainEqual({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    });
  });

  it("is handed to the functions through the data stack's export, not by a fixed name", () => {
    const tableRefExport = exportNameOf(synth.dataJson, {
      Ref: singleLogicalId(synth.dataJson, 'AWS::DynamoDB::Table'),
    });
    const functions = Object.values(synth.service.findResources('AWS::Lambda::Function'));
    for (const fn of functions) {
      expect(fn.Properties.Environment.Variables.TABLE_NAME).toEqual({ 'Fn::ImportValue': tableRefExport });
    }
  });
});
