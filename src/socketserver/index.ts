export { type Address, formatAddress } from './address.js';
export { BaseServer } from './base-server.js';
export { TCPServer } from './tcp-server.js';
export { BaseRequestHandler, type RequestHandlerClass } from './base-request-handler.js';
export { StreamRequestHandler } from './stream-request-handler.js';
export { SocketReader } from './socket-reader.js';
export { SocketWriter } from './socket-writer.js';
export { BaseHTTPError } from './errors.js';
export { ERROR_CODES, REJECT_REASONS, type ErrorCode, type RejectReason } from './error-catalogue.js';
