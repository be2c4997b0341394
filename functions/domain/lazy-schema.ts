/**
 * A schema made on first use rather than on import: `export const xSchema = <@__PURE__ mark>
 * lazySchema(() => z.strictObject({ ... }));`. It is used exactly as the schema itself (parsed,
 * nested in other schemas, its `shape` read): the value is a stand-in that makes the schema the first
 * time anything asks it for something, and passes every question on to it from then on.
 *
 * Why: a cold start runs every module's top level, and making zod schemas is work (a handler's
 * schemas cost several milliseconds of its import, measured with `npm run bench`), while a request
 * parses with only one or two of them. With this a cold start makes only the schemas its first
 * request reads. The `@__PURE__` mark still lets a bundle that never reads a schema leave it out
 * (zod.ts says why that mark is needed).
 */
export function lazySchema<T extends object>(make: () => T): T {
  let made: T | undefined;
  const schema = (): T => {
    made ??= make();
    return made;
  };
  return new Proxy({} as T, {
    get: (_, key) => Reflect.get(schema(), key),
    set: (_, key, value) => Reflect.set(schema(), key, value),
    has: (_, key) => Reflect.has(schema(), key),
    ownKeys: () => Reflect.ownKeys(schema()),
    // Reported as configurable: the stand-in itself has none of the schema's own properties.
    getOwnPropertyDescriptor: (_, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(schema(), key);
      return descriptor && { ...descriptor, configurable: true };
    },
    defineProperty: (_, key, descriptor) => Reflect.defineProperty(schema(), key, descriptor),
    deleteProperty: (_, key) => Reflect.deleteProperty(schema(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(schema()),
  });
}
