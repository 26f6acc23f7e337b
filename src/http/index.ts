export { HTTPServer, type SweptConnection } from './http-server.js';
export { BaseHTTPRequestHandler } from './request-handler.js';
export { HTTPMessage } from './message.js';
export { responses } from './responses.js';
export { DEFAULT_ERROR_MESSAGE, DEFAULT_ERROR_CONTENT_TYPE } from './error-page.js';
export { test } from './test-server.js';
export { VERSION as version } from './version.js';
export { canonicalPath } from './canonical-path.js';
