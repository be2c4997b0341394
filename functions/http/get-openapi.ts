import { publicHttpHandler } from '../shared/http.ts';
import { openApiDocument } from '../shared/openapi.ts';

/** Built on the first request (the deployment's settings are in the environment by then), then kept. */
let document: ReturnType<typeof openApiDocument> | undefined;

export const handler = publicHttpHandler(async () => {
  document ??= openApiDocument();
  return { status: 200, body: document };
});
