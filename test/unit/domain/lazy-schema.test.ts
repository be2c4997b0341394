import { afterEach, describe, expect, it, vi } from 'vitest';
import { lazySchema } from '../../../functions/domain/lazy-schema.ts';
import * as z from '../../../functions/domain/zod.ts';

/**
 * Issue 8 (a lean runtime): a cold start makes no schema. Each top-level schema is a stand-in that
 * makes it on first use, and is then used exactly as the schema itself.
 */
describe('lazySchema', () => {
  it('makes the schema on first use, once', () => {
    const make = vi.fn(() => z.strictObject({ name: z.string() }));
    const schema = lazySchema(make);
    expect(make).not.toHaveBeenCalled();

    expect(z.parse(schema, { name: 'Bergen kommune' })).toEqual({ name: 'Bergen kommune' });
    expect(schema.safeParse({ name: 1 }).success).toBe(false);
    expect(make).toHaveBeenCalledTimes(1);
  });

  it('is used as the schema: nested, optional, its shape read, its checks run', () => {
    const party = lazySchema(() =>
      z.strictObject({ name: z.string().check(z.minLength(2, { message: 'too short' })) }),
    );
    const agreement = lazySchema(() => z.strictObject({ controller: party, processor: z.optional(party) }));

    expect(Object.keys(agreement.shape)).toEqual(['controller', 'processor']);
    expect(agreement.parse({ controller: { name: 'Oslo' } })).toEqual({ controller: { name: 'Oslo' } });
    const refused = agreement.safeParse({ controller: { name: 'O' }, processor: { name: 'Ok', extra: 1 } });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
      ['controller.name', 'too short'],
      ['processor', 'Unrecognized key: "extra"'],
    ]);
    expect(z.toJSONSchema(agreement, { io: 'input' })).toEqual(
      z.toJSONSchema(
        z.strictObject({
          controller: z.strictObject({ name: z.string().check(z.minLength(2)) }),
          processor: z.optional(z.strictObject({ name: z.string().check(z.minLength(2)) })),
        }),
        { io: 'input' },
      ),
    );
  });
});

describe('the schema modules', () => {
  afterEach(() => {
    vi.doUnmock('../../../functions/domain/zod.ts');
    vi.resetModules();
  });

  it('make no schema when imported, and make one when it is used', async () => {
    let calls = 0;
    vi.resetModules();
    vi.doMock('../../../functions/domain/zod.ts', async (importOriginal) => {
      const original = await importOriginal<Record<string, unknown>>();
      return Object.fromEntries(
        Object.entries(original).map(([name, value]) => [
          name,
          typeof value === 'function' && !/^[A-Z$]/.test(name)
            ? (...args: unknown[]) => {
                calls += 1;
                return (value as (...a: unknown[]) => unknown)(...args);
              }
            : value,
        ]),
      );
    });
    const modules = await Promise.all([
      import('../../../functions/domain/schemas.ts'),
      import('../../../functions/domain/breach-schemas.ts'),
      import('../../../functions/domain/sub-processor-schemas.ts'),
      import('../../../functions/domain/termination-schemas.ts'),
    ]);
    expect(modules.flatMap((module) => Object.keys(module)).length).toBeGreaterThan(30);
    expect(calls).toBe(0);

    const [schemas] = modules;
    expect(schemas.signatureRequestSchema.safeParse({}).success).toBe(false);
    expect(calls).toBeGreaterThan(0);
  });
});
