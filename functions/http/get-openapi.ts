import { publicHttpHandler } from '../shared/http.ts';
import { openApiDocument } from '../shared/openapi.ts';

const document = openApiDocument();

export const handler = publicHttpHandler(async () => ({ status: 200, body: document }));
