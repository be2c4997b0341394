import { createHash } from 'node:crypto';

/** An audit's material document as the API takes it: metadata, SHA-256 and size of `content`, and the content in base64. */
export const auditDocument = (name: string, content: Buffer, mediaType: string) => ({
  name,
  sha256: createHash('sha256').update(content).digest('hex'),
  size: content.length,
  mediaType,
  content: content.toString('base64'),
});
