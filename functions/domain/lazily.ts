/**
 * A value made on first use rather than on import. For what is costly to make and not needed by every
 * function that imports it: a cold start pays for every module's top level, e.g. an
 * `Intl.DateTimeFormat` with a time zone loads ICU's zone data, about 40 ms of CPU.
 */
export function lazily<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => {
    made ??= { value: make() };
    return made.value;
  };
}
