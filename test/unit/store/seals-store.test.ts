import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Item } from '../../../functions/store/items.ts';
import {
  type AgreementSealing,
  currentSeals,
  LATEST_ITEM_CHARS,
  type StoredSeal,
  sealingOf,
  sealWrites,
} from '../../../functions/store/seals-store.ts';

const AGREEMENT = {
  id: 'a1',
  controller: { orgNumber: '954748634', name: 'Radøy kommune' },
  processor: { orgNumber: '889640782', name: 'Arbeids- og velferdsetaten' },
};

const entry = (night: number, n: number) => ({
  id: `AUDIT#2026-12-${String(night).padStart(2, '0')}T10:00:00.000Z#${n}#k`,
  entry: { at: `2026-12-${String(night).padStart(2, '0')}T10:00:00.000Z`, action: 'agreement.read' },
});

/** A night's sealing of `entries` entries after `tail`, as a run would store it (its run proof made up). */
function night(
  tail: StoredSeal[],
  nightOf: number,
  entries = 1,
): AgreementSealing & { stored: StoredSeal[] } {
  const sealing = sealingOf(
    AGREEMENT,
    Array.from({ length: entries }, (_, n) => entry(nightOf, n)),
    tail,
    new Date(`2026-12-${String(nightOf + 1).padStart(2, '0')}T00:30:00.000Z`),
  );
  const run = { jws: 'eyJhbGciOiJFUzI1NiJ9.e30.AA', index: 0, proof: ['0'.repeat(64)] };
  return { ...sealing, stored: sealing.seals.map((seal) => ({ ...seal, run })) };
}

/** The items a sealing's writes leave, by sort key, over those already there. */
function apply(items: Map<string, Item>, writes: ReturnType<typeof sealWrites>): Map<string, Item> {
  const next = new Map(items);
  for (const write of writes) next.set(write.Put!.Item!.sk!.S!, write.Put!.Item as Item);
  return next;
}

const seqsOf = (item: Item) => (unmarshall(item).seals as StoredSeal[]).map((seal) => seal.body.seq);

describe('seal items: the latest seals under one key, older ones in numbered items', () => {
  beforeEach(() => {
    process.env.TABLE_NAME = 'test-table';
  });

  it('adds a night’s seal to the latest item, one conditional write, while the tail is small', () => {
    const first = night([], 1);
    const firstWrites = sealWrites(first);
    expect(firstWrites).toHaveLength(1);
    expect(firstWrites[0]!.Put!.ConditionExpression).toBe('attribute_not_exists(pk)');

    const second = night(first.stored, 2);
    const writes = sealWrites(second);

    expect(writes).toHaveLength(1);
    expect(writes[0]!.Put!.Item!.sk!.S).toBe('SEAL#LATEST');
    expect(writes[0]!.Put!.ConditionExpression).toBe('#seq = :seq');
    expect(unmarshall(writes[0]!.Put!.ExpressionAttributeValues!)).toEqual({ ':seq': 1 });
    expect(seqsOf(writes[0]!.Put!.Item as Item)).toEqual([1, 2]);
  });

  it('moves the older seals to a numbered item once the tail outgrows the latest item', () => {
    let items = new Map<string, Item>();
    let tail: StoredSeal[] = [];
    const writesPerNight: number[] = [];
    for (let day = 1; day <= 20; day++) {
      const sealing = night(tail, day, 3);
      const writes = sealWrites(sealing);
      writesPerNight.push(writes.length);
      items = apply(items, writes);
      tail = currentSeals([...items.values()]).tail;
    }

    expect(Math.max(...writesPerNight)).toBe(2);
    expect(writesPerNight.filter((count) => count === 1).length).toBeGreaterThan(10);
    for (const item of items.values()) {
      expect(JSON.stringify(unmarshall(item).seals).length).toBeLessThanOrEqual(LATEST_ITEM_CHARS);
    }
    const { seals } = currentSeals([...items.values()]);
    expect(seals.map((seal) => seal.body.seq)).toEqual(Array.from({ length: 20 }, (_, n) => n + 1));
    const numbered = [...items.keys()].filter((sk) => sk !== 'SEAL#LATEST');
    expect(numbered.length).toBeGreaterThan(0);
    for (const sk of numbered) expect(sk).toBe(`SEAL#${String(seqsOf(items.get(sk)!)[0]).padStart(6, '0')}`);
  });

  it('follows the chain back from the latest item, passing over a numbered item no seal leads to', () => {
    let items = new Map<string, Item>();
    let tail: StoredSeal[] = [];
    for (let day = 1; day <= 12; day++) {
      items = apply(items, sealWrites(night(tail, day, 3)));
      tail = currentSeals([...items.values()]).tail;
    }
    const before = currentSeals([...items.values()]).seals;
    // A sealing that failed part way: its numbered item was written, its latest item was not.
    const failed = night(tail, 13, 2000);
    const stale = sealWrites(failed).slice(0, -1);
    expect(stale.length).toBeGreaterThan(0);

    const after = currentSeals([...apply(items, stale).values()]);

    expect(after.seals).toEqual(before);
    expect(after.tail).toEqual(tail);
  });

  it('reads a latest item of one seal, as written before seals were grouped, and none of format 1', () => {
    const [seal] = night([], 1).stored;
    const single = marshall({ pk: 'AGREEMENT#a1', sk: 'SEAL#LATEST', entity: 'seal', seq: 1, ...seal });
    const formatOne = marshall({ pk: 'AGREEMENT#a2', sk: 'SEAL#LATEST', entity: 'seal', seq: 1, jws: 'x' });

    expect(currentSeals([single]).seals).toEqual([seal]);
    expect(currentSeals([formatOne])).toEqual({ seals: [], tail: [] });
  });
});
