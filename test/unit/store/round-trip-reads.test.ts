import { BatchGetItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { getItems } from '../../../functions/store/query.ts';

const ddb = mockClient(DynamoDBClient);
const TABLE = 'test-table';
const key = (sk: string) => ({ pk: 'AGREEMENT#a', sk });
const item = (sk: string) => marshall({ ...key(sk), entity: sk.toLowerCase() });

describe('getItems: the agreement and what hangs off it in one round trip', () => {
  beforeEach(() => {
    ddb.reset();
    process.env.TABLE_NAME = TABLE;
  });

  it('asks for every key in one strongly consistent BatchGetItem and answers in the order of the keys', async () => {
    ddb.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [item('APPENDIX3'), item('AGREEMENT')] } });

    const found = await getItems([key('AGREEMENT'), key('SUBPROCESSOR#s'), key('APPENDIX3')]);

    expect(found.map((entry) => (entry ? unmarshall(entry).sk : undefined))).toEqual([
      'AGREEMENT',
      undefined,
      'APPENDIX3',
    ]);
    const calls = ddb.commandCalls(BatchGetItemCommand);
    expect(calls).toHaveLength(1);
    const request = calls[0]!.args[0].input.RequestItems![TABLE]!;
    expect(request.ConsistentRead).toBe(true);
    expect(request.Keys!.map((k) => unmarshall(k))).toEqual([
      key('AGREEMENT'),
      key('SUBPROCESSOR#s'),
      key('APPENDIX3'),
    ]);
  });

  it('asks again for the keys DynamoDB left unprocessed (under throttling), and only for those', async () => {
    ddb
      .on(BatchGetItemCommand)
      .resolvesOnce({
        Responses: { [TABLE]: [item('AGREEMENT')] },
        UnprocessedKeys: { [TABLE]: { Keys: [marshall(key('APPENDIX3'))], ConsistentRead: true } },
      })
      .resolves({ Responses: { [TABLE]: [item('APPENDIX3')] } });

    const found = await getItems([key('AGREEMENT'), key('APPENDIX3')]);

    expect(found.map((entry) => unmarshall(entry!).sk)).toEqual(['AGREEMENT', 'APPENDIX3']);
    const second = ddb.commandCalls(BatchGetItemCommand)[1]!.args[0].input.RequestItems![TABLE]!;
    expect(second.Keys!.map((k) => unmarshall(k))).toEqual([key('APPENDIX3')]);
    expect(second.ConsistentRead).toBe(true);
  });

  it('reads only the attributes asked for, when given, by names that no reserved word can clash with', async () => {
    ddb.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [item('AGREEMENT')] } });

    await getItems([key('AGREEMENT')], ['pk', 'sk', 'controller']);

    const request = ddb.commandCalls(BatchGetItemCommand)[0]!.args[0].input.RequestItems![TABLE]!;
    expect(request.ProjectionExpression).toBe('#a0, #a1, #a2');
    expect(request.ExpressionAttributeNames).toEqual({ '#a0': 'pk', '#a1': 'sk', '#a2': 'controller' });
    expect(request.ConsistentRead).toBe(true);
  });
});
