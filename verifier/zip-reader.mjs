// @ts-check
import { inflateRawSync } from 'node:zlib';

/**
 * A small ZIP reader for the verifier: the files named by the central directory, each read from its
 * local header, inflated (stored or deflated only) and checked against its CRC-32. Anything unusual
 * (encryption, ZIP64, split archives, two entries of one name, a local header naming another file)
 * is an error: an evidence pack never needs it, and a reader that guessed could see other files than
 * another tool does.
 */

export class ZipError extends Error {}

/** A file larger than this is not part of any evidence pack (and would be a decompression bomb). */
const MAX_FILE_BYTES = 1024 * 1024 * 1024;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * @param {Uint8Array} bytes
 * @returns {number}
 */
export function crc32(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = /** @type {number} */ (CRC_TABLE[(crc ^ byte) & 0xff]) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The files of a ZIP archive by name, in the order of its central directory. Directory entries
 * (names ending in `/`, no content) are left out.
 * @param {Uint8Array} zip
 * @returns {Map<string, Uint8Array>}
 */
export function readZip(zip) {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const u16 = (/** @type {number} */ at) => view.getUint16(at, true);
  const u32 = (/** @type {number} */ at) => view.getUint32(at, true);

  const eocd = findEndOfCentralDirectory(zip, u32, u16);
  if (u16(eocd + 4) !== 0 || u16(eocd + 6) !== 0 || u16(eocd + 8) !== u16(eocd + 10)) {
    throw new ZipError('split (multi-disk) archives are not supported');
  }
  const count = u16(eocd + 10);
  const directorySize = u32(eocd + 12);
  const directoryOffset = u32(eocd + 16);
  if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    throw new ZipError('ZIP64 archives are not supported');
  }
  if (directoryOffset + directorySize > eocd)
    throw new ZipError('the central directory lies outside the file');

  /** @type {Map<string, Uint8Array>} */
  const files = new Map();
  let at = directoryOffset;
  for (let index = 0; index < count; index++) {
    if (at + 46 > directoryOffset + directorySize || u32(at) !== 0x02014b50) {
      throw new ZipError(`central directory entry ${index + 1} is damaged`);
    }
    const flags = u16(at + 8);
    const method = u16(at + 10);
    const crc = u32(at + 16);
    const compressedSize = u32(at + 20);
    const size = u32(at + 24);
    const nameLength = u16(at + 28);
    const extraLength = u16(at + 30);
    const commentLength = u16(at + 32);
    const localOffset = u32(at + 42);
    const nameBytes = zip.subarray(at + 46, at + 46 + nameLength);
    let name;
    try {
      name = utf8.decode(nameBytes);
    } catch {
      throw new ZipError(`central directory entry ${index + 1} has a name that is not UTF-8`);
    }
    at += 46 + nameLength + extraLength + commentLength;

    if (files.has(name)) throw new ZipError(`two entries named ${name}`);
    if (flags & 0x0001) throw new ZipError(`${name} is encrypted`);
    if (localOffset + 30 > directoryOffset || u32(localOffset) !== 0x04034b50) {
      throw new ZipError(`${name}: its local header is missing or damaged`);
    }
    const localNameLength = u16(localOffset + 26);
    const localExtraLength = u16(localOffset + 28);
    const localName = zip.subarray(localOffset + 30, localOffset + 30 + localNameLength);
    if (!Buffer.from(localName).equals(nameBytes)) {
      throw new ZipError(`${name}: its local header names another file`);
    }
    const start = localOffset + 30 + localNameLength + localExtraLength;
    if (start + compressedSize > directoryOffset)
      throw new ZipError(`${name}: its data runs past the archive`);
    if (size > MAX_FILE_BYTES) throw new ZipError(`${name}: too large (${size} bytes)`);
    const data = zip.subarray(start, start + compressedSize);

    let content;
    if (method === 0) {
      if (compressedSize !== size) throw new ZipError(`${name}: stored with two different sizes`);
      content = data;
    } else if (method === 8) {
      try {
        content = new Uint8Array(inflateRawSync(data, { maxOutputLength: Math.max(size, 1) }));
      } catch (error) {
        throw new ZipError(`${name}: cannot be inflated (${/** @type {Error} */ (error).message})`);
      }
    } else {
      throw new ZipError(`${name}: compression method ${method} is not supported (only stored or deflated)`);
    }
    if (content.length !== size)
      throw new ZipError(`${name}: ${content.length} bytes, the directory says ${size}`);
    if (crc32(content) !== crc) throw new ZipError(`${name}: CRC-32 does not match (damaged archive)`);
    if (name.endsWith('/') && size === 0) continue;
    files.set(name, content);
  }
  if (at !== directoryOffset + directorySize) throw new ZipError('the central directory has trailing bytes');
  return files;
}

/**
 * @param {Uint8Array} zip
 * @param {(at: number) => number} u32
 * @param {(at: number) => number} u16
 */
function findEndOfCentralDirectory(zip, u32, u16) {
  if (zip.length < 22) throw new ZipError('not a ZIP archive (too short)');
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 0xffff); at--) {
    // The record ends the file, its comment included: this rules out the signature appearing by chance.
    if (u32(at) === 0x06054b50 && at + 22 + u16(at + 20) === zip.length) return at;
  }
  throw new ZipError('not a ZIP archive (no end of central directory record)');
}
