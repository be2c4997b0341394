// @ts-check
/**
 * The JSON Canonicalization Scheme (RFC 8785), written for the verifier alone so that it depends on
 * nothing but Node: objects' members sorted by the UTF-16 code units of their names, no whitespace,
 * strings escaped as ECMAScript's JSON.stringify does, numbers as ECMAScript's Number#toString.
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The canonical form of a JSON value (as JSON.parse returns it).
 * @param {unknown} value
 * @returns {string}
 */
export function canonicalize(value) {
  if (value === null || value === true || value === false) return String(value);
  switch (typeof value) {
    case 'number':
      // RFC 8785 §3.2.2.3: ECMAScript's Number serialisation; NaN and the infinities are not JSON.
      if (!Number.isFinite(value)) throw new Error(`${value} is not a JSON number`);
      return JSON.stringify(value);
    case 'string':
      if (LONE_SURROGATE.test(value)) throw new Error('a string holds a lone surrogate (not I-JSON)');
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map(canonicalize).join(',')}]`;
      const record = /** @type {Record<string, unknown>} */ (value);
      // Array#sort without a comparator orders strings by UTF-16 code units, as RFC 8785 §3.2.3 asks.
      const members = Object.keys(record)
        .sort()
        .map((name) => `${canonicalize(name)}:${canonicalize(record[name])}`);
      return `{${members.join(',')}}`;
    }
    default:
      throw new Error(`a ${typeof value} is not a JSON value`);
  }
}

/**
 * Whether `text` is exactly the canonical form of the JSON it holds (which rules out duplicate member
 * names, whitespace and any other spelling of the same value).
 * @param {string} text
 * @returns {boolean}
 */
export function isCanonicalJson(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    return false;
  }
  try {
    return canonicalize(value) === text;
  } catch {
    return false;
  }
}
